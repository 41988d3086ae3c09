package io.lodestar.operators.reward.compose;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.ScoredGeneration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * The last scoring step: combines every component a generation collected (upstream, verifiers,
 * models, judges) into its reward with one {@link RewardComposition}, and counts the outcome.
 * A gated record counts as scored and as gated.
 */
public class CombineRewardsFunction extends RichMapFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  private final RewardComposition composition;
  private transient Counter scored;
  private transient Counter unscored;
  private transient Counter gated;

  public CombineRewardsFunction(RewardComposition composition) {
    this.composition = composition;
  }

  @Override
  public void open(OpenContext openContext) {
    scored = getRuntimeContext().getMetricGroup().counter(MetricNames.SCORED);
    unscored = getRuntimeContext().getMetricGroup().counter(MetricNames.UNSCORED);
    gated = getRuntimeContext().getMetricGroup().counter(MetricNames.REWARDS_GATED);
  }

  @Override
  public ScoredGeneration map(ScoredGeneration input) {
    RewardComposition.Composed composed = composition.compose(input);
    switch (composed.outcome()) {
      case UNSCORED -> unscored.inc();
      case GATED -> {
        gated.inc();
        scored.inc();
      }
      case SCORED -> scored.inc();
    }
    return composed.applyTo(input);
  }
}
