package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Alert;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.VoteOutcome;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One input through the streaming job (the real broker, event time from the records) and through
 * the bounded job (files): every output must be the same set of records. The input is shipped real
 * data (GSM8K and MATH groups; OpenAssistant replies with their human rankings and thumbs) plus
 * timing meant to break a mode that means something else: a late group member, members out of
 * order, a group split across a batch's wait, two policy versions ten minutes apart, votes before
 * and after their generations inside and outside the feedback waits, a gap longer than every
 * timeout and retention with a generation re-sent after it, and an event time ahead of the clock.
 *
 * <p>Records are compared without the fields that are not part of a record's meaning, which
 * docs/bounded.md lists with the reason: wall-clock times ({@code scoredAtMs}, {@code deadAtMs})
 * and where a dead letter was read ({@code topic}, {@code partition}, {@code offset}: a topic and
 * its offsets against a file name and its line numbers).
 *
 * <p>The streaming job gets the input in two parts, each in one go, as a backlog. A late member is
 * only late once the watermark has passed it, and a live job's watermark follows the records it has
 * read with a delay of its own, so the second part is produced once the first part's watermark is
 * seen to have arrived (a one-member group, without consent, that times out exactly then and so
 * appears on the set-aside topic); the job is drained after the same sign for the second part.
 */
class BoundedStreamingParityITCase {

  private static final long T = 1_767_225_600_000L;
  private static final long MIN = 60_000;
  private static final long HOUR = 60 * MIN;

  /** watermark.out-of-orderness: the watermark trails the newest event time by this, plus 1 ms. */
  private static final long OUT_OF_ORDERNESS = 5_000;

  private static final long GROUP_TIMEOUT = 2 * MIN;
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** One input in two parts; each part's lines for each input, in the order they are read. */
  private static final class Input {
    final List<List<String>> generations = List.of(new ArrayList<>(), new ArrayList<>());
    final List<List<String>> feedback = List.of(new ArrayList<>(), new ArrayList<>());
    final String[] sentinels = new String[2];
  }

  @Test
  void theStreamingJobAndTheBoundedJobWriteTheSameRecordsForTheSameInput() throws Exception {
    Input input = input();
    Map<String, String> settings = new HashMap<>();
    settings.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 min");
    settings.put(LodestarOptions.PREFERENCE_RATING_GAP.key(), "0");
    settings.put(LodestarOptions.EXPORT_PREFERENCE_FORMATS.key(), "");
    settings.put(LodestarOptions.EXPORT_FORMATS.key(), "");
    // A rule the real answers trip, so alerts are compared too.
    settings.put(
        LodestarOptions.ALARM_RULES.key(),
        "parity-accuracy: verifierPassRate < 0.6 and verifierJudged >= 3");

    Map<String, List<String>> bounded = runBounded(input, settings);
    Map<String, List<String>> streaming = runStreaming(input, settings);

    assertThat(bounded.get("scored")).hasSizeGreaterThan(400);
    assertThat(bounded.get("batches")).hasSizeGreaterThan(5);
    assertThat(bounded.get("pairs")).hasSizeGreaterThan(20);
    assertThat(bounded.get("unpaired")).isNotEmpty();
    assertThat(bounded.get("filtered-groups")).isNotEmpty();
    assertThat(bounded.get("health-metrics")).isNotEmpty();
    assertThat(bounded.get("alerts")).anyMatch(a -> a.contains("\"FIRING\""));
    assertThat(bounded.get("dead-letters"))
        .anyMatch(d -> d.contains("LATE_GROUP_MEMBER"))
        .anyMatch(d -> d.contains("UNMATCHED_FEEDBACK"))
        .anyMatch(d -> d.contains("FUTURE_EVENT_TIME"));
    Map<String, String> differences = new TreeMap<>();
    for (String output : BoundedJob.OUTPUTS) {
      System.out.printf(
          "parity %s: bounded %d, streaming %d records%n",
          output, bounded.get(output).size(), streaming.get(output).size());
      differences.putAll(differences(output, bounded.get(output), streaming.get(output)));
    }
    // The late member's event is behind the generations' watermark: the bounded job, reading its
    // feedback file side by side, may still count it in its health window (docs/bounded.md).
    String lateWindow = "adv-late@0/";
    differences
        .keySet()
        .removeIf(k -> k.startsWith("health-metrics / ") && k.contains(" / " + lateWindow));
    assertThat(differences).as("records of one mode that the other did not write").isEmpty();
  }

  // ---- the input ----

