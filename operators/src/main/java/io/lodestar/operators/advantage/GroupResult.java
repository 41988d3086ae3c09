package io.lodestar.operators.advantage;

/**
 * Advantages of one group, one per member in input order (0 for unscored members), with the
 * statistics of its scored rewards.
 *
 * @param mean mean of the scored rewards, null when none is scored
 * @param std standard deviation of the scored rewards with the mode's ddof, null when undefined
 *     (fewer than ddof + 1 scored); this is the group's own spread, reported even when the
 *     estimator divides by something else (a batch statistic, or nothing)
 */
public record GroupResult(
    double[] advantages, int scoredCount, int unscoredCount, Double mean, Double std) {}
