package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.connectors.kafka.BrokerCheck;
import io.lodestar.jobs.config.LodestarOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up checks that need no broker; {@code StartupChecksITCase} runs the rest against a real
 * one.
 */
class StartupChecksTest {

  private static final String CANARY = "canary-51d0-secret";

  @TempDir Path work;

  @Test
  void shouldFailTheBuildNamingTheBootstrapAddressFirstWhenItsPortIsClosed() throws Exception {
    String bootstrap = "127.0.0.1:" + closedLoopbackPort();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("kafka.bootstrap.servers", bootstrap);
    values.put("kafka.security.protocol", "SASL_PLAINTEXT");
    values.put("kafka.sasl.mechanism", "PLAIN");
    values.put(
        "kafka.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"job\" password=\""
            + CANARY
            + "\";");
    values.put(LodestarOptions.STARTUP_CHECK_TIMEOUT.key(), "2 s");
    values.put(
        LodestarOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));

    assertThatThrownBy(() -> PipelineJob.build(env, options))
        .isInstanceOf(StartupChecks.Failed.class)
        .hasMessageStartingWith(
            "kafka.bootstrap.servers="
                + bootstrap
                + " is not reachable: no broker answered within 2000 ms")
        .hasMessageContaining(LodestarOptions.STARTUP_CHECK_TIMEOUT.key())
        .hasMessageNotContaining(CANARY);
  }

  @Test
  void shouldFailNamingTheCheckpointPathFirstWhenItsParentIsARegularFile() throws Exception {
    // Tests may run as root, which a read-only directory does not stop: a file in the way does.
    Path file = Files.writeString(work.resolve("a-file"), "x");
    String dir = file.resolve("checkpoints").toUri().toString();

    assertThatThrownBy(() -> StartupChecks.checkWritable(LodestarOptions.CHECKPOINT_DIR.key(), dir))
        .isInstanceOf(StartupChecks.Failed.class)
        .hasMessageStartingWith("checkpoint.dir=" + dir + " is not writable");
  }

  @Test
  void shouldLeaveNothingBehindInAWritableDirectory() throws Exception {
    Path dir = work.resolve("fresh").resolve("checkpoints");

    StartupChecks.checkWritable(LodestarOptions.CHECKPOINT_DIR.key(), dir.toUri().toString());

    assertThat(dir).isDirectory().isEmptyDirectory();
  }

  @Test
  void shouldRequireEveryTopicTheJobReadsOrWritesByItsKey() {
    LodestarOptions defaults = LodestarOptions.fromArgs(new String[0]);

    assertThat(StartupChecks.requiredTopics(defaults))
        .containsExactly(
            Map.entry("topics.generations", "lodestar.generations"),
            Map.entry("topics.feedback", "lodestar.feedback"),
            Map.entry("topics.scored", "lodestar.scored"),
            Map.entry("topics.batches", "lodestar.batches"),
            Map.entry("topics.pairs", "lodestar.pairs"),
            Map.entry("topics.unpaired", "lodestar.unpaired"),
            Map.entry("topics.dead-letters", "lodestar.dead-letters"),
            Map.entry("topics.health-metrics", "lodestar.health-metrics"),
            Map.entry("topics.alerts", "lodestar.alerts"));
  }

  @Test
  void shouldRequireOptionalTopicsOnlyWhenTheJobUsesThem() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--topics.policy-updates",
              "control",
              "--topics.filtered-groups",
              "aside",
              "--health.enabled",
              "false"
            });

    assertThat(StartupChecks.requiredTopics(options))
        .containsEntry("topics.policy-updates", "control")
        .containsEntry("topics.filtered-groups", "aside")
        .doesNotContainKeys("topics.health-metrics", "topics.alerts");
  }

  @Test
  void shouldListEveryMissingTopicWithItsKey() {
    LodestarOptions options =
        LodestarOptions.fromArgs(new String[] {"--kafka.bootstrap.servers", "b:9092"});
    Map<String, String> unusable =
        Map.of(
            "lodestar.scored",
            BrokerCheck.DOES_NOT_EXIST,
            "lodestar.alerts",
            BrokerCheck.NOT_AUTHORIZED);

    assertThat(
            StartupChecks.missingTopicsProblem(
                StartupChecks.requiredTopics(options), unusable, options.kafka()))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .startsWith(
                        "Kafka topics missing: topics.scored=lodestar.scored, topics.alerts=lodestar.alerts (not authorized)")
                    .contains("kafka.bootstrap.servers=b:9092")
                    .doesNotContain("topics.batches"));
    assertThat(
            StartupChecks.missingTopicsProblem(
                StartupChecks.requiredTopics(options), Map.of(), options.kafka()))
        .isEmpty();
  }

  @Test
  void shouldNameFlinksKeyWhenTheFlinkConfigurationChoosesTheCheckpointDirectory() {
    LodestarOptions options =
        LodestarOptions.fromArgs(new String[] {"--export.dir", "file:///exports"});
    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/checkpoints");

    assertThat(StartupChecks.writableDirectories(options, flink))
        .containsExactly(
            Map.entry("execution.checkpointing.dir", "s3://bucket/checkpoints"),
            Map.entry("export.dir", "file:///exports"));
    assertThat(StartupChecks.writableDirectories(options, PipelineEnvironment.streaming(options)))
        .containsEntry("checkpoint.dir", "file:///tmp/lodestar/checkpoints");
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
