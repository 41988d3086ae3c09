package io.lodestar.operators.reward.model;

/**
 * Metric names of the in-process reward and embedding models. The names are what dashboards and
 * alerts query (see {@code k8s/grafana}); keep them as they are.
 */
public final class ModelMetricNames {
  /** Histogram: records per model call (reward and embedding models). */
  public static final String MODEL_BATCH_SIZE = "lodestarModelBatchSize";

  /** Histogram: milliseconds per model call, tokenisation included. */
  public static final String MODEL_LATENCY_MS = "lodestarModelLatencyMs";

  /** Records whose model call failed; each got an ERROR component. */
  public static final String MODEL_ERRORS = "lodestarModelErrors";

  private ModelMetricNames() {}
}
