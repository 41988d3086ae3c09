package io.lodestar.operators.reward.remote;

/** What a response caught by the judge guard (a "master key") gets; the judge is not called. */
public enum GuardPolicy {
  /**
   * An OK component of value 0 with detail {@code judge-guard}: the policy learns such answers pay
   * nothing.
   */
  ZERO,
  /** An UNSCORABLE component (value null) with detail {@code judge-guard}. */
  UNSCORED
}
