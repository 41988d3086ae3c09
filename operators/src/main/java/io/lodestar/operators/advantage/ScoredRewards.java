package io.lodestar.operators.advantage;

/**
 * The scored rewards of one group and the positions they came from. Every estimator works on
 * these only; unscored members are put back with advantage 0 at the end.
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

  double sum() {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum;
  }

  /** Requires at least one scored reward. */
  double mean() {
    return sum() / values.length;
  }

  /** Requires more than {@code ddof} scored rewards. */
  double std(int ddof) {
    double mean = mean();
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return Math.sqrt(squares / (values.length - ddof));
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
