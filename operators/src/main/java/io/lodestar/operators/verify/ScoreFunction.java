package io.lodestar.operators.verify;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/** Scores each generation with the verifiers its task metadata selects (see {@link VerifierRegistry}). */
public class ScoreFunction extends RichMapFunction<Generation, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  private final VerifierRegistry verifiers;

  public ScoreFunction() {
    this(VerifierRegistry.defaults());
  }

  public ScoreFunction(VerifierRegistry verifiers) {
    this.verifiers = verifiers;
  }
  private transient Counter scored;
  private transient Counter unscored;

  @Override
  public void open(OpenContext openContext) {
    scored = getRuntimeContext().getMetricGroup().counter(MetricNames.SCORED);
    unscored = getRuntimeContext().getMetricGroup().counter(MetricNames.UNSCORED);
  }

  @Override
  public ScoredGeneration map(Generation g) {
    List<RewardComponent> components = verifiers.score(g);
    Double reward = Rewards.combine(components);
    (reward == null ? unscored : scored).inc();
    return ScoredGeneration.newBuilder()
        .setGeneration(g)
        .setComponents(components)
        .setReward(reward)
        .setRewardVersion(Rewards.version(components))
        .setScoredAtMs(System.currentTimeMillis())
        .build();
  }
}
