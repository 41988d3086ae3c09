package io.lodestar.connectors;

/** Every metric name Lodestar reports, in one place so dashboards and code agree. */
public final class MetricNames {
  public static final String RECORDS_PARSED = "lodestarRecordsParsed";
  public static final String DEAD_LETTERS = "lodestarDeadLetters";
  public static final String DUPLICATES = "lodestarDuplicates";
  public static final String SCORED = "lodestarScored";
  public static final String UNSCORED = "lodestarUnscored";
  public static final String VERIFIER_TIMEOUTS = "lodestarVerifierTimeouts";
  public static final String GROUPS_COMPLETED = "lodestarGroupsCompleted";
  public static final String GROUPS_TIMED_OUT = "lodestarGroupsTimedOut";
  public static final String GROUPS_FILTERED = "lodestarGroupsFiltered";
  public static final String GROUPS_STALE = "lodestarGroupsStale";
  public static final String LATE_MEMBERS = "lodestarLateGroupMembers";
  public static final String OPEN_GROUPS = "lodestarOpenGroups";
  public static final String BATCHES = "lodestarBatches";
  public static final String PAIRS = "lodestarPairs";
  public static final String VOTES_WITHOUT_PAIR = "lodestarVotesWithoutPair";
  public static final String UNMATCHED_FEEDBACK = "lodestarUnmatchedFeedback";
  public static final String BATCH_GROUPS_REFUSED = "lodestarBatchGroupsRefused";
  public static final String POLICY_UPDATES = "lodestarPolicyUpdates";

  private MetricNames() {}
}
