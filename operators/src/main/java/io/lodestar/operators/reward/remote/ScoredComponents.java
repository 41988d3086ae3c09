package io.lodestar.operators.reward.remote;

import io.lodestar.operators.verify.Rewards;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;

/** Adds a component to a scored generation and recomputes the combined reward and its version. */
final class ScoredComponents {

  private ScoredComponents() {}

  static ScoredGeneration append(ScoredGeneration input, RewardComponent component) {
    List<RewardComponent> components = new ArrayList<>(input.getComponents());
    components.add(component);
    return ScoredGeneration.newBuilder(input)
        .setComponents(components)
        .setReward(Rewards.combine(components))
        .setRewardVersion(Rewards.version(components))
        .build();
  }

  /** The last component of that name, or null. */
  static RewardComponent last(ScoredGeneration scored, String name) {
    List<RewardComponent> components = scored.getComponents();
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).getName().equals(name)) {
        return components.get(i);
      }
    }
    return null;
  }
}
