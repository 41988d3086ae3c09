package io.lodestar.operators.reward.model;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewards a response by its meaning's closeness to the task's reference answer ({@code
 * task.groundTruth}): the cosine of their sentence embeddings, in [-1, 1]. A generation without a
 * reference answer is UNSCORABLE.
 */
public final class EmbeddingSimilarityScorer implements ComponentScorer {

  private static final long serialVersionUID = 1L;

  private final EmbeddingSettings settings;
  private transient RefCounted.Lease<LoadedModel> lease;
  private transient EmbeddingModel model;

  public EmbeddingSimilarityScorer(EmbeddingSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open() {
    lease = SharedModels.acquire(settings.folder(), settings.device());
    model = EmbeddingModel.over(lease.get());
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
    List<String> texts = new ArrayList<>(2 * batch.size());
    for (Generation g : batch) {
      String reference = g.getTask().getGroundTruth();
      if (reference != null && !reference.isBlank()) {
        texts.add(g.getResponse());
        texts.add(reference);
      }
    }
    float[][] vectors = model.embed(texts);
    List<RewardComponent> out = new ArrayList<>(batch.size());
    int next = 0;
    for (Generation g : batch) {
      String reference = g.getTask().getGroundTruth();
      if (reference == null || reference.isBlank()) {
        out.add(
            ModelComponents.unscorable(settings.componentName(), version(), "no reference answer"));
      } else {
        double cosine = Vectors.cosine(vectors[next], vectors[next + 1]);
        next += 2;
        out.add(ModelComponents.ok(settings.componentName(), version(), cosine, "cosine"));
      }
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
