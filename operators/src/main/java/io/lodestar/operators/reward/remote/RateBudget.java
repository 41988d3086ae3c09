package io.lodestar.operators.reward.remote;

import java.io.Serializable;
import java.time.Duration;

/**
 * How much one subtask may ask of an endpoint: requests and tokens per minute (0 = no limit), and
 * how long one call may wait for budget before it gives up as TIMEOUT (detail {@code rate-budget}).
 * A call that waits keeps its slot in the async operator's capacity, so an exhausted budget slows
 * the stream (backpressure) instead of dropping records.
 */
public record RateBudget(int requestsPerMinute, long tokensPerMinute, Duration maxWait)
    implements Serializable {

  public static RateBudget unlimited() {
    return new RateBudget(0, 0, Duration.ofMinutes(5));
  }

  public boolean limited() {
    return requestsPerMinute > 0 || tokensPerMinute > 0;
  }

  void validate(String prefix) {
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException(
          prefix
              + ".rate-budget.requests-per-minute must be >= 0 (0 = no limit), got "
              + requestsPerMinute);
    }
    if (tokensPerMinute < 0) {
      throw new IllegalArgumentException(
          prefix
              + ".rate-budget.tokens-per-minute must be >= 0 (0 = no limit), got "
              + tokensPerMinute);
    }
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException(
          prefix + ".rate-budget.max-wait must be >= 0, got " + maxWait);
    }
  }
}
