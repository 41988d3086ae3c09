package io.lodestar.jobs;

import io.lodestar.jobs.config.LodestarOptions;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The Flink settings every Lodestar job runs with. */
public final class PipelineEnvironment {

  private PipelineEnvironment() {}

  /**
   * Streaming settings: RocksDB state (with Bloom filters unless {@code state.bloom-filter} is
   * false), exactly-once checkpoints kept when the job is cancelled or fails for good (the newest
   * {@code checkpoint.retained}), restarts, no generic (Kryo) types, object reuse, and no generated
   * operator uids (an operator without a stable uid fails the build of the job graph instead of
   * silently losing its state on the next upgrade). Flink's config.yaml from {@code FLINK_CONF_DIR}
   * is the base, and {@code -D} overrides and the restore path win ({@link
   * io.lodestar.jobs.config.FlinkOverrides}).
   */
  public static Configuration streaming(LodestarOptions options) {
    Configuration conf = common(options);
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    // Most state lookups miss (every new generation id, group and join key); with a checkpoint each
    // few seconds RocksDB holds many small files, and a filter spares a miss reading each of them.
    conf.set(
        RocksDBConfigurableOptions.USE_BLOOM_FILTER,
        options.get(LodestarOptions.STATE_BLOOM_FILTER));
    // No function keeps a reference to a record after returning (RocksDB state copies on write), so
    // chained operators can hand records over without a defensive deep copy. Only with RocksDB:
    // in-memory state would keep references to reused objects.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.get(LodestarOptions.CHECKPOINT_DIR));
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    // A job killed, cancelled or failed for good can resume from its newest checkpoint
    // (docs/recovery.md); without retention Flink deletes them when the job ends.
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.set(
        CheckpointingOptions.MAX_RETAINED_CHECKPOINTS,
        options.get(LodestarOptions.CHECKPOINT_RETAINED));
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, options.restartAttempts());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, options.restartDelay());
    conf.addAll(options.flink().overrides());
    return conf;
  }

  /**
   * Bounded settings for backfills over files: the streaming runtime, not Flink's BATCH mode, so a
   * bounded run has the streaming job's semantics. BATCH mode processes each key's records before
   * any of its timers and then fires them all at the final watermark, dropping every timer
   * registered while they fire: group timeouts, late members, batch waits and feedback waits would
   * all mean something else there. The same state backend and object reuse as the streaming job; no
   * checkpoints and no restarts (a failed run is started again from its files, and the file sinks
   * commit once, at the end of input).
   */
  public static Configuration bounded(LodestarOptions options) {
    Configuration conf = common(options);
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
    if (options.flink().restorePath().isPresent()) {
      throw new IllegalArgumentException(
          StateRecoveryOptions.SAVEPOINT_PATH.key()
              + " applies to the streaming job only: a bounded run starts from its files");
    }
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(
        RocksDBConfigurableOptions.USE_BLOOM_FILTER,
        options.get(LodestarOptions.STATE_BLOOM_FILTER));
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    conf.addAll(options.flink().overrides());
    return conf;
  }

  private static Configuration common(LodestarOptions options) {
    Configuration conf = options.flink().base();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    conf.set(CoreOptions.DEFAULT_PARALLELISM, options.get(LodestarOptions.PARALLELISM));
    return conf;
  }

  /**
   * An environment (local, cluster or test, whichever is in context) with {@code conf} applied; a
   * local one binds to loopback only ({@link LocalBinding}).
   */
  public static StreamExecutionEnvironment create(Configuration conf) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.configure(
        LocalBinding.forEnvironment(env, conf), PipelineEnvironment.class.getClassLoader());
    return env;
  }
}
