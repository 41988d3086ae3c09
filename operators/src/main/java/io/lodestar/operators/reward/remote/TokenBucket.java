package io.lodestar.operators.reward.remote;

import java.util.function.LongSupplier;

/**
 * A pair of token buckets (requests and tokens per minute) shared by all calls of one subtask. A
 * bucket holds at most one minute of budget and starts full; it refills continuously.
 *
 * <p>Calls reserve in arrival order: a reservation may drive a bucket below zero, and the caller
 * then waits the time the refill needs to pay the debt back. So waiting calls are served first
 * come, first served, and one call larger than a minute's budget still goes through (it waits
 * longer). Pure and clock-driven, so tests run it on a fake clock.
 */
public final class TokenBucket {

  private static final double NANOS_PER_MINUTE = 60e9;

  private final Bucket requests;
  private final Bucket tokens;
  private final LongSupplier nanoClock;

  public TokenBucket(RateBudget budget, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    long now = nanoClock.getAsLong();
    this.requests =
        budget.requestsPerMinute() > 0 ? new Bucket(budget.requestsPerMinute(), now) : null;
    this.tokens = budget.tokensPerMinute() > 0 ? new Bucket(budget.tokensPerMinute(), now) : null;
  }

  /**
   * Reserves one request of {@code estimatedTokens}, unless the wait would exceed {@code
   * maxWaitNanos} (then nothing is reserved and -1 is returned). Returns the nanoseconds the caller
   * must wait.
   */
  public synchronized long reserve(long estimatedTokens, long maxWaitNanos) {
    long now = nanoClock.getAsLong();
    long cost = Math.max(0, estimatedTokens);
    long wait = 0;
    if (requests != null) {
      wait = Math.max(wait, requests.waitFor(1, now));
    }
    if (tokens != null) {
      wait = Math.max(wait, tokens.waitFor(cost, now));
    }
    if (wait > maxWaitNanos) {
      return -1;
    }
    if (requests != null) {
      requests.take(1);
    }
    if (tokens != null) {
      tokens.take(cost);
    }
    return wait;
  }

  /** One bucket; its level may go negative (debt owed by calls already waiting). */
  private static final class Bucket {
    private final double capacity;
    private final double perNano;
    private double level;
    private long updatedAt;

    Bucket(long perMinute, long now) {
      this.capacity = perMinute;
      this.perNano = perMinute / NANOS_PER_MINUTE;
      this.level = perMinute;
      this.updatedAt = now;
    }

    /** Refills up to now, then the wait until {@code cost} would be covered. */
    long waitFor(long cost, long now) {
      if (now > updatedAt) {
        level = Math.min(capacity, level + (now - updatedAt) * perNano);
        updatedAt = now;
      }
      double after = level - cost;
      return after >= 0 ? 0 : (long) Math.ceil(-after / perNano);
    }

    void take(long cost) {
      level -= cost;
    }
  }
}
