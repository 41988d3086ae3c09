package io.lodestar.connectors;

/**
 * Metric names of the parse step (every input's first operator). The names are what dashboards and
 * alerts query (see {@code k8s/grafana}); keep them as they are.
 */
public final class ParseMetricNames {
  public static final String RECORDS_PARSED = "lodestarRecordsParsed";
  public static final String DEAD_LETTERS = "lodestarDeadLetters";

  private ParseMetricNames() {}
}
