package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job's start-up checks against a real broker: a job that cannot work fails while it
 * is built, naming what is wrong first, before anything is submitted.
 */
class StartupChecksITCase {

  private static EmbeddedKafka kafka;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  @Test
  void shouldFailNamingAMissingOutputTopicAndItsKey() throws Exception {
    Map<String, String> values = freshTopics();
    String scored = values.get(LodestarOptions.TOPIC_SCORED.key());
    createAllBut(values, scored);
    values.put(
        LodestarOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
    LodestarOptions options = options(values);

    assertThatThrownBy(() -> PipelineJob.build(env(options), options))
        .isInstanceOf(StartupChecks.Failed.class)
        .hasMessageStartingWith("Kafka topics missing: topics.scored=" + scored + " (")
        .hasMessageContaining("kafka.bootstrap.servers=" + kafka.bootstrapServers());
  }

  @Test
  void shouldFailNamingTheCheckpointPathWhenItsParentIsARegularFile() throws Exception {
    Map<String, String> values = freshTopics();
    createAllBut(values, null);
    Path file = Files.writeString(work.resolve("a-file"), "x");
    String dir = file.resolve("checkpoints").toUri().toString();
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), dir);
    LodestarOptions options = options(values);

    assertThatThrownBy(() -> PipelineJob.build(env(options), options))
        .isInstanceOf(StartupChecks.Failed.class)
        .hasMessageStartingWith("checkpoint.dir=" + dir + " is not writable");
  }

  @Test
  void shouldBuildTheJobWhenBrokersTopicsAndCheckpointDirectoryAreUsable() throws Exception {
    Map<String, String> values = freshTopics();
    createAllBut(values, null);
    Path checkpoints = work.resolve("checkpoints");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    LodestarOptions options = options(values);
    StreamExecutionEnvironment env = env(options);

    PipelineJob.build(env, options);

    assertThat(env.getStreamGraph().getStreamNodes()).isNotEmpty();
    assertThat(checkpoints).isEmptyDirectory();
  }

  private static StreamExecutionEnvironment env(LodestarOptions options) {
    return PipelineEnvironment.create(PipelineEnvironment.streaming(options));
  }

  private static LodestarOptions options(Map<String, String> values) {
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    return LodestarOptions.fromMap(values, name -> null);
  }

  /**
   * Every topic key of the job with a name of its own, policy updates and filtered groups included.
   */
  private static Map<String, String> freshTopics() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> values = new LinkedHashMap<>();
    for (String name :
        List.of(
            "generations",
            "feedback",
            "policy-updates",
            "scored",
            "batches",
            "pairs",
            "unpaired",
            "dead-letters",
            "filtered-groups",
            "health-metrics",
            "alerts")) {
      values.put("topics." + name, "startup-" + name + "-" + run);
    }
    return values;
  }

  private static void createAllBut(Map<String, String> values, String missing) throws Exception {
    List<String> topics = new ArrayList<>();
    values.forEach(
        (key, topic) -> {
          if (key.startsWith("topics.") && !topic.equals(missing)) {
            topics.add(topic);
          }
        });
    kafka.createTopics(1, topics.toArray(String[]::new));
  }
}
