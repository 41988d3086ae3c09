package io.lodestar.operators.verify.math;

import java.io.Serializable;

/**
 * A per-answer allowance of wall time and work steps. Parsing and comparison call {@link #tick()}
 * in every loop and recursion, so a pathological input ends with {@link Exceeded} instead of
 * hanging. One instance per verification; not shared between threads.
 */
final class Budget {

  /** The monotonic clock a budget reads; tests pass one that they move themselves. */
  interface NanoClock extends Serializable {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
  }

  /** Thrown when the allowance is spent; callers turn it into an UNSCORABLE result. */
  static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exceeded(String what) {
      super(what, null, false, false);
    }
  }

  private final NanoClock clock;
  private final long deadlineNanos;
  private long stepsLeft;

  Budget(long timeoutMillis, long maxSteps, NanoClock clock) {
    this.clock = clock;
    this.deadlineNanos = clock.nanoTime() + timeoutMillis * 1_000_000L;
    this.stepsLeft = maxSteps;
  }

  long stepsLeft() {
    return stepsLeft;
  }

  /**
   * Spends {@code steps} at once, as that many {@link #tick}s would, for work whose result was
   * kept.
   */
  void charge(long steps) {
    stepsLeft -= steps;
    if (stepsLeft < 0) {
      throw new Exceeded("step budget exceeded");
    }
    if (clock.nanoTime() > deadlineNanos) {
      throw new Exceeded("time budget exceeded");
    }
  }

  void tick() {
    // Reading the clock costs ~20 ns; checking it every 64 steps keeps the overhead negligible.
    if (--stepsLeft < 0) {
      throw new Exceeded("step budget exceeded");
    }
    if ((stepsLeft & 63) == 0 && clock.nanoTime() > deadlineNanos) {
      throw new Exceeded("time budget exceeded");
    }
  }
}
