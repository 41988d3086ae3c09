package io.lodestar.operators.advantage;

import java.io.Serializable;

/**
 * A per-prompt baseline for production traffic, where a prompt gets one response at a time and no
 * group exists: an exponentially weighted mean and variance of the rewards seen so far. Immutable
 * and serializable, so it can live in keyed state; {@link #update} returns the next state.
 *
 * <p>{@code alpha} is the weight of the newest reward. After the first reward the state is {@code
 * mean = r, variance = 0}; then, with {@code d = r - mean}: {@code mean += alpha * d} and {@code
 * variance = (1 - alpha) * (variance + alpha * d * d)}.
 *
 * <p>{@link #advantage} folds the reward into the statistics before comparing, as GRPO includes
 * each member in its own group's mean and std. That keeps it bounded, {@code |A| <= sqrt((1 -
 * alpha) / alpha)}, even after a run of identical rewards, and gives the first reward of a prompt
 * advantage 0. Unscored rewards neither move the state nor get an advantage other than 0.
 */
public record RunningBaseline(double alpha, double eps, long count, double mean, double variance)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public RunningBaseline {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must lie in (0, 1), got " + alpha);
    }
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
    }
    if (count < 0 || !Double.isFinite(mean) || !(variance >= 0) || Double.isInfinite(variance)) {
      throw new IllegalArgumentException(
          "invalid state: count=" + count + ", mean=" + mean + ", variance=" + variance);
    }
  }

  /** No reward seen yet, with Lodestar's eps. */
  public static RunningBaseline start(double alpha) {
    return start(alpha, AdvantageSpec.LODESTAR_EPS);
  }

  public static RunningBaseline start(double alpha, double eps) {
    return new RunningBaseline(alpha, eps, 0, 0.0, 0.0);
  }

  /** The state after seeing {@code reward}; this state when it is unscored. */
  public RunningBaseline update(Double reward) {
    if (!GroupAdvantages.isScored(reward)) {
      return this;
    }
    if (count == 0) {
      return new RunningBaseline(alpha, eps, 1, reward, 0.0);
    }
    double deviation = reward - mean;
    double step = alpha * deviation;
    return new RunningBaseline(
        alpha, eps, count + 1, mean + step, (1 - alpha) * (variance + deviation * step));
  }

  /** {@code (r - mean') / (std' + eps)} with the statistics after {@code update(reward)}. */
  public double advantage(Double reward) {
    if (!GroupAdvantages.isScored(reward)) {
      return 0.0;
    }
    RunningBaseline next = update(reward);
    return (reward - next.mean) / (next.std() + eps);
  }

  public double std() {
    return Math.sqrt(variance);
  }
}
