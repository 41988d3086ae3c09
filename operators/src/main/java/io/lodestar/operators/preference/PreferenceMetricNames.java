package io.lodestar.operators.preference;

/**
 * Metric names of the feedback join and the preference examples. The names are what dashboards and
 * alerts query (see {@code k8s/grafana}); keep them as they are.
 */
public final class PreferenceMetricNames {
  public static final String PAIRS = "lodestarPairs";
  public static final String UNPAIRED_EXAMPLES = "lodestarUnpairedExamples";

  /** Feedback (or groups) that yielded no training example; label {@code reason}. */
  public static final String FEEDBACK_WITHOUT_EXAMPLE = "lodestarFeedbackWithoutExample";

  public static final String UNMATCHED_FEEDBACK = "lodestarUnmatchedFeedback";

  private PreferenceMetricNames() {}
}
