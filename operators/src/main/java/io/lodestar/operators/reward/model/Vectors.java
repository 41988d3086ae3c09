package io.lodestar.operators.reward.model;

import java.util.List;

/** Pooling and similarity on embeddings, in plain Java (DJL's ONNX engine lacks these ops). */
public final class Vectors {

  private Vectors() {}

  /**
   * Averages token states {@code [batch, length, hidden]} (row-major) over the positions whose
   * attention mask is 1, then scales each row to unit length.
   */
  public static float[][] meanPool(float[] states, long[][] attentionMask, int hidden) {
    int batch = attentionMask.length;
    int length = batch == 0 ? 0 : attentionMask[0].length;
    float[][] out = new float[batch][hidden];
    for (int b = 0; b < batch; b++) {
      double[] sum = new double[hidden];
      int count = 0;
      for (int t = 0; t < length; t++) {
        if (attentionMask[b][t] == 0) {
          continue;
        }
        count++;
        int base = (b * length + t) * hidden;
        for (int h = 0; h < hidden; h++) {
          sum[h] += states[base + h];
        }
      }
      for (int h = 0; h < hidden; h++) {
        out[b][h] = count == 0 ? 0f : (float) (sum[h] / count);
      }
      normalise(out[b]);
    }
    return out;
  }

  /** Scales {@code v} in place to unit L2 length; a zero vector stays zero. */
  public static void normalise(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    if (norm > 1e-12) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] / norm);
      }
    }
  }

  /** Cosine similarity in [-1, 1]; 0 when either vector is zero. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors differ in length: " + a.length + " vs " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    if (na < 1e-24 || nb < 1e-24) {
      return 0;
    }
    return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
  }

  /**
   * Group diversity: the mean cosine distance (1 - cosine) over all unordered pairs of the group's
   * response embeddings, in [0, 2]; null for fewer than two responses.
   */
  public static Double meanPairwiseCosineDistance(List<float[]> embeddings) {
    int n = embeddings.size();
    if (n < 2) {
      return null;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        sum += 1 - cosine(embeddings.get(i), embeddings.get(j));
      }
    }
    return sum / (n * (n - 1) / 2.0);
  }
}
