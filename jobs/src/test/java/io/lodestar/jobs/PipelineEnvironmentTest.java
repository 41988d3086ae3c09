package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.config.LodestarOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineEnvironmentTest {

  @Test
  void streamingJobsKeepStateInRocksDbWithBloomFilters() {
    Configuration conf = PipelineEnvironment.streaming(LodestarOptions.fromArgs(new String[0]));

    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
  }

  @Test
  void bloomFiltersCanBeTurnedOff() {
    Configuration conf =
        PipelineEnvironment.streaming(
            LodestarOptions.fromArgs(new String[] {"--state.bloom-filter", "false"}));

    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isFalse();
  }

  @Test
  void aValueThatIsNotABooleanNamesTheKey() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--state.bloom-filter", "sometimes"}))
        .hasMessageContaining("state.bloom-filter")
        .hasMessageContaining("sometimes");
  }

  @Test
  void checkpointsAreKeptWhenTheJobIsCancelledOrFailsForGood() {
    Configuration conf = PipelineEnvironment.streaming(LodestarOptions.fromArgs(new String[0]));

    assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    assertThat(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(3);
    assertThat(
            PipelineEnvironment.streaming(
                    LodestarOptions.fromArgs(new String[] {"--checkpoint.retained", "5"}))
                .get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS))
        .isEqualTo(5);
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--checkpoint.retained", "0"}))
        .hasMessageContaining("checkpoint.retained must be at least 1");
  }

  @Test
  void theRestorePathReachesTheSubmittedJob(@TempDir Path dir) throws Exception {
    Path checkpoint = Files.createDirectories(dir.resolve("job").resolve("chk-7"));
    Files.write(checkpoint.resolve("_metadata"), new byte[] {1});
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--execution.state-recovery.path",
              checkpoint.toString(),
              "--execution.state-recovery.ignore-unclaimed-state",
              "true"
            });

    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    env.fromData(1, 2, 3).uid("numbers").sinkTo(new DiscardingSink<>()).uid("discard");

    SavepointRestoreSettings restore = env.getStreamGraph().getSavepointRestoreSettings();
    assertThat(restore.restoreSavepoint()).isTrue();
    assertThat(restore.getRestorePath()).isEqualTo(checkpoint.toString());
    assertThat(restore.allowNonRestoredState()).isTrue();
  }

  @Test
  void flinkSettingsGivenWithDashDWinOverLodestarsOwn() {
    Configuration conf =
        PipelineEnvironment.streaming(
            LodestarOptions.fromArgs(
                new String[] {
                  "--checkpoint.interval", "10 s", "-D", "execution.checkpointing.interval=3 s"
                }));

    assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aBoundedRunUsesTheStreamingRuntimeAndStateOfTheStreamingJobWithoutCheckpointsOrRestarts() {
    Configuration conf = PipelineEnvironment.bounded(LodestarOptions.fromArgs(new String[0]));

    // Flink's BATCH mode drops timers registered while timers fire, and fires a key's only at the
    // end.
    assertThat(conf.get(ExecutionOptions.RUNTIME_MODE)).isEqualTo(RuntimeExecutionMode.STREAMING);
    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEmpty();
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("none");
  }

  @Test
  void aBoundedRunRefusesARestorePathNamingTheKey(@TempDir Path dir) throws Exception {
    Path checkpoint = Files.createDirectories(dir.resolve("chk-1"));
    Files.write(checkpoint.resolve("_metadata"), new byte[] {1});
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"--execution.state-recovery.path", checkpoint.toString()});

    assertThatThrownBy(() -> PipelineEnvironment.bounded(options))
        .hasMessageContaining(StateRecoveryOptions.SAVEPOINT_PATH.key());
  }
}
