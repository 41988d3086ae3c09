package io.lodestar.operators.health;

import java.util.Arrays;

/**
 * A mergeable quantile sketch with bounded relative error (the DDSketch bucketing): a value x is
 * counted in bucket {@code ceil(log_gamma |x|)} with {@code gamma = (1 + a) / (1 - a)}, so every
 * bucket's representative is within {@code a} (1 %) of each value in it. Values closer to zero than
 * {@link #MIN_MAGNITUDE} share one zero bucket.
 *
 * <p>Why this and not t-digest or a reservoir: merging adds bucket counts, so the result does not
 * depend on the order of events or of merges (late events and re-merged windows give identical
 * quantiles, and replays are reproducible); a reservoir loses the tail a p90 needs and a t-digest's
 * centroids depend on insertion order. The state is two primitive arrays per sign, which Flink
 * serializes as a POJO without Kryo, and its size is bounded by the value range, not the count: at
 * most about 2,100 buckets per sign between 1e-6 and 1e12 (rewards and lengths use a few dozen).
 */
public class QuantileSketch {

  public static final double RELATIVE_ACCURACY = 0.01;
  public static final double MIN_MAGNITUDE = 1e-6;
  private static final double MAX_MAGNITUDE = 1e12;
  private static final double GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
  private static final double LOG_GAMMA = Math.log(GAMMA);

  /** Sorted bucket indices of positive values and their counts. */
  public int[] positiveIndex = new int[0];

  public long[] positiveCount = new long[0];

  /** Sorted bucket indices of the magnitudes of negative values and their counts. */
  public int[] negativeIndex = new int[0];

  public long[] negativeCount = new long[0];
  public long zeroCount;
  public long count;

  public QuantileSketch() {}

  public void add(double x) {
    if (!Double.isFinite(x)) {
      return;
    }
    count++;
    double magnitude = Math.abs(x);
    if (magnitude < MIN_MAGNITUDE) {
      zeroCount++;
    } else if (x > 0) {
      addTo(true, index(magnitude), 1);
    } else {
      addTo(false, index(magnitude), 1);
    }
  }

  public void merge(QuantileSketch other) {
    for (int i = 0; i < other.positiveIndex.length; i++) {
      addTo(true, other.positiveIndex[i], other.positiveCount[i]);
    }
    for (int i = 0; i < other.negativeIndex.length; i++) {
      addTo(false, other.negativeIndex[i], other.negativeCount[i]);
    }
    zeroCount += other.zeroCount;
    count += other.count;
  }

  /**
   * The value of rank {@code floor(q * (count - 1))} (0-based, ascending), within 1 % relative
   * error; NaN when empty.
   */
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.floor(Math.max(0, Math.min(1, q)) * (count - 1));
    long seen = 0;
    // Negative values ascend as their magnitude descends.
    for (int i = negativeIndex.length - 1; i >= 0; i--) {
      seen += negativeCount[i];
      if (seen > rank) {
        return -value(negativeIndex[i]);
      }
    }
    seen += zeroCount;
    if (seen > rank) {
      return 0.0;
    }
    for (int i = 0; i < positiveIndex.length; i++) {
      seen += positiveCount[i];
      if (seen > rank) {
        return value(positiveIndex[i]);
      }
    }
    return value(positiveIndex[positiveIndex.length - 1]);
  }

  private static int index(double magnitude) {
    return (int) Math.ceil(Math.log(Math.min(magnitude, MAX_MAGNITUDE)) / LOG_GAMMA);
  }

  /** The representative of a bucket: equidistant in relative terms from both of its bounds. */
  private static double value(int index) {
    return 2 * Math.pow(GAMMA, index) / (GAMMA + 1);
  }

  private void addTo(boolean positive, int index, long n) {
    int[] indices = positive ? positiveIndex : negativeIndex;
    long[] counts = positive ? positiveCount : negativeCount;
    int at = Arrays.binarySearch(indices, index);
    if (at >= 0) {
      counts[at] += n;
      return;
    }
    int insert = -at - 1;
    int[] newIndices = new int[indices.length + 1];
    long[] newCounts = new long[counts.length + 1];
    System.arraycopy(indices, 0, newIndices, 0, insert);
    System.arraycopy(counts, 0, newCounts, 0, insert);
    newIndices[insert] = index;
    newCounts[insert] = n;
    System.arraycopy(indices, insert, newIndices, insert + 1, indices.length - insert);
    System.arraycopy(counts, insert, newCounts, insert + 1, counts.length - insert);
    if (positive) {
      positiveIndex = newIndices;
      positiveCount = newCounts;
    } else {
      negativeIndex = newIndices;
      negativeCount = newCounts;
    }
  }
}
