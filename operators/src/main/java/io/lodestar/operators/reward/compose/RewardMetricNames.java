package io.lodestar.operators.reward.compose;

/**
 * Metric names of the combine-rewards step. The names are what dashboards and alerts query (see
 * {@code k8s/grafana}); keep them as they are.
 */
public final class RewardMetricNames {
  public static final String SCORED = "lodestarScored";
  public static final String UNSCORED = "lodestarUnscored";

  /**
   * Components that did not score OK, labelled {@code component}: which verifier, model or judge
   * fails.
   */
  public static final String COMPONENT_UNSCORED = "lodestarComponentUnscored";

  /** Components that timed out, labelled {@code component}. */
  public static final String COMPONENT_TIMEOUTS = "lodestarComponentTimeouts";

  /** Records whose reward a failed gate set to the gate's penalty (also counted as scored). */
  public static final String REWARDS_GATED = "lodestarRewardsGated";

  private RewardMetricNames() {}
}
