package io.lodestar.jobs;

import io.lodestar.connectors.kafka.BrokerCheck;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import io.lodestar.jobs.config.LodestarOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.UUID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the streaming job checks before it is submitted, so that a job that cannot work fails within
 * seconds, with the reason first in the message, instead of retrying, blocking on its first record
 * or restarting until it gives up:
 *
 * <ol>
 *   <li>the brokers at {@code kafka.bootstrap.servers} answer within {@code startup.check-timeout};
 *   <li>the sinks' transaction timeout fits the brokers' {@code transaction.max.timeout.ms};
 *   <li>every topic the job reads or writes exists;
 *   <li>the checkpoint directory, and {@code export.dir} when set, can be written (any file system
 *       scheme: a directory is made and a small file created and deleted in it).
 * </ol>
 *
 * With {@code startup.checks=false} only the transaction timeout is checked, against the brokers
 * when they answer, else against {@code sink.broker-transaction-max-timeout}.
 */
public final class StartupChecks {

  private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);

  /** A start-up check failed; the message starts with the option key and value at fault. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(String message) {
      super(message);
    }

    Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final String BOOTSTRAP_KEY = LodestarOptions.KAFKA_PREFIX + "bootstrap.servers";

  private StartupChecks() {}

  /**
   * Runs every check for the streaming job with {@code options}; {@code flink} is the configuration
   * the job is submitted with (its checkpoint directory is the one probed).
   */
  public static void run(LodestarOptions options, ReadableConfig flink) {
    KafkaSettings kafka = options.kafka();
    if (!options.get(LodestarOptions.STARTUP_CHECKS)) {
      LOG.warn(
          "{}=false: not checking the brokers, topics or checkpoint directory before the job starts",
          LodestarOptions.STARTUP_CHECKS.key());
      checkTransactionTimeout(options, kafka);
      return;
    }
    Duration timeout = options.get(LodestarOptions.STARTUP_CHECK_TIMEOUT);
    Map<String, String> topics = requiredTopics(options);
    try (BrokerCheck brokers = open(kafka, timeout)) {
      List<Node> nodes = nodes(brokers, kafka);
      Duration brokerMax =
          brokers
              .transactionMaxTimeout(nodes.get(0))
              .orElseGet(
                  () -> {
                    LOG.warn(
                        "Could not read {} from the brokers; using {}",
                        TransactionTimeouts.BROKER_MAX_KEY,
                        LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT.key());
                    return options.get(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT);
                  });
      options
          .transactionTimeoutProblem(brokerMax)
          .ifPresent(
              problem -> {
                throw new Failed(problem);
              });
      Map<String, String> unusable;
      try {
        unusable = brokers.unusableTopics(topics.values());
      } catch (BrokerCheck.Unreachable e) {
        throw unreachable(kafka, e);
      }
      missingTopicsProblem(topics, unusable, kafka)
          .ifPresent(
              problem -> {
                throw new Failed(problem);
              });
      LOG.info(
          "Start-up checks: {} broker(s) at {} answer, topics {} exist",
          nodes.size(),
          kafka.bootstrapServers(),
          topics.values());
    }
    writableDirectories(options, flink).forEach(StartupChecks::checkWritable);
  }

  /**
   * Fails when the sink transaction timeout does not fit the brokers' maximum (or, unasked, the
   * configured one).
   */
  public static void checkTransactionTimeout(LodestarOptions options, KafkaSettings kafka) {
    Duration brokerMax =
        TransactionTimeouts.brokerMaximum(kafka, options.get(LodestarOptions.STARTUP_CHECK_TIMEOUT))
            .orElse(options.get(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT));
    options
        .transactionTimeoutProblem(brokerMax)
        .ifPresent(
            problem -> {
              throw new Failed(problem);
            });
  }

  /**
   * Every topic the streaming job reads or writes, by its option key: the inputs, then the outputs;
   * optional ones (policy updates, filtered groups, health) only when the job uses them.
   */
  static Map<String, String> requiredTopics(LodestarOptions options) {
    Map<String, String> topics = new LinkedHashMap<>();
    put(topics, options, LodestarOptions.TOPIC_GENERATIONS);
    put(topics, options, LodestarOptions.TOPIC_FEEDBACK);
    put(topics, options, LodestarOptions.TOPIC_POLICY_UPDATES);
    put(topics, options, LodestarOptions.TOPIC_SCORED);
    put(topics, options, LodestarOptions.TOPIC_BATCHES);
    put(topics, options, LodestarOptions.TOPIC_PAIRS);
    put(topics, options, LodestarOptions.TOPIC_UNPAIRED);
    put(topics, options, LodestarOptions.TOPIC_DEAD_LETTERS);
    put(topics, options, LodestarOptions.TOPIC_FILTERED_GROUPS);
    if (options.get(LodestarOptions.HEALTH_ENABLED)) {
      put(topics, options, LodestarOptions.TOPIC_HEALTH_METRICS);
      put(topics, options, LodestarOptions.TOPIC_ALERTS);
    }
    return topics;
  }

  private static void put(
      Map<String, String> topics, LodestarOptions options, ConfigOption<String> option) {
    String topic = options.get(option).trim();
    if (!topic.isEmpty()) {
      topics.put(option.key(), topic);
    }
  }

  /** The message for topics the brokers lack, each with its key; empty when there are none. */
  static Optional<String> missingTopicsProblem(
      Map<String, String> required, Map<String, String> unusable, KafkaSettings kafka) {
    StringJoiner listed = new StringJoiner(", ");
    required.forEach(
        (key, topic) -> {
          String why = unusable.get(topic);
          if (why != null) {
            listed.add(
                key
                    + "="
                    + topic
                    + (why.equals(BrokerCheck.DOES_NOT_EXIST) ? "" : " (" + why + ")"));
          }
        });
    if (listed.length() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        "Kafka topics missing: "
            + listed
            + " (brokers "
            + BOOTSTRAP_KEY
            + "="
            + kafka.bootstrapServers()
            + "); create them, or point these keys at existing topics");
  }

  /**
   * The directories the job writes, by the key that names each: the checkpoint directory, then
   * export.dir.
   */
  static Map<String, String> writableDirectories(LodestarOptions options, ReadableConfig flink) {
    Map<String, String> dirs = new LinkedHashMap<>();
    String ours = options.get(LodestarOptions.CHECKPOINT_DIR);
    Optional<String> effective = flink.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    if (effective.isEmpty() || effective.get().equals(ours)) {
      dirs.put(LodestarOptions.CHECKPOINT_DIR.key(), ours);
    } else {
      // Flink's own key set it (a cluster's configuration, -D): name that key.
      dirs.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), effective.get());
    }
    String export = options.get(LodestarOptions.EXPORT_DIR);
    if (!export.isBlank()) {
      dirs.put(LodestarOptions.EXPORT_DIR.key(), export);
    }
    return dirs;
  }

  /**
   * Fails, naming {@code key} and {@code dir} first, unless the directory can be made and a file
   * created and deleted in it, through Flink's file systems (so any scheme the job could use).
   */
  static void checkWritable(String key, String dir) {
    Path path;
    try {
      path = new Path(dir);
    } catch (IllegalArgumentException e) {
      throw new Failed(key + "=" + dir + " is not a valid path or URI: " + e.getMessage(), e);
    }
    Path probe = new Path(path, ".lodestar-write-probe-" + UUID.randomUUID());
    boolean made;
    try {
      FileSystem fs = path.getFileSystem();
      made = fs.mkdirs(path);
      if (made) {
        try (FSDataOutputStream out = fs.create(probe, FileSystem.WriteMode.NO_OVERWRITE)) {
          out.write(0);
        }
        fs.delete(probe, false);
      }
    } catch (IOException | RuntimeException e) {
      throw new Failed(
          key
              + "="
              + dir
              + " is not writable: "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + " (checked by making the directory and writing a file in it)",
          e);
    }
    if (!made) {
      throw new Failed(key + "=" + dir + " is not writable: the directory cannot be created");
    }
  }

  private static BrokerCheck open(KafkaSettings kafka, Duration timeout) {
    try {
      return BrokerCheck.open(kafka, timeout);
    } catch (BrokerCheck.Unreachable e) {
      throw unreachable(kafka, e);
    }
  }

  private static List<Node> nodes(BrokerCheck brokers, KafkaSettings kafka) {
    try {
      return brokers.nodes();
    } catch (BrokerCheck.Unreachable e) {
      throw unreachable(kafka, e);
    }
  }

  private static Failed unreachable(KafkaSettings kafka, BrokerCheck.Unreachable e) {
    return new Failed(
        BOOTSTRAP_KEY
            + "="
            + kafka.bootstrapServers()
            + " is not reachable: "
            + e.getMessage()
            + (e.timedOut() ? " (" + LodestarOptions.STARTUP_CHECK_TIMEOUT.key() + ")" : "")
            + "; check the address, the port and the "
            + LodestarOptions.KAFKA_PREFIX
            + "security.* settings");
  }
}
