package io.lodestar.operators.reward.remote;

import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;

/** Adds a component to a scored generation and recomputes the combined reward and its version. */
final class ScoredComponents {

  private static final RewardComposition PROVISIONAL = RewardComposition.defaults();

  private ScoredComponents() {}

  static ScoredGeneration append(ScoredGeneration input, RewardComponent component) {
    List<RewardComponent> components = new ArrayList<>(input.getComponents());
    components.add(component);
    return ScoredGeneration.newBuilder(input)
        .setComponents(components)
        // Provisional reward under the default rule; the pipeline's combine step sets the final
        // one.
        .setReward(PROVISIONAL.compose(input.getGeneration(), components).reward())
        .setRewardVersion(PROVISIONAL.compose(input.getGeneration(), components).rewardVersion())
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
