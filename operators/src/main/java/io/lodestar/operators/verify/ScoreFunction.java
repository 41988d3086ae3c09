package io.lodestar.operators.verify;

import io.lodestar.operators.reward.compose.CombineRewardsFunction;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.schema.Generation;
import io.lodestar.schema.ScoredGeneration;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Scores each generation with the verifiers its task metadata selects (see {@link
 * VerifierRegistry}). It only collects components: the reward stays null until {@link
 * CombineRewardsFunction} combines every component once, after the later scoring stages have added
 * theirs.
 */
public class ScoreFunction extends RichMapFunction<Generation, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  private final VerifierRegistry verifiers;

  public ScoreFunction() {
    this(VerifierRegistry.defaults());
  }

  public ScoreFunction(VerifierRegistry verifiers) {
    this.verifiers = verifiers;
  }

  @Override
  public ScoredGeneration map(Generation g) {
    return ScoredGeneration.newBuilder()
        .setGeneration(g)
        .setComponents(verifiers.score(g))
        .setReward(null)
        .setRewardVersion(RewardComposition.UNCOMBINED)
        .setScoredAtMs(System.currentTimeMillis())
        .build();
  }
}
