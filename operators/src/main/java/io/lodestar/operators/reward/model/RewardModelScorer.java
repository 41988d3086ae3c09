package io.lodestar.operators.reward.model;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A learned reward model as a {@link ComponentScorer}: the model is shared in the process, the
 * predictor is this subtask's.
 */
public final class RewardModelScorer implements ComponentScorer {

  private static final long serialVersionUID = 1L;

  private final RewardModelSettings settings;
  private transient RefCounted.Lease<LoadedModel> lease;
  private transient RewardModel model;

  public RewardModelScorer(RewardModelSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open() {
    lease = SharedModels.acquire(Path.of(settings.path()), settings.device());
    model = RewardModel.over(lease.get(), settings.template(), settings.normalisation());
  }

  @Override
  public String componentName() {
    return settings.componentName();
  }

  @Override
  public String version() {
    return model == null ? "unloaded" : model.version();
  }

  @Override
  public List<RewardComponent> score(List<Generation> batch) throws Exception {
    List<RewardInput> inputs = new ArrayList<>(batch.size());
    for (Generation g : batch) {
      inputs.add(new RewardInput(g.getPrompt(), g.getResponse()));
    }
    RewardModel.ScoredBatch scored = model.scoreBatch(inputs);
    List<RewardComponent> out = new ArrayList<>(batch.size());
    String version = model.version();
    for (int i = 0; i < batch.size(); i++) {
      double value = scored.scores()[i];
      out.add(
          Double.isFinite(value)
              ? ModelComponents.ok(settings.componentName(), version, value, scored.detail(i))
              : ModelComponents.error(
                  settings.componentName(), version, "model gave a non-finite score"));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    try {
      if (model != null) {
        model.close();
      }
    } finally {
      model = null;
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }
}
