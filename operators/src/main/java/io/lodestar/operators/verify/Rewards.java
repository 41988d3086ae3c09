package io.lodestar.operators.verify;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.List;

/**
 * Combines reward components into the scalar a trainer sees: the mean of the components that
 * scored OK. When none did, the combined reward is null (unscored), never 0.
 */
public final class Rewards {

  private Rewards() {}

  public static Double combine(List<RewardComponent> components) {
    double sum = 0;
    int scored = 0;
    for (RewardComponent c : components) {
      if (c.getStatus() == RewardStatus.OK && c.getValue() != null && Double.isFinite(c.getValue())) {
        sum += c.getValue();
        scored++;
      }
    }
    return scored == 0 ? null : sum / scored;
  }

  /** Names the rule and the versions of its parts, e.g. {@code mean(numeric_answer@numeric-answer/1)}. */
  public static String version(List<RewardComponent> components) {
    StringBuilder sb = new StringBuilder("mean(");
    for (int i = 0; i < components.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(components.get(i).getName()).append('@').append(components.get(i).getVersion());
    }
    return sb.append(')').toString();
  }
}
