package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkOverridesTest {

  @TempDir Path dir;

  /**
   * A job's checkpoint folder with retained checkpoints {@code numbers}, each with its _metadata.
   */
  private Path jobFolder(int... numbers) throws Exception {
    Path job =
        Files.createDirectories(
            dir.resolve("checkpoints").resolve("0123456789abcdef0123456789abcdef"));
    Files.createDirectories(job.resolve("shared"));
    for (int n : numbers) {
      Files.write(
          Files.createDirectories(job.resolve("chk-" + n)).resolve("_metadata"), new byte[] {1});
    }
    return job;
  }

  private static LodestarOptions parse(String... args) {
    return LodestarOptions.fromArgs(args, name -> null);
  }

  @Test
  void shouldTakeTheRestorePathUnderItsCurrentAndItsOlderName() throws Exception {
    Path checkpoint = jobFolder(3, 11).resolve("chk-11");

    LodestarOptions current = parse("--execution.state-recovery.path", checkpoint.toString());
    LodestarOptions older = parse("--execution.savepoint.path=" + checkpoint.toUri());

    assertThat(current.flink().restorePath()).contains(checkpoint.toString());
    assertThat(current.flink().overrides().get(StateRecoveryOptions.SAVEPOINT_PATH))
        .isEqualTo(checkpoint.toString());
    assertThat(older.flink().overrides().get(StateRecoveryOptions.SAVEPOINT_PATH))
        .isEqualTo(checkpoint.toUri().toString());
  }

  @Test
  void shouldTakeTheRestoreFlagsFromTheConfigFileToo() throws Exception {
    Path checkpoint = jobFolder(4).resolve("chk-4");
    Path file = dir.resolve("lodestar.properties");
    Files.writeString(
        file,
        "execution.state-recovery.path="
            + checkpoint
            + "\nexecution.state-recovery.claim-mode=CLAIM\n");

    Configuration overrides = parse("--config", file.toString()).flink().overrides();

    assertThat(overrides.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(checkpoint.toString());
    assertThat(overrides.get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.CLAIM);
  }

  @Test
  void shouldRefuseARestorePathThatIsNotThereNamingTheKey() {
    assertThatThrownBy(
            () -> parse("--execution.state-recovery.path", dir.resolve("missing").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("execution.state-recovery.path=")
        .hasMessageContaining("does not exist");
  }

  @Test
  void shouldNameTheNewestRetainedCheckpointWhenGivenTheJobsFolder() throws Exception {
    Path job = jobFolder(9, 10, 2);
    // A checkpoint still being written has no _metadata yet: never the one to resume from.
    Files.createDirectories(job.resolve("chk-12"));

    assertThatThrownBy(() -> parse("--execution.state-recovery.path", job.toString()))
        .hasMessageContaining("execution.state-recovery.path=" + job)
        .hasMessageContaining("not one checkpoint")
        .hasMessageContaining(job.resolve("chk-10").toString());
  }

  @Test
  void shouldRefuseAFolderThatHoldsNoCheckpoint() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));

    assertThatThrownBy(() -> parse("--execution.state-recovery.path", empty.toString()))
        .hasMessageContaining("execution.state-recovery.path")
        .hasMessageContaining("holds no _metadata");
  }

  @Test
  void shouldLeaveRemoteRestorePathsToFlink() {
    assertThat(
            parse("--execution.state-recovery.path", "s3://bucket/checkpoints/job/chk-7")
                .flink()
                .restorePath())
        .contains("s3://bucket/checkpoints/job/chk-7");
  }

  @Test
  void shouldRefuseAnUnknownClaimModeNamingTheKey() {
    assertThatThrownBy(() -> parse("--execution.state-recovery.claim-mode", "sometimes"))
        .hasMessageContaining("execution.state-recovery.claim-mode")
        .hasMessageContaining("sometimes");
  }

  @Test
  void shouldRefuseTheSameSettingUnderTwoNamesWithDifferentValues() throws Exception {
    Path job = jobFolder(1, 2);

    assertThatThrownBy(
            () ->
                parse(
                    "--execution.state-recovery.path", job.resolve("chk-1").toString(),
                    "--execution.savepoint.path", job.resolve("chk-2").toString()))
        .hasMessageContaining("execution.state-recovery.path")
        .hasMessageContaining("execution.savepoint.path");
  }

  @Test
  void shouldTakeFlinkSettingsFromDashDAndTheFlinkPrefix() {
    LodestarOptions options =
        parse(
            "-D",
            "rest.port=18081",
            "-Drest.address=127.0.0.1",
            "--flink.execution.checkpointing.timeout",
            "3 min");

    Configuration overrides = options.flink().overrides();
    assertThat(overrides.get(RestOptions.PORT)).isEqualTo(18081);
    assertThat(overrides.get(RestOptions.ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(overrides.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
        .isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void shouldRefuseDashDWithoutAValue() {
    assertThatThrownBy(() -> parse("-D", "rest.port"))
        .hasMessageContaining("-D needs a Flink setting as key=value")
        .hasMessageContaining("rest.port");
  }

  @Test
  void shouldReadConfigYamlFromFlinkConfDir() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        conf.resolve("config.yaml"), "execution.checkpointing.timeout: 2 min\nrest.port: 18082\n");

    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"-D", "rest.port=18083"},
            name -> name.equals("FLINK_CONF_DIR") ? conf.toString() : null);

    assertThat(options.flink().base().get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(options.flink().overrides().get(RestOptions.PORT)).isEqualTo(18083);
    assertThat(options.toString()).contains("FLINK_CONF_DIR=" + conf);
  }

  @Test
  void shouldNameFlinkConfDirWhenItCannotBeRead() {
    Map<String, String> none = Map.of();

    assertThatThrownBy(
            () ->
                LodestarOptions.fromMap(
                    none,
                    name -> name.equals("FLINK_CONF_DIR") ? dir.resolve("nope").toString() : null))
        .hasMessageContaining("FLINK_CONF_DIR=" + dir.resolve("nope"));
  }

  @Test
  void shouldNeverPrintASecretFlinkSetting() {
    String canary = "canary-Fl1nk-s3cret";

    LodestarOptions options = parse("-D", "s3.secret-key=" + canary, "-D", "rest.port=18084");

    assertThat(options.toString())
        .doesNotContain(canary)
        .contains("flink.s3.secret-key=****")
        .contains("flink.rest.port=18084");
  }
}
