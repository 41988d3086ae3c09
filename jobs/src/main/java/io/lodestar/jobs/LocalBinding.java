package io.lodestar.jobs;

import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Keeps a Flink that runs inside this JVM (a job started with {@code java}, the demo, the
 * benchmark) to this machine: its REST endpoint and web UI, blob server, RPC and data ports bind to
 * the loopback address, and the web UI cannot upload or run jars. Only where the configuration does
 * not say otherwise, and never for a job submitted to a cluster, whose own configuration rules
 * (README, "Exposure").
 */
public final class LocalBinding {

  public static final String LOOPBACK = "127.0.0.1";

  /**
   * The settings applied to a local run: {@code rest.bind-address}, {@code rest.address}, {@code
   * jobmanager.bind-host} (blob server, RPC), {@code taskmanager.bind-host} and {@code
   * taskmanager.host} (RPC, data exchange) on loopback; {@code web.submit.enable} off (no jar
   * upload or run handlers). The web UI's cancel button ({@code web.cancel.enable}) stays: only
   * this machine reaches it.
   */
  static final Map<ConfigOption<?>, Object> DEFAULTS =
      Map.of(
          RestOptions.BIND_ADDRESS, LOOPBACK,
          RestOptions.ADDRESS, LOOPBACK,
          JobManagerOptions.BIND_HOST, LOOPBACK,
          TaskManagerOptions.BIND_HOST, LOOPBACK,
          TaskManagerOptions.HOST, LOOPBACK,
          WebOptions.SUBMIT_ENABLE, false);

  private LocalBinding() {}

  /** A copy of {@code conf} with {@link #DEFAULTS} for every key it does not set. */
  public static Configuration loopbackOnly(Configuration conf) {
    Configuration bound = new Configuration(conf);
    DEFAULTS.forEach((option, value) -> setUnlessPresent(bound, conf, option, value));
    return bound;
  }

  /**
   * {@code conf} with {@link #DEFAULTS} where {@code env} runs its job in this JVM and neither it
   * nor {@code conf} sets the key; else {@code conf} unchanged.
   */
  static Configuration forEnvironment(StreamExecutionEnvironment env, Configuration conf) {
    if (!(env instanceof LocalStreamEnvironment)) {
      return conf;
    }
    Configuration bound = new Configuration(conf);
    ReadableConfig current = env.getConfiguration();
    DEFAULTS.forEach((option, value) -> setUnlessPresent(bound, current, option, value));
    return bound;
  }

  @SuppressWarnings("unchecked")
  private static <T> void setUnlessPresent(
      Configuration target, ReadableConfig given, ConfigOption<T> option, Object value) {
    if (given.getOptional(option).isEmpty() && target.getOptional(option).isEmpty()) {
      target.set(option, (T) value);
    }
  }
}
