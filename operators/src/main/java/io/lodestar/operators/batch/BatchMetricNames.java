package io.lodestar.operators.batch;

/**
 * Metric names of the batch step. The names are what dashboards and alerts query (see {@code
 * k8s/grafana}); keep them as they are.
 */
public final class BatchMetricNames {
  public static final String BATCHES = "lodestarBatches";
  public static final String GROUPS_STALE = "lodestarGroupsStale";
  public static final String BATCH_GROUPS_REFUSED = "lodestarBatchGroupsRefused";
  public static final String POLICY_UPDATES = "lodestarPolicyUpdates";

  private BatchMetricNames() {}
}
