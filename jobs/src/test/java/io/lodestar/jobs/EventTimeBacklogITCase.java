package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job started on a backlog, as after an outage, a restart or lag: every group comes
 * out whole however unevenly its members are spread over the partitions, and a group id reused
 * across prompts, models or sizes keeps only the members that agree with its first.
 */
class EventTimeBacklogITCase {

  private static final int GROUPS = 1_000;
  private static final int GROUP_SIZE = 4;
  private static final int PARTITIONS = 4;
  private static final String MODEL = "policy-a";

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static EmbeddedKafka kafka;

  @TempDir Path work;
  @TempDir static Path checkpoints;

  private final List<JobClient> started = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterEach
  void cancelUnfinishedJobs() throws Exception {
    for (JobClient job : started) {
      JobTermination.cancelAndAwait(job, Duration.ofMinutes(1));
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  /**
   * A thousand groups of four produced before the job starts, three members of each on partition 0
   * and the fourth on one of the other three, one second of event time apart: partition 0 holds
   * three quarters of the backlog, and each fetch of it covers minutes of event time the others
   * have not reached.
   */
  @Test
  void shouldEmitEveryGroupOfABacklogWholeWhenOnePartitionHoldsMostOfIt() throws Exception {
    TestTopics topics = TestTopics.fresh();
    kafka.createTopics(PARTITIONS, topics.generations(), topics.feedback());
    kafka.createTopics(2, topics.outputs());
    long t0 = startOfBacklog();
    List<ProducerRecord<byte[], byte[]>> backlog = new ArrayList<>();
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedbackCodec = RecordCodec.of(Feedback.class);
    List<String> groupIds = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      String groupId = "group-" + g;
      groupIds.add(groupId);
      long groupTime = t0 + g * 1_000L;
      for (int i = 0; i < GROUP_SIZE; i++) {
        Generation member =
            member(groupId, "prompt-" + g, MODEL, GROUP_SIZE, i, groupTime + i * 50L);
        int partition = i < GROUP_SIZE - 1 ? 0 : 1 + g % (PARTITIONS - 1);
        backlog.add(
            new ProducerRecord<>(
                topics.generations(), partition, null, codec.encode(member, WireFormat.AVRO)));
      }
      if (g % 10 == 0) {
        // Some feedback, read in step with the generations it is about.
        Feedback thumb =
            Feedback.newBuilder()
                .setFeedbackId("thumb-" + g)
                .setGenerationId(groupId + "-m0")
                .setKind(FeedbackKind.THUMB)
                .setThumbUp(true)
                .setCreatedAtMs(groupTime + 2_000)
                .build();
        backlog.add(
            new ProducerRecord<>(
                topics.feedback(),
                g % PARTITIONS,
                null,
                feedbackCodec.encode(thumb, WireFormat.AVRO)));
      }
    }
    publish(backlog);

    JobClient job = start(options(topics, 2));
    waitForCommitted(topics.scored(), ScoredGeneration.class, GROUPS * GROUP_SIZE);
    drain(job);

    List<RLGroup> groups = new ArrayList<>();
    read(topics.batches(), RLBatch.class).forEach(b -> groups.addAll(b.getGroups()));
    List<RLGroup> setAside = read(topics.filteredGroups(), RLGroup.class);
    List<DeadLetter> deadLetters = read(topics.deadLetters(), DeadLetter.class);
    long broken =
        groups.stream().filter(g -> g.getCompletion() != GroupCompletion.FULL).count()
            + setAside.stream().filter(g -> g.getCompletion() != GroupCompletion.FULL).count();
    long late =
        deadLetters.stream()
            .filter(d -> d.getErrorKind().equals(DeadLetters.LATE_GROUP_MEMBER))
            .count();
    System.out.printf(
        "backlog of %d groups: %d batched, %d set aside, %d not FULL (%s), %d members dead-lettered as late%n",
        GROUPS, groups.size(), setAside.size(), broken, completions(groups, setAside), late);

    assertThat(deadLetters)
        .extracting(DeadLetter::getErrorKind)
        .doesNotContain(DeadLetters.LATE_GROUP_MEMBER);
    assertThat(deadLetters).isEmpty();
    assertThat(setAside).isEmpty();
    assertThat(groups)
        .extracting(RLGroup::getGroupId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(groupIds);
    assertThat(groups)
        .allSatisfy(
            g -> {
              assertThat(g.getCompletion()).isEqualTo(GroupCompletion.FULL);
              assertThat(g.getSamples()).hasSize(GROUP_SIZE);
            });
  }

  /**
   * One group id used for members of another prompt, another model and another declared size: each
   * odd member is a dead letter naming what differs, and the group is batched whole from the
   * members that agree with its first, under its prompt and in its model's batch.
   */
  @Test
  void shouldDeadLetterMembersOfAnotherPromptModelOrSizeAndBatchTheGroupWithoutThem()
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    kafka.createTopics(1, topics.generations(), topics.feedback());
    kafka.createTopics(1, topics.outputs());
    long t0 = startOfBacklog();
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Map<String, Generation> odd = new LinkedHashMap<>();
    String[] kinds = {"prompt", "model", "size"};
    for (int k = 0; k < kinds.length; k++) {
      String groupId = "reused-" + kinds[k];
      long groupTime = t0 + k * 1_000L;
      for (int i = 0; i < GROUP_SIZE; i++) {
        records.add(
            record(
                topics,
                codec,
                member(groupId, "prompt-" + k, MODEL, GROUP_SIZE, i, groupTime + i * 10L)));
        if (i == 0) {
          // After the first member in the partition, so the group already knows what it is.
          Generation stranger = member(groupId, "prompt-" + k, MODEL, GROUP_SIZE, 9, groupTime + 5);
          Generation.Builder changed = Generation.newBuilder(stranger);
          switch (kinds[k]) {
            case "prompt" -> changed.setPromptId("prompt-other");
            case "model" -> changed.setPolicy(policy("policy-b"));
            default -> changed.setExpectedGroupSize(2);
          }
          odd.put(groupId, changed.build());
          records.add(record(topics, codec, odd.get(groupId)));
        }
      }
    }
    publish(records);

    // Every partition idle before the drain: the drain's final watermark must still close the
    // batch.
    Map<String, String> quickIdleness = Map.of(LodestarOptions.WATERMARK_IDLENESS.key(), "1 s");
    JobClient job = start(options(topics, 1, quickIdleness));
    waitForCommitted(topics.scored(), ScoredGeneration.class, kinds.length * (GROUP_SIZE + 1));
    Thread.sleep(3_000);
    drain(job);

    List<DeadLetter> deadLetters = read(topics.deadLetters(), DeadLetter.class);
    assertThat(deadLetters)
        .extracting(DeadLetter::getErrorKind)
        .containsOnly(DeadLetters.INCONSISTENT_GROUP_MEMBER);
    Map<String, String> reasons =
        deadLetters.stream()
            .collect(Collectors.toMap(DeadLetter::getRecordId, DeadLetter::getReason));
    assertThat(reasons)
        .containsOnlyKeys(odd.values().stream().map(Generation::getGenerationId).toList());
    assertThat(reasons.get("reused-prompt-m9"))
        .contains("promptId 'prompt-other' (group has 'prompt-0')");
    assertThat(reasons.get("reused-model-m9"))
        .contains("policy.modelId 'policy-b' (group has '" + MODEL + "')");
    assertThat(reasons.get("reused-size-m9")).contains("expectedGroupSize 2 (group has 4)");

    List<RLBatch> batches = read(topics.batches(), RLBatch.class);
    List<RLGroup> groups = new ArrayList<>();
    batches.forEach(b -> groups.addAll(b.getGroups()));
    assertThat(groups)
        .extracting(RLGroup::getGroupId)
        .containsExactlyInAnyOrder(odd.keySet().toArray(String[]::new));
    for (RLGroup g : groups) {
      assertThat(g.getCompletion()).isEqualTo(GroupCompletion.FULL);
      assertThat(g.getSamples())
          .extracting(RLSample::getGenerationId)
          .containsExactlyInAnyOrder(
              g.getGroupId() + "-m0",
              g.getGroupId() + "-m1",
              g.getGroupId() + "-m2",
              g.getGroupId() + "-m3");
    }
    assertThat(groups)
        .extracting(RLGroup::getPromptId)
        .containsExactlyInAnyOrder("prompt-0", "prompt-1", "prompt-2");
    assertThat(read(topics.filteredGroups(), RLGroup.class)).isEmpty();
  }

  private static String completions(List<RLGroup> batched, List<RLGroup> setAside) {
    Map<String, Long> counts = new HashMap<>();
    for (List<RLGroup> list : List.of(batched, setAside)) {
      for (RLGroup g : list) {
        counts.merge(
            g.getCompletion() + " " + g.getSamples().size() + " of " + GROUP_SIZE, 1L, Long::sum);
      }
    }
    return counts.toString();
  }

  /** A day ago, on a whole second: far enough back that no event time is ahead of the clock. */
  private static long startOfBacklog() {
    long dayAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
    return dayAgo - dayAgo % 1_000;
  }

  private static ProducerRecord<byte[], byte[]> record(
      TestTopics topics, RecordCodec<Generation> codec, Generation g) {
    return new ProducerRecord<>(topics.generations(), 0, null, codec.encode(g, WireFormat.AVRO));
  }

  /**
   * A math answer, right for even sample indexes and wrong for odd ones, so every group's rewards
   * vary.
   */
  private static Generation member(
      String groupId, String promptId, String model, int size, int index, long createdAtMs) {
    return Generation.newBuilder()
        .setGenerationId(groupId + "-m" + index)
        .setPromptId(promptId)
        .setGroupId(groupId)
        .setExpectedGroupSize(size)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 * 7?")))
        .setResponse(index % 2 == 0 ? "6 * 7 = 42. The answer is 42." : "The answer is 41.")
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("gsm8k")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build())
        .setPolicy(policy(model))
        .setCreatedAtMs(createdAtMs)
        .setConsentToTrain(true)
        .build();
  }

