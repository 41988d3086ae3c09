package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job reading logged OpenAI chat completions (topics.generations.format=openai-chat)
 * and plain feedback (topics.feedback.format=simple) from a real broker: each response is one group
 * of its n choices, separately requested samples join one group through their metadata, a replayed
 * record is de-duplicated, an inconsistent record is one dead letter, and a vote named by response
 * id and choice index becomes a pair. Outputs are read as a trainer reads them (read_committed).
 */
class OpenAiChatInputITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long CREATED_S = 1_767_225_600L;
  private static final String QUESTION = "What is 6 times 7?";

  private static EmbeddedKafka kafka;

  @TempDir static Path checkpoints;
  @TempDir Path work;

  private JobClient job;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterEach
  void cancelUnfinishedJob() throws Exception {
    if (job != null) {
      JobTermination.cancelAndAwait(job, Duration.ofMinutes(1));
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  @Test
  void chatCompletionLogsBecomeScoredGenerationsAndBatchesWithOneGroupPerResponse()
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    kafka.createTopics(2, topics.all());
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options(topics)));
    PipelineJob.build(env, options(topics));
    job = env.executeAsync("openai-chat-input-it");
    waitFor("the job to run", () -> status(job) == JobStatus.RUNNING);

    List<byte[]> generations = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      generations.add(
          ChatCompletionRecords.bytes(
              ChatCompletionRecords.mathRecord(
                  "chatcmpl-it-" + r,
                  CREATED_S + r,
                  QUESTION,
                  List.of("#### 42", "#### 48", "#### 42", "#### 7" + r),
                  9)));
    }
    // K = 2 samples of one prompt requested one at a time, joined by their metadata.
    for (int k = 0; k < 2; k++) {
      ObjectNode sample =
          ChatCompletionRecords.mathRecord(
              "chatcmpl-sep-" + k,
              CREATED_S + 10 + k,
              QUESTION,
              List.of(k == 0 ? "#### 42" : "#### 41"),
              9);
      ((ObjectNode) sample.get("metadata"))
          .put("sample_group_id", "sweep-1")
          .put("sample_index", k)
          .put("sample_group_size", 2);
      generations.add(ChatCompletionRecords.bytes(sample));
    }
    generations.add(generations.get(0)); // a replay: the same ids again
    ObjectNode shortOfChoices =
        ChatCompletionRecords.mathRecord(
            "chatcmpl-bad", CREATED_S + 20, QUESTION, List.of("#### 42", "#### 42"), 9);
    ((ObjectNode) shortOfChoices.get("request")).put("n", 3);
    generations.add(ChatCompletionRecords.bytes(shortOfChoices));
    generations.add("not a chat record".getBytes(StandardCharsets.UTF_8));
    String vote =
        "{\"response_id\": \"chatcmpl-it-0\", \"choice_index\": 0, \"other_response_id\": \"chatcmpl-it-0\","
            + " \"other_choice_index\": 1, \"kind\": \"vote\", \"value\": \"A\", \"user_id_hash\": \"u-1\","
            + " \"created_at_ms\": "
            + (CREATED_S + 30) * 1000
            + "}";
    publish(topics.generations(), generations);
    publish(topics.feedback(), List.of(vote.getBytes(StandardCharsets.UTF_8)));

    waitFor(
        "every generation and both dead letters to be committed",
        () ->
            readSoFar(topics.scored(), ScoredGeneration.class).size() >= 14
                && readSoFar(topics.deadLetters(), DeadLetter.class).size() >= 2);
    // Draining sends the final watermark: every group and batch still open goes out.
    job.stopWithSavepoint(
            true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);

    List<String> expectedIds = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        expectedIds.add("chatcmpl-it-" + r + ":" + c);
      }
    }
    expectedIds.addAll(List.of("chatcmpl-sep-0:0", "chatcmpl-sep-1:0"));
    List<ScoredGeneration> scored = read(topics.scored(), ScoredGeneration.class);
    assertThat(scored)
        .extracting(s -> s.getGeneration().getGenerationId())
        .containsExactlyInAnyOrderElementsOf(expectedIds);
    assertThat(scored)
        .filteredOn(s -> s.getGeneration().getGenerationId().equals("chatcmpl-it-1:2"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getGeneration().getGroupId()).isEqualTo("chatcmpl-it-1");
              assertThat(s.getGeneration().getExpectedGroupSize()).isEqualTo(4);
              assertThat(s.getGeneration().getSampleIndex()).isEqualTo(2);
              assertThat(s.getGeneration().getResponseTokenIds()).hasSize(8);
              assertThat(s.getGeneration().getResponseLogprobs()).hasSize(8);
              assertThat(s.getGeneration().getPolicy().getPolicyVersion()).isEqualTo(9L);
              assertThat(s.getReward()).isEqualTo(1.0);
            });

    Map<String, List<String>> batched = new HashMap<>();
    for (RLBatch batch : read(topics.batches(), RLBatch.class)) {
      for (RLGroup group : batch.getGroups()) {
        assertThat(batched).as("groups batched twice").doesNotContainKey(group.getGroupId());
        assertThat(group.getCompletion()).as(group.getGroupId()).isEqualTo(GroupCompletion.FULL);
        batched.put(
            group.getGroupId(),
            group.getSamples().stream().map(RLSample::getGenerationId).toList());
      }
    }
    assertThat(batched)
        .containsOnlyKeys("chatcmpl-it-0", "chatcmpl-it-1", "chatcmpl-it-2", "sweep-1")
        .containsEntry(
            "chatcmpl-it-0",
            List.of("chatcmpl-it-0:0", "chatcmpl-it-0:1", "chatcmpl-it-0:2", "chatcmpl-it-0:3"))
        .containsEntry(
            "chatcmpl-it-2",
            List.of("chatcmpl-it-2:0", "chatcmpl-it-2:1", "chatcmpl-it-2:2", "chatcmpl-it-2:3"))
        .containsEntry("sweep-1", List.of("chatcmpl-sep-0:0", "chatcmpl-sep-1:0"));

    List<DeadLetter> dead = read(topics.deadLetters(), DeadLetter.class);
    assertThat(dead)
        .extracting(DeadLetter::getErrorKind, DeadLetter::getRecordId, DeadLetter::getReason)
        .containsExactlyInAnyOrder(
            Tuple.tuple(
                "INVALID", "chatcmpl-bad", "request asked for n=3 but the response has 2 choices"),
            Tuple.tuple(
                "UNRECOGNIZED_ENCODING",
                null,
                "not a JSON object; first byte is 0x6E (this input is read as JSON records)"));
    assertThat(dead).allSatisfy(d -> assertThat(d.getOrigin()).isEqualTo("parse.generations"));

    assertThat(read(topics.pairs(), PreferencePair.class))
        .filteredOn(p -> p.getSource() == PairSource.VOTE)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("chatcmpl-it-0:0");
              assertThat(p.getRejectedGenerationId()).isEqualTo("chatcmpl-it-0:1");
            });
  }

  private LodestarOptions options(TestTopics topics) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.GENERATIONS_FORMAT.key(), "openai-chat");
    values.put(LodestarOptions.FEEDBACK_FORMAT.key(), "simple");
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), topics.generations());
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), topics.feedback());
    values.put(LodestarOptions.TOPIC_SCORED.key(), topics.scored());
    values.put(LodestarOptions.TOPIC_BATCHES.key(), topics.batches());
    values.put(LodestarOptions.TOPIC_PAIRS.key(), topics.pairs());
    values.put(LodestarOptions.TOPIC_UNPAIRED.key(), topics.unpaired());
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters());
    values.put(LodestarOptions.TOPIC_HEALTH_METRICS.key(), topics.healthMetrics());
    values.put(LodestarOptions.TOPIC_ALERTS.key(), topics.alerts());
    values.put(LodestarOptions.TOPIC_FILTERED_GROUPS.key(), topics.filteredGroups());
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "chat-" + topics.suffix());
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "chat-" + topics.suffix());
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "2");
    values.put(LodestarOptions.RESTART_DELAY.key(), "200 ms");
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    values.put(LodestarOptions.BATCH_GROUPS.key(), "2");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 h");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "1 h");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "1 h");
    return LodestarOptions.fromMap(values, name -> null);
  }

  private static void publish(String topic, List<byte[]> values) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic, null, value));
      }
      producer.flush();
    }
  }

  private static <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type) {
    return CommittedRecords.read(kafka.bootstrapServers(), topic, type);
  }

  private static <T extends SpecificRecordBase> List<T> readSoFar(String topic, Class<T> type) {
    return CommittedRecords.readSoFar(kafka.bootstrapServers(), topic, type);
  }

  private static JobStatus status(JobClient job) {
    try {
      return job.getJobStatus().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  /** Waits for {@code condition}, failing at once if the job ends. */
  private void waitFor(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!condition.getAsBoolean()) {
      JobStatus status = status(job);
      if (status != null && status.isGloballyTerminalState()) {
        throw new AssertionError("the job ended " + status + " while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; job " + status);
      }
      Thread.sleep(250);
    }
  }
}
