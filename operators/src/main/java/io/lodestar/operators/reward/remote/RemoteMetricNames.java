package io.lodestar.operators.reward.remote;

/**
 * Metric names of the remote reward models and judges. The names are what dashboards and alerts
 * query (see {@code k8s/grafana}); keep them as they are.
 */
public final class RemoteMetricNames {
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

  private RemoteMetricNames() {}
}
