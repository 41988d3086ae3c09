package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.TrafficSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that are valid input but cannot be written as they are - a response of 5 MB or 9 MB, an
 * event time hours ahead or in microseconds - written mid-stream among normal traffic into the
 * streaming job (real broker, MiniCluster, RocksDB, exactly-once sinks, checkpoints). The outputs
 * keep the broker's default limits (1 MB records, timestamps at most 1 h ahead); only the input
 * topic accepts the oversized records.
 */
class PoisonRecordsITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MB = 1_000_000;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

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
  void shouldDeadLetterOversizedAndFutureRecordsOnceWithoutRestartAndKeepEverythingElseExactlyOnce(
      @InjectClusterRESTAddress URI rest) throws Exception {
    String s = UUID.randomUUID().toString().substring(0, 8);
    String generations = "generations-" + s;
    String feedback = "feedback-" + s;
    String scored = "scored-" + s;
    String batches = "batches-" + s;
    String pairs = "pairs-" + s;
    String unpaired = "unpaired-" + s;
    String deadLetters = "dead-" + s;
    // Only the input accepts records of 9 MB; every output keeps the broker's defaults.
    kafka.createTopic(
        generations, 2, Map.of("max.message.bytes", Integer.toString(16 * 1024 * 1024)));
    kafka.createTopics(
        2,
        feedback,
        scored,
        batches,
        pairs,
        unpaired,
        deadLetters,
        "health-" + s,
        "alerts-" + s,
        "filtered-" + s);

    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), generations);
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), feedback);
    values.put(LodestarOptions.TOPIC_SCORED.key(), scored);
    values.put(LodestarOptions.TOPIC_BATCHES.key(), batches);
    values.put(LodestarOptions.TOPIC_PAIRS.key(), pairs);
    values.put(LodestarOptions.TOPIC_UNPAIRED.key(), unpaired);
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), deadLetters);
    values.put(LodestarOptions.TOPIC_HEALTH_METRICS.key(), "health-" + s);
    values.put(LodestarOptions.TOPIC_ALERTS.key(), "alerts-" + s);
    values.put(LodestarOptions.TOPIC_FILTERED_GROUPS.key(), "filtered-" + s);
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "poison-" + s);
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "poison-" + s);
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "2");
    values.put(LodestarOptions.RESTART_DELAY.key(), "200 ms");
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    values.put(LodestarOptions.BATCH_GROUPS.key(), "3");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 h");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 min");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "1 h");
    // A 5 MB response passes validation, so its scored record, group and batch are what is too
    // large.
    values.put(LodestarOptions.MAX_RESPONSE_CHARS.key(), Integer.toString(6 * MB));
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    SimulatedTraffic traffic =
        new SimulatedTraffic(
            new TrafficSimulator.Settings(
                11L,
                12,
                4,
                0.05,
                0.0,
                d.noAnswerRate(),
                0.6,
                0.3,
                d.startTimeMs(),
                d.meanGapMs(),
                d.modelId()));

    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    PipelineJob.build(env, options);
    job = env.executeAsync("poison-records-it");
    waitFor("the job to run", () -> status(job) == JobStatus.RUNNING);

    List<SimulatedTraffic.Message> messages = traffic.messages;
    int half = messages.size() / 2;
    publish(generations, feedback, messages.subList(0, half));
    waitFor(
        "normal traffic to be committed",
        () -> readSoFar(scored, ScoredGeneration.class).size() >= 4);

    // The poison records, mid-stream.
    Generation template = traffic.anyGeneration();
    long now = System.currentTimeMillis();
    Generation fiveMb =
        poison(template, "poison-5mb", template.getCreatedAtMs(), "x".repeat(5 * MB));
    Generation nineMb =
        poison(template, "poison-9mb", template.getCreatedAtMs(), "y".repeat(9 * MB));
    Generation hoursAhead =
        poison(template, "poison-2h-ahead", now + Duration.ofHours(2).toMillis(), "42");
    Generation micros = poison(template, "poison-micros", now * 1000, "42");
    Feedback feedbackAhead =
        Feedback.newBuilder()
            .setFeedbackId("poison-feedback-2h-ahead")
            .setGenerationId(template.getGenerationId())
            .setKind(FeedbackKind.THUMB)
            .setThumbUp(true)
            .setCreatedAtMs(now + Duration.ofHours(2).toMillis())
            .build();
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
    List<SimulatedTraffic.Message> poison = new ArrayList<>();
    for (Generation g : List.of(fiveMb, nineMb, hoursAhead, micros)) {
      poison.add(
          new SimulatedTraffic.Message(
              false, key(g.getGenerationId()), codec.encode(g, WireFormat.AVRO)));
    }
    poison.add(
        new SimulatedTraffic.Message(
            true,
            key(feedbackAhead.getFeedbackId()),
            RecordCodec.of(Feedback.class).encode(feedbackAhead, WireFormat.AVRO)));
    publish(generations, feedback, poison);
    publish(generations, feedback, messages.subList(half, messages.size()));

    waitFor(
        "every normal generation and every poison record to be committed",
        () ->
            readSoFar(scored, ScoredGeneration.class).size() >= traffic.generationIds.size()
                && readSoFar(deadLetters, DeadLetter.class).size() >= 5);
    assertThat(status(job)).isEqualTo(JobStatus.RUNNING);
    assertThat(numRestarts(rest)).as("restarts of the job").isZero();

    // Draining flushes the groups and batches still open, the poison model's batch among them.
    job.stopWithSavepoint(
            true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
    assertThat(exceptionHistory(rest)).as("failures the job went through").isEmpty();

    List<DeadLetter> dead = read(deadLetters, DeadLetter.class);
    List<byte[]> deadBytes =
        CommittedReader.readAllSettled(
            kafka.bootstrapServers(), deadLetters, Duration.ofSeconds(30));
    assertThat(deadBytes).allSatisfy(bytes -> assertThat(bytes.length).isLessThan(1024 * 1024));

    DeadLetter scoredTooLarge = only(dead, d1 -> "poison-5mb".equals(d1.getRecordId()));
    assertThat(scoredTooLarge.getErrorKind()).isEqualTo("OUTPUT_TOO_LARGE");
    assertThat(scoredTooLarge.getReason()).contains(scored).contains("limit");
    assertThat(scoredTooLarge.getPayloadSize()).isGreaterThan(5 * MB);
    DeadLetter batchTooLarge =
        only(
            dead,
            d1 -> d1.getErrorKind().equals("OUTPUT_TOO_LARGE") && d1.getReason().contains(batches));
    assertThat(batchTooLarge.getRecordId()).startsWith("poison-model");
    DeadLetter oversizedInput =
        only(dead, d1 -> d1.getKey() != null && "poison-9mb".equals(text(d1.getKey())));
    assertThat(oversizedInput.getErrorKind()).isEqualTo("OVERSIZED");
    assertThat(oversizedInput.getPayloadSize()).isGreaterThan(9 * MB);
    assertThat(oversizedInput.getPayload().remaining()).isPositive().isLessThan(1024 * 1024);
    for (String id : List.of("poison-2h-ahead", "poison-micros", "poison-feedback-2h-ahead")) {
      DeadLetter ahead = only(dead, d1 -> id.equals(d1.getRecordId()));
      assertThat(ahead.getErrorKind()).as(id).isEqualTo("FUTURE_EVENT_TIME");
      assertThat(ahead.getReason())
          .as(id)
          .contains("createdAtMs")
          .contains("validate.max-clock-skew");
    }
    assertThat(dead).as("dead letters besides the poison records").hasSize(6);

    // Everything else exactly once.
    assertThat(read(scored, ScoredGeneration.class))
        .extracting(g -> g.getGeneration().getGenerationId())
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(traffic.generationIds);
    List<String> batchedGroups = new ArrayList<>();
    for (RLBatch batch : read(batches, RLBatch.class)) {
      batch.getGroups().stream().map(RLGroup::getGroupId).forEach(batchedGroups::add);
    }
    assertThat(batchedGroups)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    List<PreferencePair> votePairs = read(pairs, PreferencePair.class);
    assertThat(votePairs).extracting(PreferencePair::getPairId).doesNotHaveDuplicates();
    assertThat(votePairs)
        .filteredOn(p -> p.getSource() == PairSource.VOTE)
        .extracting(
            p ->
                new SimulatedTraffic.ExpectedPair(
                    p.getSource(), p.getChosenGenerationId(), p.getRejectedGenerationId()))
        .containsExactlyInAnyOrderElementsOf(traffic.expectedPairs);
    assertThat(read(unpaired, UnpairedExample.class))
        .extracting(UnpairedExample::getExampleId)
        .doesNotHaveDuplicates();
  }

  /** A valid generation of its own group (of one) and model, so its batch holds nothing else. */
  private static Generation poison(
      Generation template, String id, long createdAtMs, String response) {
    return Generation.newBuilder(template)
        .setGenerationId(id)
        .setGroupId(id + "-group")
        .setPromptId(id + "-prompt")
        .setExpectedGroupSize(1)
        .setPolicy(Policy.newBuilder(template.getPolicy()).setModelId("poison-model-" + id).build())
        .setConsentToTrain(true)
        .setResponse(response)
        .setResponseTokenIds(null)
        .setResponseLogprobs(null)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  private static DeadLetter only(List<DeadLetter> dead, Predicate<DeadLetter> which) {
    List<DeadLetter> matching = dead.stream().filter(which).toList();
    assertThat(matching).as("matching dead letters among " + describe(dead)).hasSize(1);
    return matching.get(0);
  }

  private static String describe(List<DeadLetter> dead) {
    return dead.stream()
        .map(d -> d.getErrorKind() + ":" + d.getRecordId() + ":" + d.getOrigin())
        .toList()
        .toString();
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
  }

  private static void publish(
      String generations, String feedback, List<SimulatedTraffic.Message> messages) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    props.put("max.request.size", Integer.toString(16 * 1024 * 1024));
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (SimulatedTraffic.Message m : messages) {
        producer.send(
            new ProducerRecord<>(m.feedback() ? feedback : generations, m.key(), m.value()));
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

  /**
   * The job's restart count, from its {@code numRestarts} metric. The REST endpoint fetches metrics
   * on demand, so the first answers may still be empty.
   */
  private long numRestarts(URI rest) throws Exception {
    JsonNode metrics = null;
    for (int attempt = 0; attempt < 60; attempt++) {
      metrics = restGet(rest, "/jobs/" + job.getJobID() + "/metrics?get=numRestarts");
      if (metrics.isArray() && metrics.size() == 1) {
        return metrics.get(0).path("value").asLong();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no numRestarts metric: " + metrics);
  }

  /**
   * Every failure the job went through (each one is followed by a restart or the end of the job).
   */
  private List<String> exceptionHistory(URI rest) throws Exception {
    List<String> failures = new ArrayList<>();
    restGet(rest, "/jobs/" + job.getJobID() + "/exceptions")
        .path("exceptionHistory")
        .path("entries")
        .forEach(e -> failures.add(e.path("exceptionName").asText()));
    return failures;
  }

  private static JsonNode restGet(URI rest, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** Waits for {@code condition}, failing at once with the job's root cause if the job ends. */
  private void waitFor(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      JobStatus status = status(job);
      if (status != null && status.isGloballyTerminalState()) {
        Throwable cause = null;
        try {
          job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          cause = e;
          while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
          }
        }
        throw new AssertionError(
            "the job ended "
                + status
                + " while waiting for "
                + what
                + (cause == null ? "" : ": " + cause),
            cause);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; job " + status);
      }
      Thread.sleep(250);
    }
  }
}
