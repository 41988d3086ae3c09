package io.lodestar.operators.advantage;

import java.util.Map;

/**
 * Group-relative advantages, GRPO with verl's arithmetic: {@code A_i = (r_i - mean) / (std + eps)}
 * with the unbiased (Bessel-corrected) standard deviation and {@code eps = 1e-6}; a group with a
 * single scored member uses mean 0 and std 1, so it keeps its raw reward (divided by {@code 1 +
 * eps}).
 *
 * <p>Unscored members (null or non-finite reward) are left out of mean and std and get advantage 0:
 * an unknown reward must neither push nor pull the policy.
 */
public final class GroupAdvantages {

  public static final String ESTIMATOR_GRPO = "grpo";
  public static final double VERL_EPS = 1e-6;

  private GroupAdvantages() {}

  /** Advantages and the statistics they were computed from. */
  public record Result(double[] advantages, int scoredCount, Double mean, Double std) {}

  /**
   * @param rewards one per member, null where the member could not be scored
   */
  public static Result grpo(Double[] rewards, double eps) {
    // Same statistics as Advantages (pairwise sums, mean within the values' range), so that
    // equal rewards give exactly 0 and both entry points agree bit for bit.
    ScoredRewards scored = ScoredRewards.of(rewards);
    int n = scored.count();
    double[] advantages = new double[rewards.length];
    if (n == 0) {
      return new Result(advantages, 0, null, null);
    }
    double mean = scored.mean();
    Double std = null;
    double centre = 0;
    double scale = 1;
    if (n > 1) {
      std = scored.std(1);
      centre = mean;
      scale = std;
    }
    for (int i = 0; i < rewards.length; i++) {
      advantages[i] = isScored(rewards[i]) ? (rewards[i] - centre) / (scale + eps) : 0.0;
    }
    return new Result(advantages, n, mean, std);
  }

  /** What a trainer needs to know to reproduce the numbers. */
  public static Map<String, String> grpoParams(double eps) {
    return Map.of(
        "eps", Double.toString(eps),
        "std", "unbiased",
        "singleton", "mean=0,std=1",
        "unscored", "excluded,advantage=0",
        "compat", "verl");
  }

  public static boolean isScored(Double reward) {
    return reward != null && Double.isFinite(reward);
  }
}
