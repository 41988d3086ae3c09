package io.lodestar.operators.advantage;

/**
 * Sums, means and squared deviations such that equal values give exactly their value as mean and
 * exactly 0 as deviation. A naive running sum does not: eight rewards of 0.1 add up to
 * 0.7999999999999999, whose mean 0.09999999999999999 leaves every member a deviation of 1.4e-17,
 * which an all-equal filter reads as spread and a tiny eps turns into a visible advantage.
 *
 * <p>Sums use numpy's pairwise order (eight running partial sums per block of up to 128 values,
 * halves above that), so a reward list gives numpy's {@code np.sum}, {@code np.mean} and {@code
 * np.std} to the last bit. On top of that every mean is clamped into the range of the values it
 * averages, which it lies in exactly: for equal values the mean is then the value itself, whatever
 * the rounding of the sum (numpy itself misses that for some long runs).
 */
final class Moments {

  /** numpy's {@code PW_BLOCKSIZE}: at or below it a block is summed with eight accumulators. */
  private static final int BLOCK = 128;

  private Moments() {}

  /** Sum of {@code values[from, to)} in numpy's pairwise order. */
  static double sum(double[] values, int from, int to) {
    int n = to - from;
    if (n < 8) {
      double s = 0.0;
      for (int i = from; i < to; i++) {
        s += values[i];
      }
      return s;
    }
    if (n <= BLOCK) {
      double[] partial = new double[8];
      System.arraycopy(values, from, partial, 0, 8);
      int i = from + 8;
      int blocked = to - n % 8;
      for (; i < blocked; i += 8) {
        for (int j = 0; j < 8; j++) {
          partial[j] += values[i + j];
        }
      }
      double s =
          ((partial[0] + partial[1]) + (partial[2] + partial[3]))
              + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
      for (; i < to; i++) {
        s += values[i];
      }
      return s;
    }
    int half = n / 2;
    half -= half % 8;
    return sum(values, from, from + half) + sum(values, from + half, to);
  }

  static double sum(double[] values) {
    return sum(values, 0, values.length);
  }

  /** Mean of at least one value. */
  static double mean(double[] values) {
    return withinRange(sum(values) / values.length, values);
  }

  /** {@code estimate} moved into [min, max] of {@code values}, where every mean of them lies. */
  static double withinRange(double estimate, double[] values) {
    double min = values[0];
    double max = values[0];
    for (double v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return Math.min(Math.max(estimate, min), max);
  }

  /** {@code Σ (v - mean)²}, pairwise. */
  static double squaredDeviations(double[] values, double mean) {
    double[] squares = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      double d = values[i] - mean;
      squares[i] = d * d;
    }
    return sum(squares);
  }

  /** Standard deviation with {@code ddof}; requires more than {@code ddof} values. */
  static double std(double[] values, int ddof) {
    return Math.sqrt(squaredDeviations(values, mean(values)) / (values.length - ddof));
  }
}
