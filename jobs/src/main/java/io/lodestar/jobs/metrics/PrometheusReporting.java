package io.lodestar.jobs.metrics;

import org.apache.flink.configuration.Configuration;

/**
 * Exposes a local Flink's metrics (Lodestar's included) on a Prometheus scrape endpoint. On a
 * cluster the same keys go into the Flink configuration instead (see {@code k8s/}).
 */
public final class PrometheusReporting {

  /** Reporter name used in configuration keys: {@code metrics.reporter.prom.*}. */
  public static final String REPORTER = "prom";

  static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

  private PrometheusReporting() {}

  /**
   * Sets the reporter keys on {@code conf}; {@code ports} is a port or a range such as {@code
   * 9249-9259}.
   */
  public static Configuration enable(Configuration conf, String ports) {
    conf.setString("metrics.reporter." + REPORTER + ".factory.class", FACTORY);
    conf.setString("metrics.reporter." + REPORTER + ".port", ports);
    return conf;
  }

  /** The scrape address of a reporter bound to {@code port} on this host. */
  public static String endpoint(int port) {
    return "http://127.0.0.1:" + port + "/metrics";
  }
}
