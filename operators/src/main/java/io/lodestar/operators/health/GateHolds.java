package io.lodestar.operators.health;

import io.lodestar.schema.Alert;

/**
 * The gate's decisions, over the hold intervals of one model; pure, no Flink types.
 *
 * <p>A hold belongs to one policy version and is named by the rule, scope and data source whose
 * FIRING alert opened it; only a CLEARED alert with that same name closes it. A version is held
 * while any of its holds is open, so with several gating rules firing for it, its records wait
 * until every one has cleared.
 */
public final class GateHolds {

  private GateHolds() {}

  /** What happens to a record. */
  public enum Verdict {
    /** No hold concerns it: it goes on. */
    PASS,
    /** An open hold of one of its versions concerns it: it waits in the gate. */
    HOLD,
    /**
     * Only holds that have cleared concern it: released or discarded as {@code gate.on-clear} says.
     */
    CLEARED
  }

  /** The name of the hold an alert opens or closes: rule, scope, data source and policy version. */
  public static String holdOf(Alert alert) {
    return alert.getRuleId()
        + "|"
        + alert.getScope()
        + "|"
        + alert.getDataSource()
        + "|"
        + alert.getPolicyVersion();
  }

  /**
   * Whether {@code interval} is the hold named {@code hold}. An interval from before holds were
   * named is recognised by its state key, which began with rule, data source and version.
   */
  public static boolean isHold(HoldInterval interval, String stateKey, Alert alert) {
    if (interval.hold != null) {
      return interval.hold.equals(holdOf(alert));
    }
    return interval.policyVersion == alert.getPolicyVersion()
        && stateKey.startsWith(
            alert.getRuleId() + "|" + alert.getDataSource() + "|" + alert.getPolicyVersion() + "|");
  }

  /**
   * A record seen for the first time: held when an open hold of one of its versions covers its
   * event time; CLEARED when only holds that have closed cover it; PASS otherwise (made before the
   * streak began, or after the window that cleared it).
   */
  public static Verdict arriving(
      Iterable<HoldInterval> intervals, long minVersion, long maxVersion, long eventTimeMs) {
    Verdict verdict = Verdict.PASS;
    for (HoldInterval interval : intervals) {
      if (interval.covers(minVersion, maxVersion, eventTimeMs)) {
        if (interval.open()) {
          return Verdict.HOLD;
        }
        verdict = Verdict.CLEARED;
      }
    }
    return verdict;
  }

  /**
   * A record already held: it stays while any hold of one of its versions is open, whatever span
   * that hold covers; once none is, CLEARED if a closed hold covers it, PASS (healthy, made after
   * the window that cleared its hold) otherwise.
   */
  public static Verdict held(
      Iterable<HoldInterval> intervals, long minVersion, long maxVersion, long eventTimeMs) {
    Verdict verdict = Verdict.PASS;
    for (HoldInterval interval : intervals) {
      if (!interval.holdsAVersionOf(minVersion, maxVersion)) {
        continue;
      }
      if (interval.open()) {
        return Verdict.HOLD;
      }
      if (interval.covers(minVersion, maxVersion, eventTimeMs)) {
        verdict = Verdict.CLEARED;
      }
    }
    return verdict;
  }

  /** Whether any hold is still open. */
  public static boolean anyOpen(Iterable<HoldInterval> intervals) {
    for (HoldInterval interval : intervals) {
      if (interval.open()) {
        return true;
      }
    }
    return false;
  }
}
