package io.lodestar.operators.dedup;

/**
 * Metric names of de-duplication. The names are what dashboards and alerts query (see {@code
 * k8s/grafana}); keep them as they are.
 */
public final class DedupMetricNames {
  public static final String DUPLICATES = "lodestarDuplicates";

  private DedupMetricNames() {}
}
