package io.lodestar.operators.health;

/**
 * The event-time span during which a gating rule held for one policy version: from the start of
 * the streak that fired it to the start of the window that cleared it (open while firing). A Flink
 * POJO kept in keyed state.
 */
public class HoldInterval {

  public static final long OPEN = Long.MAX_VALUE;

  public long policyVersion;
  public long fromMs;
  public long untilMs = OPEN;

  public HoldInterval() {}

  public boolean open() {
    return untilMs == OPEN;
  }

  public boolean covers(long minVersion, long maxVersion, long eventTimeMs) {
    return minVersion <= policyVersion
        && policyVersion <= maxVersion
        && fromMs <= eventTimeMs
        && eventTimeMs < untilMs;
  }
}
