package io.lodestar.operators.reward.model;

import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a model's reward component to each scored generation, calling the model in micro-batches
 * (see {@link MicroBatchOperator}), and recomputes the combined reward and its version. When the
 * model call fails, every record of that batch gets an ERROR component (no value) and is counted;
 * the job keeps running.
 */
public class ModelComponentOperator extends MicroBatchOperator<ScoredGeneration, ScoredGeneration> {

  private static final RewardComposition PROVISIONAL = RewardComposition.defaults();

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelComponentOperator.class);

  private final ComponentScorer scorer;
  private transient Counter errors;

  public ModelComponentOperator(ComponentScorer scorer, int batchSize, long maxWaitMs) {
    super(batchSize, maxWaitMs);
    this.scorer = scorer;
  }

  @Override
  protected void openBatching() throws Exception {
    errors = getMetricGroup().counter(ModelMetricNames.MODEL_ERRORS);
    scorer.open();
  }

  @Override
  protected List<ScoredGeneration> processBatch(List<ScoredGeneration> batch) {
    List<Generation> generations = new ArrayList<>(batch.size());
    for (ScoredGeneration s : batch) {
      generations.add(s.getGeneration());
    }
    List<RewardComponent> components;
    try {
      components = scorer.score(generations);
      if (components.size() != batch.size()) {
        throw new IllegalStateException(
            "the scorer gave "
                + components.size()
                + " components for "
                + batch.size()
                + " records");
      }
    } catch (Exception e) {
      errors.inc(batch.size());
      LOG.warn(
          "model {} failed on a batch of {} starting at generation {}: {}",
          scorer.componentName(),
          batch.size(),
          generations.get(0).getGenerationId(),
          e.toString());
      String reason = "model error: " + e.getClass().getSimpleName();
      components = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        components.add(ModelComponents.error(scorer.componentName(), scorer.version(), reason));
      }
    }
    List<ScoredGeneration> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(withComponent(batch.get(i), components.get(i)));
    }
    return out;
  }

  @Override
  protected void closeBatching() throws Exception {
    scorer.close();
  }

  static ScoredGeneration withComponent(ScoredGeneration scored, RewardComponent component) {
    List<RewardComponent> components = new ArrayList<>(scored.getComponents().size() + 1);
    components.addAll(scored.getComponents());
    components.add(component);
    return ScoredGeneration.newBuilder(scored)
        .setComponents(components)
        // Provisional reward under the default rule; the pipeline's combine step sets the final
        // one.
        .setReward(PROVISIONAL.compose(scored.getGeneration(), components).reward())
        .setRewardVersion(PROVISIONAL.compose(scored.getGeneration(), components).rewardVersion())
        .build();
  }
}