  private static Input input() throws Exception {
    Input in = new Input();
    List<String> gens1 = in.generations.get(0);
    List<String> fb1 = in.feedback.get(0);
    List<String> gens2 = in.generations.get(1);
    List<String> fb2 = in.feedback.get(1);

    // Part one, event time T to T + 25 min, each record at most a few hundred ms behind the newest.
    List<Generation> real = realGroups(24);
    // Two policy versions, interleaved group by group; one group's members out of order by 2 s.
    String firstReal = real.get(0).getGenerationId();
    for (Generation g : real) {
      gens1.add(json(g));
    }
    long a = T + 500_000; // after the real groups
    gens1.add(json(member("late", "adv-late", 0, 3, 0, a + 5_000, true)));
    gens1.add(json(member("late", "adv-late", 0, 3, 1, a + 6_000, true)));
    // A partial batch opens at a + 30 s and goes out at a + 90 s; "across" closes after that.
    gens1.add(json(member("before-wait", "adv", 0, 2, 0, a + 29_000, true)));
    gens1.add(json(member("before-wait", "adv", 0, 2, 1, a + 30_000, true)));
    gens1.add(json(member("across", "adv", 0, 2, 0, a + 60_000, true)));
    gens1.add(json(member("across", "adv", 0, 2, 1, a + 100_000, true)));
    // Two versions of one model ten minutes apart: two batches, each at its own wait.
    gens1.add(json(member("version-3", "adv-versions", 3, 2, 0, a + 200_000, true)));
    gens1.add(json(member("version-3", "adv-versions", 3, 2, 1, a + 200_100, true)));
    gens1.add(json(member("version-4", "adv-versions", 4, 2, 0, a + 800_000, true)));
    gens1.add(json(member("version-4", "adv-versions", 4, 2, 1, a + 800_100, true)));
    long end1 = T + 25 * MIN;
    in.sentinels[0] = sentinel(gens1, "part-1", end1);
    gens1.add(json(member("tick-1", "adv", 0, 1, 0, end1, true)));
    fb1.add(json(thumb("thumb-part-1", firstReal, true, end1)));

    // Part two: first the late member, then OASST, votes, a gap of a day, a time ahead of the
    // clock.
    gens2.add(json(member("late", "adv-late", 0, 3, 2, a + 7_000, true)));
    long oasstAt = end1 + MIN;
    OasstConversations.Converted oasst =
        OasstConversations.read(BoundedJobITCase.testData().resolve("oasst/en_100_tree.jsonl"));
    for (Generation g : oasst.generations) {
      long at = g.getCreatedAtMs() - OasstConversations.T0 + oasstAt;
      gens2.add(json(Generation.newBuilder(g).setCreatedAtMs(at).build()));
    }
    for (Feedback f : oasst.feedback) {
      fb2.add(
          json(
              Feedback.newBuilder(f)
                  .setCreatedAtMs(f.getCreatedAtMs() - OasstConversations.T0 + oasstAt)
                  .build()));
    }
    long votedAt = end1 + 40 * MIN;
    gens2.add(json(member("voted", "adv-votes", 5, 2, 0, votedAt, true)));
    gens2.add(json(member("voted", "adv-votes", 5, 2, 1, votedAt + 100, true)));
    fb2.add(json(vote("vote-30-min-before", "voted-m0", "voted-m1", votedAt - 30 * MIN)));
    fb2.add(json(vote("vote-5-min-before", "voted-m0", "voted-m1", votedAt - 5 * MIN)));
    fb2.add(json(thumb("thumb-2-min-before", "voted-m0", true, votedAt - 2 * MIN)));
    fb2.add(json(vote("vote-30-min-after", "voted-m1", "voted-m0", votedAt + 30 * MIN)));
    fb2.add(json(vote("vote-3-h-after", "voted-m0", "voted-m1", votedAt + 3 * HOUR)));
    // A day and two hours later: past dedup, keep, wait, late and group retention.
    long afterGap = votedAt + 26 * HOUR;
    Generation resent = Generation.newBuilder(real.get(5)).setCreatedAtMs(afterGap).build();
    gens2.add(json(resent));
    gens2.add(json(member("after-gap", "adv", 0, 2, 0, afterGap + 1_000, true)));
    fb2.add(json(vote("vote-after-gap", "voted-m0", "after-gap-m0", afterGap + 2_000)));
    gens2.add(json(member("after-gap", "adv", 0, 2, 1, afterGap + 3_000, true)));
    gens2.add(json(member("future", "adv", 0, 1, 0, System.currentTimeMillis() + 24 * HOUR, true)));
    long end2 = afterGap + 20 * MIN;
    in.sentinels[1] = sentinel(gens2, "part-2", end2);
    gens2.add(json(member("tick-2", "adv", 0, 1, 0, end2, true)));
    // Feedback reaches the same event time, so neither input waits for the other to go idle.
    fb2.add(json(thumb("thumb-end", "no-such-generation", true, end2)));
    gens2.add("not a generation");
    fb2.add("not feedback");
    return in;
  }

