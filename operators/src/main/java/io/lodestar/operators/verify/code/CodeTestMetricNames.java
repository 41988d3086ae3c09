package io.lodestar.operators.verify.code;

/**
 * Metric names of the code-test verifier. The names are what dashboards and alerts query (see
 * {@code k8s/grafana}); keep them as they are.
 */
public final class CodeTestMetricNames {
  public static final String VERIFIER_TIMEOUTS = "lodestarVerifierTimeouts";

  private CodeTestMetricNames() {}
}
