package io.lodestar.connectors;

/** Every metric name Lodestar reports, in one place so dashboards and code agree. */
public final class MetricNames {
  public static final String RECORDS_PARSED = "lodestarRecordsParsed";
  public static final String DEAD_LETTERS = "lodestarDeadLetters";
  public static final String DUPLICATES = "lodestarDuplicates";

  /**
   * Output records that would not fit their topic's limits and went to dead letters instead; label
   * {@code output}.
   */
  public static final String OUTPUTS_TOO_LARGE = "lodestarOutputsTooLarge";

  /** Dead letters cut down (payload first) to fit the dead-letter topic's limits. */
  public static final String DEAD_LETTERS_TRUNCATED = "lodestarDeadLettersTruncated";

  /**
   * Dead letters that could not be cut down to fit at all (only with absurdly small limits) and
   * were dropped.
   */
  public static final String DEAD_LETTERS_DROPPED = "lodestarDeadLettersDropped";

  public static final String SCORED = "lodestarScored";
  public static final String UNSCORED = "lodestarUnscored";

  /**
   * Components that did not score OK, labelled {@code component}: which verifier, model or judge
   * fails.
   */
  public static final String COMPONENT_UNSCORED = "lodestarComponentUnscored";

  /** Components that timed out, labelled {@code component}. */
  public static final String COMPONENT_TIMEOUTS = "lodestarComponentTimeouts";

  public static final String VERIFIER_TIMEOUTS = "lodestarVerifierTimeouts";
  public static final String GROUPS_COMPLETED = "lodestarGroupsCompleted";
  public static final String GROUPS_TIMED_OUT = "lodestarGroupsTimedOut";
  public static final String GROUPS_FILTERED = "lodestarGroupsFiltered";
  public static final String GROUPS_STALE = "lodestarGroupsStale";

  /** Groups the majority vote gave a pseudo-label. */
  public static final String MAJORITY_VOTE_LABELLED = "lodestarMajorityVoteLabelled";

  /** Groups voted on without a clear majority (a tie, too small a share, or no answers). */
  public static final String MAJORITY_VOTE_UNDECIDED = "lodestarMajorityVoteUndecided";

  /** Votes that ran out of equivalence checks (majority.max-comparisons) before the end. */
  public static final String MAJORITY_VOTE_CAPPED = "lodestarMajorityVoteCapped";

  /** Groups kept out of RL batches because a member's user did not consent to training. */
  public static final String GROUPS_WITHOUT_CONSENT = "lodestarGroupsWithoutConsent";

  public static final String LATE_MEMBERS = "lodestarLateGroupMembers";

  /**
   * Members dead-lettered because they disagree with their group's first member on prompt, model or
   * size.
   */
  public static final String INCONSISTENT_MEMBERS = "lodestarInconsistentGroupMembers";

  public static final String OPEN_GROUPS = "lodestarOpenGroups";
  public static final String BATCHES = "lodestarBatches";
  public static final String PAIRS = "lodestarPairs";
  public static final String UNPAIRED_EXAMPLES = "lodestarUnpairedExamples";

  /** Feedback (or groups) that yielded no training example; label {@code reason}. */
  public static final String FEEDBACK_WITHOUT_EXAMPLE = "lodestarFeedbackWithoutExample";

  public static final String UNMATCHED_FEEDBACK = "lodestarUnmatchedFeedback";

  /** Records whose reward a failed gate set to the gate's penalty (also counted as scored). */
  public static final String REWARDS_GATED = "lodestarRewardsGated";

  /** Histogram: records per model call (reward and embedding models). */
  public static final String MODEL_BATCH_SIZE = "lodestarModelBatchSize";

  /** Histogram: milliseconds per model call, tokenisation included. */
  public static final String MODEL_LATENCY_MS = "lodestarModelLatencyMs";

  /** Records whose model call failed; each got an ERROR component. */
  public static final String MODEL_ERRORS = "lodestarModelErrors";

  /**
   * Remote reward models and judges; errors carry a {@code kind} label (e.g. http-5xx,
   * judge-format).
   */
  public static final String REMOTE_REQUESTS = "lodestarRemoteRequests";

  public static final String REMOTE_RETRIES = "lodestarRemoteRetries";
  public static final String REMOTE_TIMEOUTS = "lodestarRemoteTimeouts";
  public static final String REMOTE_ERRORS = "lodestarRemoteErrors";
  public static final String REMOTE_LATENCY_MS = "lodestarRemoteLatencyMs";
  public static final String REMOTE_RATE_LIMIT_WAITS = "lodestarRemoteRateLimitWaits";
  public static final String REMOTE_DEAD_LETTERED = "lodestarRemoteDeadLettered";
  public static final String JUDGE_GUARD_HITS = "lodestarJudgeGuardHits";

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
  public static final String BATCH_GROUPS_REFUSED = "lodestarBatchGroupsRefused";
  public static final String POLICY_UPDATES = "lodestarPolicyUpdates";

  private MetricNames() {}
}
