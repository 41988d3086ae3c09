package io.lodestar.operators.advantage;

/**
 * The scored rewards of one group and the positions they came from. Every estimator works on these
 * only; unscored members are put back with advantage 0 at the end.
 */
final class ScoredRewards {

  private final int memberCount;
  private final int[] positions;
  private final double[] values;

  private ScoredRewards(int memberCount, int[] positions, double[] values) {
    this.memberCount = memberCount;
    this.positions = positions;
    this.values = values;
  }

  static ScoredRewards of(Double[] rewards) {
    int n = 0;
    for (Double r : rewards) {
      if (GroupAdvantages.isScored(r)) {
        n++;
      }
    }
    int[] positions = new int[n];
    double[] values = new double[n];
    int k = 0;
    for (int i = 0; i < rewards.length; i++) {
      if (GroupAdvantages.isScored(rewards[i])) {
        positions[k] = i;
        values[k] = rewards[i];
        k++;
      }
    }
    return new ScoredRewards(rewards.length, positions, values);
  }

  int memberCount() {
    return memberCount;
  }

  int count() {
    return values.length;
  }

  double value(int k) {
    return values[k];
  }

  /** Sum of the scored rewards in numpy's pairwise order (see {@link Moments}). */
  double sum() {
    return Moments.sum(values);
  }

  /** Requires at least one scored reward; exactly the value when all scored rewards are equal. */
  double mean() {
    return Moments.mean(values);
  }

  /** Requires more than {@code ddof} scored rewards; exactly 0 when they are all equal. */
  double std(int ddof) {
    return Moments.std(values, ddof);
  }

  /** The scored rewards, in scored order; a copy. */
  double[] values() {
    return values.clone();
  }

  /**
   * Leave-one-out baselines: for each scored member the mean of the other scored rewards, {@code
   * (sum - r_k) / (n - 1)}, moved into the range of those others, so that a member whose others are
   * all equal gets exactly their value. Requires two or more scored rewards.
   */
  double[] meansOfOthers() {
    int n = values.length;
    // The two smallest and two largest, as a multiset: the others' range without member k.
    double min = Double.POSITIVE_INFINITY;
    double secondMin = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double secondMax = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (v < min) {
        secondMin = min;
        min = v;
      } else if (v < secondMin) {
        secondMin = v;
      }
      if (v > max) {
        secondMax = max;
        max = v;
      } else if (v > secondMax) {
        secondMax = v;
      }
    }
    double sum = sum();
    double[] baselines = new double[n];
    for (int k = 0; k < n; k++) {
      double low = values[k] == min ? secondMin : min;
      double high = values[k] == max ? secondMax : max;
      double estimate = (sum - values[k]) / (n - 1);
      baselines[k] = Math.min(Math.max(estimate, low), high);
    }
    return baselines;
  }

  /** The entries of a per-member array at the scored positions, in scored order. */
  double[] atScoredPositions(int[] perMember) {
    double[] out = new double[positions.length];
    for (int k = 0; k < positions.length; k++) {
      out[k] = perMember[positions[k]];
    }
    return out;
  }

  /** Spreads per-scored-member advantages back over all members; unscored members get 0. */
  double[] toMemberAdvantages(double[] scoredAdvantages) {
    double[] advantages = new double[memberCount];
    for (int k = 0; k < positions.length; k++) {
      advantages[positions[k]] = scoredAdvantages[k];
    }
    return advantages;
  }
}
