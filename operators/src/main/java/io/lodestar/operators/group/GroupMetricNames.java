package io.lodestar.operators.group;

/**
 * Metric names of the group and consent steps. The names are what dashboards and alerts query (see
 * {@code k8s/grafana}); keep them as they are.
 */
public final class GroupMetricNames {
  public static final String GROUPS_COMPLETED = "lodestarGroupsCompleted";
  public static final String GROUPS_TIMED_OUT = "lodestarGroupsTimedOut";
  public static final String GROUPS_FILTERED = "lodestarGroupsFiltered";

  /** Groups kept out of RL batches because a member's user did not consent to training. */
  public static final String GROUPS_WITHOUT_CONSENT = "lodestarGroupsWithoutConsent";

  public static final String LATE_MEMBERS = "lodestarLateGroupMembers";

  /**
   * Members dead-lettered because they disagree with their group's first member on prompt, model or
   * size.
   */
  public static final String INCONSISTENT_MEMBERS = "lodestarInconsistentGroupMembers";

  public static final String OPEN_GROUPS = "lodestarOpenGroups";

  /** Groups the majority vote gave a pseudo-label. */
  public static final String MAJORITY_VOTE_LABELLED = "lodestarMajorityVoteLabelled";

  /** Groups voted on without a clear majority (a tie, too small a share, or no answers). */
  public static final String MAJORITY_VOTE_UNDECIDED = "lodestarMajorityVoteUndecided";

  /** Votes that ran out of equivalence checks (majority.max-comparisons) before the end. */
  public static final String MAJORITY_VOTE_CAPPED = "lodestarMajorityVoteCapped";

  private GroupMetricNames() {}
}
