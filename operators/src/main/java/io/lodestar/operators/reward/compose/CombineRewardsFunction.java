package io.lodestar.operators.reward.compose;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * The last scoring step: combines every component a generation collected (upstream, verifiers,
 * models, judges) into its reward with one {@link RewardComposition}, and counts the outcome. A
 * gated record counts as scored and as gated. Every component that did not score OK is counted
 * under its name, timeouts also on their own, so a dashboard sees which verifier, model or judge
 * fails.
 */
public class CombineRewardsFunction extends RichMapFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  private final RewardComposition composition;
  private transient Counter scored;
  private transient Counter unscored;
  private transient Counter gated;
  private transient Map<String, Counter> unscoredByComponent;
  private transient Map<String, Counter> timeoutsByComponent;

  public CombineRewardsFunction(RewardComposition composition) {
    this.composition = composition;
  }

  @Override
  public void open(OpenContext openContext) {
    scored = getRuntimeContext().getMetricGroup().counter(RewardMetricNames.SCORED);
    unscored = getRuntimeContext().getMetricGroup().counter(RewardMetricNames.UNSCORED);
    gated = getRuntimeContext().getMetricGroup().counter(RewardMetricNames.REWARDS_GATED);
    unscoredByComponent = new HashMap<>();
    timeoutsByComponent = new HashMap<>();
  }

  @Override
  public ScoredGeneration map(ScoredGeneration input) {
    RewardComposition.Composed composed = composition.compose(input);
    for (RewardComponent c : composed.inputs()) {
      if (c.getStatus() != RewardStatus.OK) {
        counter(unscoredByComponent, RewardMetricNames.COMPONENT_UNSCORED, c.getName()).inc();
        if (c.getStatus() == RewardStatus.TIMEOUT) {
          counter(timeoutsByComponent, RewardMetricNames.COMPONENT_TIMEOUTS, c.getName()).inc();
        }
      }
    }
    switch (composed.outcome()) {
      case UNSCORED -> unscored.inc();
      case GATED -> {
        gated.inc();
        scored.inc();
      }
      case SCORED -> scored.inc();
      default -> throw new IllegalStateException("unknown outcome " + composed.outcome());
    }
    return composed.applyTo(input);
  }

  /** The counter {@code metric} labelled with the component's name, registered on first use. */
  private Counter counter(Map<String, Counter> byName, String metric, String component) {
    return byName.computeIfAbsent(
        component,
        name -> getRuntimeContext().getMetricGroup().addGroup("component", name).counter(metric));
  }
}
