package io.lodestar.operators.health;

/**
 * The event-time span during which one gating rule held one policy version in one scope: from the
 * start of the streak that fired it to the start of the window that cleared it (open while firing).
 * A Flink POJO kept in keyed state.
 */
public class HoldInterval {

  public static final long OPEN = Long.MAX_VALUE;

  /**
   * What opened it and alone may close it: rule, scope, data source and version ({@link
   * GateHolds#holdOf}); null in state written before it was kept.
   */
  public String hold;

  public long policyVersion;
  public long fromMs;
  public long untilMs = OPEN;

  public HoldInterval() {}

  public boolean open() {
    return untilMs == OPEN;
  }

  /**
   * Whether a record of versions {@code minVersion..maxVersion} made at {@code eventTimeMs} falls
   * in it.
   */
  public boolean covers(long minVersion, long maxVersion, long eventTimeMs) {
    return holdsAVersionOf(minVersion, maxVersion)
        && fromMs <= eventTimeMs
        && eventTimeMs < untilMs;
  }

  /** Whether its version is one of {@code minVersion..maxVersion}. */
  public boolean holdsAVersionOf(long minVersion, long maxVersion) {
    return minVersion <= policyVersion && policyVersion <= maxVersion;
  }
}
