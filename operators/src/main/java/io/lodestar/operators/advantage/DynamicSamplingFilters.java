package io.lodestar.operators.advantage;

/**
 * DAPO-style dynamic sampling: which groups are worth training on. Pure predicates over a group's
 * rewards; only scored rewards count, and a group with none is dropped by every filter.
 */
public final class DynamicSamplingFilters {

  /** OpenRLHF's default {@code --algo.dynamic_filtering_range}. */
  public static final double OPENRLHF_DEFAULT_LOW = 0.0;

  public static final double OPENRLHF_DEFAULT_HIGH = 1.0;

  private DynamicSamplingFilters() {}

  /**
   * verl (DAPO recipe, {@code filter_groups}): keep a group whose rewards are not all equal
   * (population std > 0), and always keep a group of one.
   */
  public static boolean verlKeeps(Double[] rewards) {
    ScoredRewards s = ScoredRewards.of(rewards);
    if (s.count() == 0) {
      return false; // np.std of nothing is NaN and NaN > 0 is false
    }
    return s.count() == 1 || s.std(0) > 0;
  }

  /** OpenRLHF with its default range: keep when the mean reward lies strictly inside (0, 1). */
  public static boolean openRlhfKeeps(Double[] rewards) {
    return openRlhfKeeps(rewards, OPENRLHF_DEFAULT_LOW, OPENRLHF_DEFAULT_HIGH);
  }

  /**
   * OpenRLHF: keep when {@code low < mean < high}; for 0/1 rewards this drops all-right and
   * all-wrong.
   */
  public static boolean openRlhfKeeps(Double[] rewards, double low, double high) {
    ScoredRewards s = ScoredRewards.of(rewards);
    if (s.count() == 0) {
      return false;
    }
    double mean = s.mean();
    return low < mean && mean < high;
  }

  /**
   * OpenRLHF's later {@code should_keep_group}: the range test, and also drop a group whose
   * population std is at or below {@code stdThreshold}, which catches equal continuous rewards.
   */
  public static boolean openRlhfKeeps(
      Double[] rewards, double low, double high, double stdThreshold) {
    if (!openRlhfKeeps(rewards, low, high)) {
      return false;
    }
    return ScoredRewards.of(rewards).std(0) > stdThreshold;
  }
}
