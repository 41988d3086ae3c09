package io.lodestar.operators.health;

/** Where one rule stands for one scope. A Flink POJO kept in keyed state. */
public class RuleState {

  /** Consecutive deciding windows in which every condition held. */
  public int consecutive;

  public boolean firing;

  /** While firing: consecutive deciding windows that showed health. */
  public int healthy;

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
