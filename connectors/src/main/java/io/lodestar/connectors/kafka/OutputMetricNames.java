package io.lodestar.connectors.kafka;

/**
 * Metric names of the size-checked Kafka outputs. The names are what dashboards and alerts query
 * (see {@code k8s/grafana}); keep them as they are.
 */
public final class OutputMetricNames {
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

  private OutputMetricNames() {}
}
