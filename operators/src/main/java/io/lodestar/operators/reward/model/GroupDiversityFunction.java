package io.lodestar.operators.reward.model;

import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets each group's {@code diversity}: the mean pairwise cosine distance of its responses'
 * embeddings ({@link Vectors#meanPairwiseCosineDistance}). A group is one model call (in chunks of
 * the batch size); a failed call leaves diversity null and is counted.
 */
public class GroupDiversityFunction extends RichMapFunction<RLGroup, RLGroup> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GroupDiversityFunction.class);

  private final EmbeddingSettings settings;
  private transient RefCounted.Lease<LoadedModel> lease;
  private transient EmbeddingModel model;
  private transient Counter errors;

  public GroupDiversityFunction(EmbeddingSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    errors = getRuntimeContext().getMetricGroup().counter(ModelMetricNames.MODEL_ERRORS);
    lease = SharedModels.acquire(settings.folder(), settings.device());
    model = EmbeddingModel.over(lease.get());
  }

  @Override
  public RLGroup map(RLGroup group) {
    List<String> responses = new ArrayList<>(group.getSamples().size());
    for (RLSample sample : group.getSamples()) {
      responses.add(sample.getResponse());
    }
    Double diversity;
    try {
      diversity = diversity(model, responses, settings.batchSize());
    } catch (Exception e) {
      errors.inc();
      LOG.warn("embedding model failed on group {}: {}", group.getGroupId(), e.toString());
      diversity = null;
    }
    return RLGroup.newBuilder(group).setDiversity(diversity).build();
  }

  /** The diversity of {@code responses}, embedding at most {@code batchSize} texts per call. */
  public static Double diversity(EmbeddingModel model, List<String> responses, int batchSize)
      throws Exception {
    if (responses.size() < 2) {
      return null;
    }
    List<float[]> vectors = new ArrayList<>(responses.size());
    for (int from = 0; from < responses.size(); from += batchSize) {
      float[][] chunk =
          model.embed(responses.subList(from, Math.min(responses.size(), from + batchSize)));
      vectors.addAll(Arrays.asList(chunk));
    }
    return Vectors.meanPairwiseCosineDistance(vectors);
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
