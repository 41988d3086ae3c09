package io.lodestar.operators.health;

/**
 * Metric names of the health windows, alarms and gate. The names are what dashboards and alerts
 * query (see {@code k8s/grafana}); keep them as they are.
 */
public final class HealthMetricNames {
  public static final String HEALTH_WINDOWS = "lodestarHealthWindows";
  public static final String HEALTH_LATE_UPDATES = "lodestarHealthLateUpdates";
  public static final String HEALTH_LATE_DROPPED = "lodestarHealthLateDropped";

  /** Gauges: the value in the health window this subtask emitted last (NaN when undefined). */
  public static final String HEALTH_REWARD_MEAN = "lodestarHealthRewardMean";

  public static final String HEALTH_VERIFIER_PASS_RATE = "lodestarHealthVerifierPassRate";
  public static final String HEALTH_FORMAT_FAILURE_RATE = "lodestarHealthFormatFailureRate";
  public static final String HEALTH_FORMAT_REWARD_MEAN = "lodestarHealthFormatRewardMean";
  public static final String HEALTH_UNSCORED_RATE = "lodestarHealthUnscoredRate";
  public static final String HEALTH_TIMEOUT_RATE = "lodestarHealthTimeoutRate";
  public static final String HEALTH_ZERO_VARIANCE_FRACTION = "lodestarHealthZeroVarianceFraction";
  public static final String HEALTH_LENGTH_REWARD_CORRELATION =
      "lodestarHealthLengthRewardCorrelation";
  public static final String HEALTH_RESPONSE_LENGTH_P90 = "lodestarHealthResponseLengthP90";
  public static final String HEALTH_VERIFIER_MODEL_DISAGREEMENT =
      "lodestarHealthVerifierModelDisagreement";
  public static final String HEALTH_JUDGE_VERIFIER_DISAGREEMENT =
      "lodestarHealthJudgeVerifierDisagreement";
  public static final String HEALTH_HUMAN_MODEL_AGREEMENT = "lodestarHealthHumanModelAgreement";
  public static final String ALERTS_FIRED = "lodestarAlertsFired";
  public static final String ALERTS_CLEARED = "lodestarAlertsCleared";
  public static final String GATE_HELD = "lodestarGateHeld";
  public static final String GATE_RELEASED = "lodestarGateReleased";
  public static final String GATE_DISCARDED = "lodestarGateDiscarded";
  public static final String GATE_HELD_AT_END = "lodestarGateHeldAtEnd";

  private HealthMetricNames() {}
}