  private static Policy policy(String model) {
    return Policy.newBuilder().setModelId(model).setPolicyVersion(1).build();
  }

  private JobClient start(LodestarOptions options) throws Exception {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    PipelineJob.build(env, options);
    JobClient job = env.executeAsync("event-time-it");
    started.add(job);
    waitFor("the job to run", job, () -> status(job) == JobStatus.RUNNING);
    return job;
  }

  private void drain(JobClient job) throws Exception {
    job.stopWithSavepoint(
            true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
  }

  private LodestarOptions options(TestTopics topics, int parallelism) {
    return options(topics, parallelism, Map.of());
  }

  private LodestarOptions options(
      TestTopics topics, int parallelism, Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), topics.generations());
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), topics.feedback());
    values.put(LodestarOptions.TOPIC_SCORED.key(), topics.scored());
    values.put(LodestarOptions.TOPIC_BATCHES.key(), topics.batches());
    values.put(LodestarOptions.TOPIC_PAIRS.key(), topics.pairs());
    values.put(LodestarOptions.TOPIC_UNPAIRED.key(), topics.unpaired());
    values.put(LodestarOptions.TOPIC_HEALTH_METRICS.key(), topics.healthMetrics());
    values.put(LodestarOptions.TOPIC_ALERTS.key(), topics.alerts());
    values.put(LodestarOptions.TOPIC_FILTERED_GROUPS.key(), topics.filteredGroups());
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters());
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "it-" + topics.suffix());
    values.put(LodestarOptions.SOURCE_STARTING_OFFSETS.key(), "earliest");
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.suffix());
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "0");
    values.put(LodestarOptions.PARALLELISM.key(), Integer.toString(parallelism));
    values.put(LodestarOptions.BATCH_GROUPS.key(), "16");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 h");
    // Twenty seconds of event time: one fetch of the crowded partition covers several minutes.
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "20 s");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "1 h");
    values.putAll(overrides);
    return LodestarOptions.fromMap(values, name -> null);
  }

  private static void publish(List<ProducerRecord<byte[], byte[]>> records) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    props.put("linger.ms", "20");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      records.forEach(producer::send);
      producer.flush();
    }
  }

  private static <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type) {
    return CommittedRecords.read(kafka.bootstrapServers(), topic, type);
  }

  private void waitForCommitted(
      String topic, Class<? extends SpecificRecordBase> type, int expected) throws Exception {
    JobClient job = started.get(started.size() - 1);
    waitFor(
        expected + " records in " + topic,
        job,
        () ->
            CommittedReader.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(30)).size()
                >= expected);
  }

  private static void waitFor(String what, JobClient job, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!condition.getAsBoolean()) {
      JobStatus status = status(job);
      if (status != null && status.isGloballyTerminalState()) {
        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the job ended " + status + " while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  private static JobStatus status(JobClient job) {
    try {
      return job.getJobStatus().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }
}
