package io.lodestar.operators.health;

/** Where one rule stands for one scope. A Flink POJO kept in keyed state. */
public class RuleState {

  public int consecutive;
  public boolean firing;
  /** End of the last window evaluated; a streak continues only into the adjacent window. */
  public long lastWindowEndMs = Long.MIN_VALUE;
  public long streakStartMs;
  public long holdingSinceMs;

  public RuleState() {}

  /** Nothing worth keeping: not firing and no streak under way. */
  public boolean idle() {
    return !firing && consecutive == 0;
  }
}
