package io.lodestar.operators.reward.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.lodestar.operators.reward.model.LoadedModel.Tensor;
import io.lodestar.operators.reward.model.LoadedModel.TokenBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A learned reward model: a sequence classifier with one output logit, scoring (prompt, response)
 * pairs in batches. Holds one predictor, so one instance serves one thread; the underlying {@link
 * LoadedModel} may be shared (see {@link SharedModels}).
 */
public final class RewardModel implements AutoCloseable {

  private final LoadedModel model;
  private final boolean ownsModel;
  private final ChatTemplate template;
  private final Normalisation normalisation;
  private final Predictor<TokenBatch, Tensor> predictor;

  private RewardModel(
      LoadedModel model, boolean ownsModel, ChatTemplate template, Normalisation normalisation) {
    this.model = model;
    this.ownsModel = ownsModel;
    this.template = template;
    this.normalisation = normalisation;
    this.predictor = model.newPredictor();
  }

  /** Loads the model in {@code folder}; closing the reward model closes the model. */
  public static RewardModel load(
      Path folder, DeviceSpec device, ChatTemplate template, Normalisation normalisation) {
    LoadedModel model = LoadedModel.load(folder, device);
    try {
      return new RewardModel(model, true, template, normalisation);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** A scorer over a model someone else owns (and closes). */
  public static RewardModel over(
      LoadedModel shared, ChatTemplate template, Normalisation normalisation) {
    return new RewardModel(shared, false, template, normalisation);
  }

  /** Normalised scores, one per input, in input order. */
  public float[] score(List<RewardInput> inputs) throws TranslateException {
    ScoredBatch batch = scoreBatch(inputs);
    float[] out = new float[batch.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) batch.scores()[i];
    }
    return out;
  }

  /** Scores with what the component detail needs: raw logits, token counts and truncation flags. */
  public ScoredBatch scoreBatch(List<RewardInput> inputs) throws TranslateException {
    int n = inputs.size();
    if (n == 0) {
      return new ScoredBatch(new double[0], new double[0], new int[0], new boolean[0]);
    }
    List<String> first = new ArrayList<>(n);
    List<String> second = new ArrayList<>(n);
    for (RewardInput input : inputs) {
      first.add(template.first(input.prompt(), input.response()));
      second.add(template.second(input.response()));
    }
    Encoding[] encodings =
        template.paired() ? model.encodePairs(first, second) : model.encode(first);
    Tensor logits = predictor.predict(TokenBatch.of(encodings));
    if (logits.values().length != n) {
      throw new TranslateException(
          "expected one logit per input ("
              + n
              + "), the model gave shape "
              + Arrays.toString(logits.shape()));
    }
    double[] raw = new double[n];
    double[] scores = new double[n];
    int[] tokens = new int[n];
    boolean[] truncated = new boolean[n];
    for (int i = 0; i < n; i++) {
      raw[i] = logits.values()[i];
      scores[i] = normalisation.apply(raw[i]);
      tokens[i] = encodings[i].getIds().length;
      truncated[i] = encodings[i].exceedMaxLength();
    }
    return new ScoredBatch(raw, scores, tokens, truncated);
  }

  public LoadedModel model() {
    return model;
  }

  /** The version a reward component carries, e.g. {@code tiny-reward/1@3fa2c1d09e7b}. */
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

  /** Per input: raw logit, normalised score, token count and whether the text was truncated. */
  public record ScoredBatch(double[] raw, double[] scores, int[] tokens, boolean[] truncated) {
    public int size() {
      return scores.length;
    }

    /**
     * Short machine-readable detail for a component, e.g. {@code
     * raw=1.25;tokens=37;truncated=false}.
     */
    public String detail(int i) {
      return String.format(
          Locale.ROOT, "raw=%.4f;tokens=%d;truncated=%b", raw[i], tokens[i], truncated[i]);
    }
  }
}
