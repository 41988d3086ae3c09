package io.lodestar.jobs.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Checkpoints, state, parallelism, restarts and the checks made before the job is submitted. */
public final class RuntimeOptions {

  private RuntimeOptions() {}

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("checkpoint.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Checkpoint interval; outputs become visible to read_committed readers on each checkpoint.");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOptions.key("checkpoint.dir")
          .stringType()
          .defaultValue("file:///tmp/lodestar/checkpoints")
          .withDescription("Durable checkpoint storage (file://, s3://, ...).");
  public static final ConfigOption<Integer> CHECKPOINT_RETAINED =
      ConfigOptions.key("checkpoint.retained")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Completed checkpoints kept; they are kept when the job is cancelled or fails for good, "
                  + "so it can resume from the newest (docs/recovery.md). Sets Flink's execution.checkpointing.num-retained.");
  public static final ConfigOption<Boolean> STATE_BLOOM_FILTER =
      ConfigOptions.key("state.bloom-filter")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Bloom filters in RocksDB's files, so a lookup of a key that is not there (a new generation id, "
                  + "group or join key: most lookups) skips their data blocks. Sets Flink's state.backend.rocksdb.use-bloom-filter.");
  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("parallelism")
          .intType()
          .defaultValue(1)
          .withDescription("Default operator parallelism.");
  public static final ConfigOption<Integer> RESTART_ATTEMPTS =
      ConfigOptions.key("restart.attempts")
          .intType()
          .defaultValue(10)
          .withDescription("Restarts after a failure before the job gives up (fixed delay).");
  public static final ConfigOption<Duration> RESTART_DELAY =
      ConfigOptions.key("restart.delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("Delay between restarts.");

  public static final ConfigOption<Boolean> STARTUP_CHECKS =
      ConfigOptions.key("startup.checks")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Before the streaming job is submitted: the brokers answer, every topic it reads or writes exists, "
                  + "and the checkpoint directory (and export.dir) can be written. false: only options are checked "
                  + "(for a client that cannot reach the brokers or the storage the cluster uses).");
  public static final ConfigOption<Duration> STARTUP_CHECK_TIMEOUT =
      ConfigOptions.key("startup.check-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("How long the start-up checks wait for the brokers before failing.");

  static void validate(Configuration config) {
    OptionChecks.requireAtLeastOne(config, PARALLELISM);
    OptionChecks.requireAtLeastOne(config, CHECKPOINT_RETAINED);
    if (config.get(RESTART_ATTEMPTS) < 0) {
      throw new IllegalArgumentException(RESTART_ATTEMPTS.key() + " must not be negative");
    }
    OptionChecks.requirePositive(config, CHECKPOINT_INTERVAL);
    OptionChecks.requirePositive(config, STARTUP_CHECK_TIMEOUT);
  }
}
