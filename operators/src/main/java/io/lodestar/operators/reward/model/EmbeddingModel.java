package io.lodestar.operators.reward.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.lodestar.operators.reward.model.LoadedModel.Tensor;
import io.lodestar.operators.reward.model.LoadedModel.TokenBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A sentence-embedding model (e.g. MiniLM): token states mean-pooled over the attention mask and
 * L2-normalised, in plain Java. One instance holds one predictor and serves one thread.
 */
public final class EmbeddingModel implements AutoCloseable {

  private final LoadedModel model;
  private final boolean ownsModel;
  private final Predictor<TokenBatch, Tensor> predictor;

  private EmbeddingModel(LoadedModel model, boolean ownsModel) {
    this.model = model;
    this.ownsModel = ownsModel;
    this.predictor = model.newPredictor();
  }

  public static EmbeddingModel load(Path folder, DeviceSpec device) {
    LoadedModel model = LoadedModel.load(folder, device);
    try {
      return new EmbeddingModel(model, true);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public static EmbeddingModel over(LoadedModel shared) {
    return new EmbeddingModel(shared, false);
  }

  /** Unit-length embeddings, one per text, in input order. */
  public float[][] embed(List<String> texts) throws TranslateException {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    Encoding[] encodings = model.encode(texts);
    TokenBatch batch = TokenBatch.of(encodings);
    Tensor states = predictor.predict(batch);
    long[] shape = states.shape();
    if (shape.length != 3 || shape[0] != texts.size() || shape[1] != batch.length()) {
      throw new TranslateException(
          "expected token states ["
              + texts.size()
              + ", "
              + batch.length()
              + ", hidden], got "
              + Arrays.toString(shape));
    }
    return Vectors.meanPool(states.values(), batch.attentionMask(), (int) shape[2]);
  }

  public LoadedModel model() {
    return model;
  }

  public String version() {
    return model.version();
  }

  @Override
  public void close() {
    try {
      predictor.close();
    } finally {
      if (ownsModel) {
        model.close();
      }
    }
  }
}