  /**
   * A one-member group without consent whose timeout ends exactly at the watermark {@code end}
   * brings: seen on the set-aside output, it says the watermark has reached that point.
   */
  private static String sentinel(List<String> generations, String name, long end) throws Exception {
    String groupId = "sentinel-" + name;
    long at = end - OUT_OF_ORDERNESS - 1 - GROUP_TIMEOUT;
    generations.add(json(member(groupId, "sentinel", 0, 2, 0, at, false)));
    return groupId;
  }

  /**
   * The first {@code groups} real GSM8K and MATH groups, 20 s apart, two policy versions
   * alternating.
   */
  private static List<Generation> realGroups(int groups) throws Exception {
    List<Generation> out = new ArrayList<>();
    List<String> lines =
        Files.readAllLines(BoundedJobITCase.testData().resolve("generations/groups.jsonl"));
    for (int k = 0; k < groups; k++) {
      JsonNode group = JSON.readTree(lines.get(k));
      String groupId = group.path("group_id").asText();
      JsonNode members = group.path("generations");
      List<Generation> these = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        these.add(
            Generation.newBuilder()
                .setGenerationId(groupId + "/" + i)
                .setPromptId(groupId)
                .setGroupId(groupId)
                .setExpectedGroupSize(members.size())
                .setSampleIndex(i)
                .setPrompt(List.of(new ChatMessage("user", group.path("prompt").asText())))
                .setResponse(members.get(i).path("text").asText())
                .setTask(
                    TaskMetadata.newBuilder()
                        .setDataSource(groupId.startsWith("gsm8k") ? "gsm8k" : "math")
                        .setKind(TaskKind.MATH)
                        .setGroundTruth(group.path("gold_answer").asText())
                        .build())
                .setPolicy(
                    Policy.newBuilder().setModelId("real-examples").setPolicyVersion(k % 2).build())
                .setCreatedAtMs(T + k * 20_000L + i * 100L)
                .setConsentToTrain(true)
                .build());
      }
      if (k == 3) {
        // Read in reverse: each member up to a few hundred ms before the one read ahead of it.
        Collections.reverse(these);
      }
      out.addAll(these);
    }
    return out;
  }

  private static Generation member(
      String groupId, String model, long version, int size, int index, long at, boolean consent) {
    return Generation.newBuilder()
        .setGenerationId(groupId + "-m" + index)
        .setPromptId("prompt-" + groupId)
        .setGroupId(groupId)
        .setExpectedGroupSize(size)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 * 7?")))
        .setResponse(index % 2 == 0 ? "6 * 7 = 42. The answer is 42." : "The answer is 41.")
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("timing")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build())
        .setPolicy(Policy.newBuilder().setModelId(model).setPolicyVersion(version).build())
        .setCreatedAtMs(at)
        .setConsentToTrain(consent)
        .build();
  }

  private static Feedback vote(String id, String a, String b, long at) {
    return Feedback.newBuilder()
        .setFeedbackId(id)
        .setGenerationId(a)
        .setOtherGenerationId(b)
        .setKind(FeedbackKind.PAIRWISE)
        .setOutcome(VoteOutcome.A)
        .setCreatedAtMs(at)
        .build();
  }

  private static Feedback thumb(String id, String generationId, boolean up, long at) {
    return Feedback.newBuilder()
        .setFeedbackId(id)
        .setGenerationId(generationId)
        .setKind(FeedbackKind.THUMB)
        .setThumbUp(up)
        .setCreatedAtMs(at)
        .build();
  }

  private static String json(SpecificRecordBase record) {
    return PlainJson.toJsonString(record);
  }

  // ---- the two runs ----

  private Map<String, List<String>> runBounded(Input input, Map<String, String> settings)
      throws Exception {
    Path generations = work.resolve("generations.jsonl");
    Path feedback = work.resolve("feedback.jsonl");
    List<String> allGenerations = new ArrayList<>();
    input.generations.forEach(allGenerations::addAll);
    List<String> allFeedback = new ArrayList<>();
    input.feedback.forEach(allFeedback::addAll);
    Files.write(generations, allGenerations);
    Files.write(feedback, allFeedback);
    Path out = work.resolve("bounded");
    BoundedJob.run(
        new BoundedJob.Inputs(generations, feedback, out),
        LodestarOptions.fromMap(settings, name -> null));
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    for (String output : BoundedJob.OUTPUTS) {
      outputs.put(
          output, normalised(output, JsonLinesTestFiles.read(out.resolve(output), typeOf(output))));
    }
    return outputs;
  }

  private Map<String, List<String>> runStreaming(Input input, Map<String, String> settings)
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    kafka.createTopics(1, topics.all());
    Map<String, String> values = new HashMap<>(settings);
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
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "parity-" + topics.suffix());
    values.put(LodestarOptions.SOURCE_STARTING_OFFSETS.key(), "earliest");
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "parity-" + topics.suffix());
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "0");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    PipelineJob.build(env, options);
    JobClient job = env.executeAsync("bounded-streaming-parity");
    started.add(job);
    for (int part = 0; part < 2; part++) {
      publish(topics.generations(), input.generations.get(part));
      publish(topics.feedback(), input.feedback.get(part));
      String sentinel = input.sentinels[part];
      waitFor(
          "the watermark of part " + (part + 1),
          job,
          () ->
              committed(topics.filteredGroups(), RLGroup.class).stream()
                  .anyMatch(g -> g.getGroupId().equals(sentinel)));
    }
    // Both inputs read to their last line (each ends with a line that is a dead letter).
    waitFor(
        "both inputs read to the end",
        job,
        () ->
            committed(topics.deadLetters(), DeadLetter.class).stream()
                    .filter(
                        d ->
                            "MALFORMED".equals(d.getErrorKind())
                                || "UNRECOGNIZED_ENCODING".equals(d.getErrorKind()))
                    .count()
                >= 2);
    job.stopWithSavepoint(
            true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);

    Map<String, String> topicOf =
        Map.of(
            "scored",
            topics.scored(),
            "batches",
            topics.batches(),
            "pairs",
            topics.pairs(),
            "unpaired",
            topics.unpaired(),
            "dead-letters",
            topics.deadLetters(),
            "filtered-groups",
            topics.filteredGroups(),
            "health-metrics",
            topics.healthMetrics(),
            "alerts",
            topics.alerts());
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    for (String output : BoundedJob.OUTPUTS) {
      outputs.put(
          output,
          normalised(
              output,
              CommittedRecords.read(
                  kafka.bootstrapServers(), topicOf.get(output), typeOf(output))));
    }
    return outputs;
  }

  private static <T extends SpecificRecordBase> List<T> committed(String topic, Class<T> type) {
    return CommittedRecords.decode(
        CommittedReader.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(30)), type);
  }

  private static void publish(String topic, List<String> lines) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    props.put("linger.ms", "20");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (String line : lines) {
        // The very bytes of the file's line, so a dead letter's payload is the same in both modes.
        producer.send(new ProducerRecord<>(topic, 0, null, line.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private static void waitFor(String what, JobClient job, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!condition.getAsBoolean()) {
      JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the job ended " + status + " while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  // ---- comparing ----

  private static Class<? extends SpecificRecordBase> typeOf(String output) {
    return switch (output) {
      case "scored" -> ScoredGeneration.class;
      case "batches" -> RLBatch.class;
      case "pairs" -> PreferencePair.class;
      case "unpaired" -> UnpairedExample.class;
      case "dead-letters" -> DeadLetter.class;
      case "filtered-groups" -> RLGroup.class;
      case "health-metrics" -> HealthMetrics.class;
      case "alerts" -> Alert.class;
      default -> throw new IllegalArgumentException(output);
    };
  }

  /**
   * Each record as canonical JSON without the fields that differ between modes by design:
   * processing times, and a dead letter's source position (payloads that are JSON are compared as
   * JSON without processing times too: a late member's payload is its scored record).
   */
  private static <T extends SpecificRecordBase> List<String> normalised(
      String output, List<T> records) throws Exception {
    if (output.equals("health-metrics")) {
      return healthWindows(records);
    }
    List<String> out = new ArrayList<>();
    for (T record : records) {
      ObjectNode node = (ObjectNode) JSON.readTree(PlainJson.toJsonString(record));
      if (record instanceof DeadLetter d) {
        node.remove(List.of("topic", "partition", "offset", "deadAtMs"));
        if (d.getOrigin().startsWith("parse.")) {
          // Read from Kafka: the record's broker timestamp; a file line has none.
          node.remove("recordTimestampMs");
        }
        // The reason says how far ahead of the wall clock the event time was when it was checked.
        node.put(
            "reason",
            d.getReason()
                .replaceAll(
                    "is -?\\d+ ms ahead of the wall clock \\(\\d+\\)",
                    "is ahead of the wall clock"));
        byte[] payload = new byte[d.getPayload().remaining()];
        d.getPayload().duplicate().get(payload);
        node.put("payload", payloadText(payload));
      }
      out.add(canonical(withoutProcessingTimes(node)));
    }
    out.sort(String::compareTo);
    return out;
  }

  /**
   * Each health window's last revision, without what timer-driven outputs add to it. A group that
   * times out, a batch that waited, thumbs and ratings compared after their prompt window: each is
   * counted at its own event time, which the watermark has already passed when it is emitted, so
   * whether it counts on time, as a late revision, or not at all depends on how the watermark
   * advanced (docs/bounded.md). What generations and feedback add is compared; a window left with
   * neither is left out.
   */
  private static <T extends SpecificRecordBase> List<String> healthWindows(List<T> records)
      throws Exception {
    Map<String, HealthMetrics> last = new TreeMap<>();
    for (T record : records) {
      HealthMetrics m = (HealthMetrics) record;
      String window = m.getMetricsId().replaceAll("#\\d+$", "");
      HealthMetrics seen = last.get(window);
      if (seen == null || seen.getRevision() < m.getRevision()) {
        last.put(window, m);
      }
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, HealthMetrics> e : last.entrySet()) {
      HealthMetrics m = e.getValue();
      if (m.getGenerations() == 0 && m.getFeedback() == 0) {
        continue;
      }
      ObjectNode node = (ObjectNode) JSON.readTree(PlainJson.toJsonString(m));
      node.put("metricsId", e.getKey());
      node.remove(
          List.of(
              "revision",
              "lateEvents",
              "groups",
              "zeroVarianceGroups",
              "zeroVarianceFraction",
              "batches",
              "batchSamples",
              "staleness",
              "pairs",
              "pairsBySource"));
      out.add(canonical(node));
    }
    out.sort(String::compareTo);
    return out;
  }

  private static String payloadText(byte[] payload) {
    try {
      JsonNode parsed = JSON.readTree(payload);
      if (parsed != null && parsed.isObject()) {
        return canonical(withoutProcessingTimes(parsed));
      }
    } catch (Exception notJson) {
      // compared as bytes
    }
    return Base64.getEncoder().encodeToString(payload);
  }

  private static JsonNode withoutProcessingTimes(JsonNode node) {
    if (node.isObject()) {
      ((ObjectNode) node).remove("scoredAtMs");
      node.elements().forEachRemaining(BoundedStreamingParityITCase::withoutProcessingTimes);
    } else if (node.isArray()) {
      node.elements().forEachRemaining(BoundedStreamingParityITCase::withoutProcessingTimes);
    }
    return node;
  }

  private static String canonical(JsonNode node) throws Exception {
    return JSON.writer()
        .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .writeValueAsString(JSON.treeToValue(node, Object.class));
  }

  /** A record's id, to read a difference by. */
  private static String idOf(String record) {
    try {
      JsonNode node = JSON.readTree(record);
      for (String field :
          List.of(
              "metricsId", "alertId", "batchId", "pairId", "exampleId", "groupId", "recordId")) {
        if (node.hasNonNull(field)) {
          return node.get(field).asText()
              + (node.has("errorKind") ? " " + node.get("errorKind").asText() : "");
        }
      }
      if (node.has("generation")) {
        return node.get("generation").path("generationId").asText();
      }
    } catch (Exception e) {
      // fall through
    }
    return "?";
  }

  /**
   * The records only one mode wrote, as "output / mode / record" (a record written twice counts
   * twice).
   */
  private static Map<String, String> differences(
      String output, List<String> bounded, List<String> streaming) {
    Map<String, Integer> counts = new HashMap<>();
    bounded.forEach(r -> counts.merge(r, 1, Integer::sum));
    streaming.forEach(r -> counts.merge(r, -1, Integer::sum));
    Map<String, String> differences = new TreeMap<>();
    int n = 0;
    for (Iterator<Map.Entry<String, Integer>> it = counts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Integer> e = it.next();
      if (e.getValue() != 0) {
        String mode = e.getValue() > 0 ? "bounded only" : "streaming only";
        String record = e.getKey();
        differences.put(output + " / " + mode + " / " + idOf(record) + " / " + (n++), record);
      }
    }
    return differences;
  }
}
