package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertScope;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.TrafficSimulator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming pipeline end to end through a real (in-process) Kafka broker and a Flink
 * MiniCluster.
 */
class PipelineITCase {

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

  /**
   * Checkpoints outlive their job for a moment (the job manager discards them asynchronously once
   * it ends), so they go where nothing is deleted before the cluster has shut down.
   */
  @TempDir static Path checkpoints;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  private final List<JobClient> started = new ArrayList<>();
  private URI rest;

  @BeforeEach
  void findRestEndpoint(@InjectClusterRESTAddress URI address) {
    rest = address;
  }

  /**
   * A test that failed before its drain must not leave its job holding the shared cluster's slots.
   */
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

  @Test
  void
      everyOutputIsSeenExactlyOnceByReadCommittedReadersAndInTheTrainerFilesAcrossAnInjectedTaskFailure()
          throws Exception {
    TestTopics topics = TestTopics.fresh();
    // Corrupt records among the traffic, and second thumbs on some prompts: THUMBS pairs as well as
    // unpaired examples.
    SimulatedTraffic traffic =
        new SimulatedTraffic(settings(7L, 0.3), UnaryOperator.identity(), true);
    assertThat(traffic.rejected)
        .as("corrupt records in the traffic")
        .hasSizeGreaterThanOrEqualTo(5);
    assertThat(traffic.expectedPairs)
        .extracting(SimulatedTraffic.ExpectedPair::source)
        .contains(PairSource.VOTE, PairSource.THUMBS);
    // Two-second health windows: the generations spread over several of them.
    long windowMs = 2_000;
    Map<Long, Long> generationsPerWindow = traffic.generationsPerWindow(windowMs);
    assertThat(generationsPerWindow).hasSizeGreaterThanOrEqualTo(3);
    int busy = busyThreshold(generationsPerWindow);
    Path exports = work.resolve("exports-" + topics.suffix());
    Map<String, String> values = new HashMap<>(optionValues(topics, 3));
    values.put(LodestarOptions.EXPORT_DIR.key(), exports.toUri().toString());
    values.put(LodestarOptions.EXPORT_FORMATS.key(), "verl-jsonl");
    values.put(LodestarOptions.EXPORT_PREFERENCE_FORMATS.key(), "trl-preference-jsonl,kto-jsonl");
    values.put(LodestarOptions.HEALTH_WINDOW.key(), windowMs + " ms");
    // No window's count may depend on how late the replay after the failure brings its generations.
    values.put(LodestarOptions.HEALTH_ALLOWED_LATENESS.key(), "10 min");
    // Rules whose alerts follow from the generations per window alone: feedback-only windows
    // neither fire nor clear them.
    values.put(
        LodestarOptions.ALARM_RULES.key(),
        String.join(
            "; ",
            "seen: generations >= 1 for 1 windows clear when generations < 0",
            "seen-policy: generations >= 1 for 1 windows per policy clear when generations < 0",
            "busy: generations >= "
                + busy
                + " for 1 windows clear when responseLength.count < "
                + busy));
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    FailOnceAfterCheckpoint.reset();

    JobClient job = start(options, topics, true);
    List<SimulatedTraffic.Message> messages = traffic.messages;
    int half = messages.size() / 2;
    Map<SimulatedTraffic.Message, Position> positions =
        new IdentityHashMap<>(publish(topics, messages.subList(0, half)));
    waitFor("a completed checkpoint", FailOnceAfterCheckpoint.CHECKPOINTED::get);
    positions.putAll(publish(topics, messages.subList(half, messages.size())));
    waitFor("the injected failure", FailOnceAfterCheckpoint.FAILED::get);
    waitForCommitted(
        "all scored generations",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    drain(job);

    assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();
    assertExactlyOnce(traffic, topics);
    assertDeadLettersExactlyOnce(traffic, topics, positions);
    assertHealthWindowsExactlyOnce(topics, generationsPerWindow, traffic.generationIds.size());
    assertAlertsExactlyOnce(
        topics, generationsPerWindow, busy, traffic.generations().iterator().next());

    // The files a trainer would load hold each committed record once: the same set as the topics.
    List<String> sampleIds = new ArrayList<>();
    read(topics.batches(), RLBatch.class)
        .forEach(
            b ->
                b.getGroups()
                    .forEach(
                        g ->
                            g.getSamples()
                                .forEach(sample -> sampleIds.add(sample.getGenerationId()))));
    assertThat(
            finishedRows(
                exports.resolve("verl-jsonl"),
                "samples",
                r -> r.path("extra_info").path("generation_id").asText()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(sampleIds);
    assertThat(
            finishedRows(
                exports.resolve("trl-preference-jsonl"), "pairs", r -> r.path("pair_id").asText()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            read(topics.pairs(), PreferencePair.class).stream()
                .map(PreferencePair::getPairId)
                .toList());
    assertThat(
            finishedRows(
                exports.resolve("kto-jsonl"), "examples", r -> r.path("example_id").asText()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            read(topics.unpaired(), UnpairedExample.class).stream()
                .map(UnpairedExample::getExampleId)
                .toList());
  }

  /**
   * Each rejected record once, from where it was written, with the kind its bytes call for; and
   * nothing else: this traffic has no late, unmatched or inconsistent records.
   */
  private static void assertDeadLettersExactlyOnce(
      SimulatedTraffic traffic,
      TestTopics topics,
      Map<SimulatedTraffic.Message, Position> positions) {
    List<Tuple> expected = new ArrayList<>();
    for (SimulatedTraffic.Rejected r : traffic.rejected) {
      Position at = positions.get(r.message());
      expected.add(
          tuple(
              at.topic(),
              at.partition(),
              at.offset(),
              r.errorKind(),
              ByteBuffer.wrap(r.message().value())));
    }
    List<DeadLetter> deadLetters = read(topics.deadLetters(), DeadLetter.class);
    assertThat(deadLetters)
        .extracting(
            DeadLetter::getTopic,
            DeadLetter::getPartition,
            DeadLetter::getOffset,
            DeadLetter::getErrorKind,
            DeadLetter::getPayload)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(deadLetters).allSatisfy(d -> assertThat(d.getReason()).isNotBlank());
  }

  /**
   * Each health row once (its metrics id once, the revisions of a window 0, 1, ... without a gap),
   * and in the newest revision of each window exactly the generations whose event time falls in it,
   * in the data source's rows and in the roll-up: N over all windows.
   */
  private static void assertHealthWindowsExactlyOnce(
      TestTopics topics, Map<Long, Long> expectedPerWindow, int uniqueGenerations) {
    List<HealthMetrics> metrics = read(topics.healthMetrics(), HealthMetrics.class);
    assertThat(metrics).extracting(HealthMetrics::getMetricsId).doesNotHaveDuplicates();
    Map<List<Object>, List<HealthMetrics>> byWindow = new HashMap<>();
    metrics.forEach(
        m ->
            byWindow
                .computeIfAbsent(
                    List.of(
                        m.getModelId(),
                        m.getPolicyVersion(),
                        m.getDataSource(),
                        m.getWindowStartMs()),
                    k -> new ArrayList<>())
                .add(m));
    Map<String, Map<Long, Long>> generationsBySource = new HashMap<>();
    byWindow.forEach(
        (window, revisions) -> {
          revisions.sort(Comparator.comparingInt(HealthMetrics::getRevision));
          assertThat(revisions)
              .as("revisions of %s", window)
              .extracting(HealthMetrics::getRevision)
              .containsExactlyElementsOf(IntStream.range(0, revisions.size()).boxed().toList());
          HealthMetrics newest = revisions.get(revisions.size() - 1);
          if (newest.getGenerations() > 0) {
            generationsBySource
                .computeIfAbsent(newest.getDataSource(), k -> new TreeMap<>())
                .merge(newest.getWindowStartMs(), newest.getGenerations(), Long::sum);
          }
        });
    assertThat(generationsBySource).containsOnlyKeys("simulated-math", "*");
    assertThat(generationsBySource.get("simulated-math")).isEqualTo(expectedPerWindow);
    assertThat(generationsBySource.get("*")).isEqualTo(expectedPerWindow);
    assertThat(generationsBySource.get("*").values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(uniqueGenerations);
  }

  /**
   * The alerts the rules set in the failure run give, worked out from the generations per window:
   * "seen" fires once in the first window with a generation, in the source's scope and the
   * policy's, and never clears; "busy" fires in each window with at least {@code busy} generations
   * while clear, and clears in each window with fewer (but some) generations while firing. Each
   * alert once.
   */
  private static void assertAlertsExactlyOnce(
      TestTopics topics, Map<Long, Long> generationsPerWindow, int busy, Generation any) {
    long first = generationsPerWindow.keySet().iterator().next();
    List<Tuple> expected = new ArrayList<>();
    expected.add(tuple("seen", AlertState.FIRING, AlertScope.SOURCE, "simulated-math", first));
    expected.add(tuple("seen-policy", AlertState.FIRING, AlertScope.POLICY, "*", first));
    expectedBusyAlerts(generationsPerWindow, busy)
        .forEach(
            (start, state) ->
                expected.add(tuple("busy", state, AlertScope.SOURCE, "simulated-math", start)));
    List<Alert> alerts = read(topics.alerts(), Alert.class);
    assertThat(alerts).extracting(Alert::getAlertId).doesNotHaveDuplicates();
    assertThat(alerts)
        .extracting(
            Alert::getRuleId,
            Alert::getState,
            Alert::getScope,
            Alert::getDataSource,
            Alert::getWindowStartMs)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(alerts)
        .allSatisfy(
            a -> {
              assertThat(a.getModelId()).isEqualTo(any.getPolicy().getModelId());
              assertThat(a.getPolicyVersion()).isEqualTo(any.getPolicy().getPolicyVersion());
            });
  }

  /**
   * The windows in which "busy" (at least {@code busy} generations; clear below, with some) fires
   * and clears.
   */
  private static Map<Long, AlertState> expectedBusyAlerts(
      Map<Long, Long> generationsPerWindow, int busy) {
    Map<Long, AlertState> alerts = new TreeMap<>();
    boolean firing = false;
    for (Map.Entry<Long, Long> window : generationsPerWindow.entrySet()) {
      if (!firing && window.getValue() >= busy) {
        firing = true;
        alerts.put(window.getKey(), AlertState.FIRING);
      } else if (firing && window.getValue() < busy) {
        firing = false;
        alerts.put(window.getKey(), AlertState.CLEARED);
      }
    }
    return alerts;
  }

  /** The highest threshold at which "busy" both fires and clears on these windows. */
  private static int busyThreshold(Map<Long, Long> generationsPerWindow) {
    long most =
        generationsPerWindow.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    for (int busy = (int) most; busy >= 2; busy--) {
      if (expectedBusyAlerts(generationsPerWindow, busy).containsValue(AlertState.CLEARED)) {
        return busy;
      }
    }
    throw new IllegalStateException(
        "no threshold both fires and clears on " + generationsPerWindow);
  }

  /**
   * One value of each row of the finished JSON Lines files in {@code dir} (hidden in-progress parts
   * left out).
   */
  private static List<String> finishedRows(
      Path dir, String prefix, Function<JsonNode, String> value) throws IOException {
    List<Path> files = JsonLinesTestFiles.finished(dir);
    assertThat(files)
        .isNotEmpty()
        .allSatisfy(
            f ->
                assertThat(f.getFileName().toString()).startsWith(prefix + "-").endsWith(".jsonl"));
    List<String> values = new ArrayList<>();
    for (String line : JsonLinesTestFiles.lines(files)) {
      values.add(value.apply(JSON.readTree(line)));
    }
    return values;
  }

  @Test
  void corruptAndInvalidRecordsGoToDeadLettersWithoutRestartingTheJob() throws Exception {
    TestTopics topics = TestTopics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(11L, 0.5));
    traffic.addInvalidGeneration(traffic.anyGeneration(), " ", 4);
    traffic.addInvalidGeneration(traffic.anyGeneration(), "invalid-group-size", 0);
    // No restarts allowed: any exception would fail the job and the drain below with it.
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    // The gate is on for batches and pairs; the default rules do not fire on this traffic, so all
    // pass.
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(LodestarOptions.GATE_PAIRS.key(), "true");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    Map<SimulatedTraffic.Message, Position> positions = publish(topics, traffic.messages);
    waitForCommitted(
        "all dead letters",
        topics.deadLetters(),
        DeadLetter.class,
        traffic.rejectedPayloads.size());
    waitForCommitted(
        "all scored generations",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    drain(job);

    // Every corrupt and invalid record once, with its kind, from where it was written.
    assertDeadLettersExactlyOnce(traffic, topics, positions);
    assertExactlyOnce(traffic, topics);
  }

  /**
   * The README's promise for learned scorers: turning one on later adds operators with new uids,
   * and every existing operator restores from a savepoint. The job stops with a savepoint while a
   * group has half its members; the job restored with a remote reward model and a judge added
   * completes that group from its restored state, de-duplicates re-sent generations against its
   * restored state, continues the batch sequence, and scores only what arrives after it with the
   * new scorers. Nothing is lost or doubled.
   */
  @Test
  void aSavepointRestoresIntoTheJobWithRemoteScorersAddedAndItsOpenGroupCompletesExactlyOnce()
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(23L, 0.0, 16));
    List<SimulatedTraffic.Message> messages = traffic.messages;
    // The cut: after the second member of the first trainable group that starts in the second half.
    Map<String, Integer> firstMessage = new HashMap<>();
    Map<String, Set<String>> membersSeen = new HashMap<>();
    String openGroup = null;
    int cut = -1;
    for (int i = 0; i < messages.size() && openGroup == null; i++) {
      Generation g = traffic.generationOf(messages.get(i));
      if (g == null) {
        continue;
      }
      firstMessage.putIfAbsent(g.getGroupId(), i);
      membersSeen.computeIfAbsent(g.getGroupId(), k -> new HashSet<>()).add(g.getGenerationId());
      if (firstMessage.get(g.getGroupId()) >= messages.size() / 2
          && traffic.trainableGroupIds.contains(g.getGroupId())
          && membersSeen.get(g.getGroupId()).size() == 2) {
        openGroup = g.getGroupId();
        cut = i + 1;
      }
    }
    assertThat(openGroup).as("a trainable group in the second half").isNotNull();
    List<SimulatedTraffic.Message> before = messages.subList(0, cut);
    Set<String> scoredBefore = new HashSet<>();
    List<SimulatedTraffic.Message> resent = new ArrayList<>();
    for (SimulatedTraffic.Message m : before) {
      Generation g = traffic.generationOf(m);
      if (g != null) {
        scoredBefore.add(g.getGenerationId());
        resent.add(m);
      }
    }
    List<SimulatedTraffic.Message> after = new ArrayList<>(resent);
    after.addAll(messages.subList(cut, messages.size()));

    JobClient first = start(options(topics, 0), topics, false);
    publish(topics, before);
    waitForCommitted(
        "the generations before the cut",
        topics.scored(),
        ScoredGeneration.class,
        scoredBefore.size());
    String savepoint =
        first
            .stopWithSavepoint(
                false, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    assertThat(first.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
    String open = openGroup;
    assertThat(read(topics.batches(), RLBatch.class))
        .as("the open group is not batched before the savepoint")
        .allSatisfy(
            b -> assertThat(b.getGroups()).extracting(RLGroup::getGroupId).doesNotContain(open));

    AtomicInteger rewardCalls = new AtomicInteger();
    AtomicInteger judgeCalls = new AtomicInteger();
    HttpServer scorers =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    scorers.createContext(
        "/get_reward", exchange -> reply(exchange, rewardCalls, "{\"rewards\": [0.25]}"));
    scorers.createContext(
        "/v1/chat/completions",
        exchange ->
            reply(
                exchange,
                judgeCalls,
                "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"SCORE: 7\"}}]}"));
    scorers.setExecutor(Executors.newFixedThreadPool(2));
    scorers.start();
    try {
      Map<String, String> values = new HashMap<>(optionValues(topics, 0));
      String base = "http://127.0.0.1:" + scorers.getAddress().getPort();
      values.put("remote-reward.url", base + "/get_reward");
      values.put("judge.url", base);
      values.put("judge.model", "judge-test");
      JobClient restored =
          start(LodestarOptions.fromMap(values, name -> null), topics, false, savepoint);
      publish(topics, after);
      waitForCommitted(
          "all scored generations",
          topics.scored(),
          ScoredGeneration.class,
          traffic.generationIds.size());
      drain(restored);
    } finally {
      scorers.stop(0);
    }

    assertExactlyOnce(traffic, topics);
    assertThat(read(topics.deadLetters(), DeadLetter.class))
        .as("no late, re-scored or unmatched record")
        .isEmpty();
    List<ScoredGeneration> scored = read(topics.scored(), ScoredGeneration.class);
    assertThat(scored)
        .filteredOn(s -> scoredBefore.contains(s.getGeneration().getGenerationId()))
        .hasSize(scoredBefore.size())
        .allSatisfy(
            s ->
                assertThat(s.getComponents())
                    .extracting(RewardComponent::getName)
                    .doesNotContain("remote_rm", "judge"));
    assertThat(scored)
        .filteredOn(s -> !scoredBefore.contains(s.getGeneration().getGenerationId()))
        .hasSize(traffic.generationIds.size() - scoredBefore.size())
        .allSatisfy(
            s ->
                assertThat(s.getComponents())
                    .filteredOn(c -> c.getName().equals("remote_rm") || c.getName().equals("judge"))
                    .extracting(RewardComponent::getName, RewardComponent::getStatus)
                    .containsExactlyInAnyOrder(
                        tuple("remote_rm", RewardStatus.OK), tuple("judge", RewardStatus.OK)));
    List<RLGroup> completed = new ArrayList<>();
    read(topics.batches(), RLBatch.class)
        .forEach(
            b ->
                b.getGroups().stream()
                    .filter(g -> g.getGroupId().equals(open))
                    .forEach(completed::add));
    assertThat(completed)
        .singleElement()
        .satisfies(
            g ->
                assertThat(g.getSamples())
                    .extracting(sample -> sample.getGenerationId())
                    .containsExactlyInAnyOrderElementsOf(traffic.generationIdsByGroup.get(open)));
  }

  /**
   * Records of an aborted transaction on the input topics - valid generations, feedback and
   * undecodable payloads - among committed ones: the job's sources read committed data only, so
   * none of them is scored, grouped, paired or dead-lettered.
   */
  @Test
  void theSourcesNeverReadTheRecordsOfAnAbortedTransaction() throws Exception {
    TestTopics topics = TestTopics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(37L, 0.3, 16));
    SimulatedTraffic aborted = new SimulatedTraffic(settings(43L, 0.5, 6));
    List<SimulatedTraffic.Message> abortedMessages = new ArrayList<>(aborted.messages);
    List<ByteBuffer> abortedPayloads = new ArrayList<>();
    aborted.rejected.forEach(r -> abortedPayloads.add(ByteBuffer.wrap(r.message().value())));
    for (boolean feedback : new boolean[] {false, true}) {
      byte[] garbage =
          ("aborted garbage on the " + (feedback ? "feedback" : "generations") + " topic")
              .getBytes(StandardCharsets.UTF_8);
      abortedMessages.add(new SimulatedTraffic.Message(feedback, null, garbage));
      abortedPayloads.add(ByteBuffer.wrap(garbage));
    }
    assertThat(aborted.generationIds).doesNotContainAnyElementsOf(traffic.generationIds);
    // Valid generations and feedback that would be scored, paired or counted if they were read.
    assertThat(aborted.messages)
        .anySatisfy(m -> assertThat(aborted.generationOf(m)).isNotNull())
        .anySatisfy(m -> assertThat(m.feedback()).isTrue());

    JobClient job = start(options(topics, 0), topics, false);
    int half = traffic.messages.size() / 2;
    Map<SimulatedTraffic.Message, Position> positions =
        new IdentityHashMap<>(publish(topics, traffic.messages.subList(0, half)));
    publishInTransaction(topics, abortedMessages, false);
    positions.putAll(
        publishInTransaction(
            topics, traffic.messages.subList(half, traffic.messages.size()), true));
    waitForCommitted(
        "all scored generations",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    waitForCommitted(
        "all dead letters", topics.deadLetters(), DeadLetter.class, traffic.rejected.size());
    drain(job);

    List<String> scoredIds = new ArrayList<>();
    read(topics.scored(), ScoredGeneration.class)
        .forEach(s -> scoredIds.add(s.getGeneration().getGenerationId()));
    assertThat(scoredIds)
        .as("no generation of the aborted transaction is scored")
        .doesNotContainAnyElementsOf(aborted.generationIds);
    assertThat(read(topics.deadLetters(), DeadLetter.class))
        .extracting(DeadLetter::getPayload)
        .as("no payload of the aborted transaction is dead-lettered")
        .doesNotContainAnyElementsOf(abortedPayloads);
    assertExactlyOnce(traffic, topics);
    assertDeadLettersExactlyOnce(traffic, topics, positions);
  }

  @Test
  void startUpFailsWhenTheTransactionTimeoutExceedsTheBrokersMaximumNamingBothValues() {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    // The configured fallback allows it; the brokers' own limit (15 min) must win.
    values.put(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT.key(), "1 h");
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "20 min");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));

    assertThatThrownBy(() -> PipelineJob.build(env, options))
        .hasMessageContaining("sink.transaction-timeout=1200000 ms")
        .hasMessageContaining("transaction.max.timeout.ms=900000 ms");
  }

  @Test
  void learnedScorersAddTheirComponentsAndEveryClosedGroupCarriesItsDiversity() throws Exception {
    TestTopics topics = TestTopics.fresh();
    // Fewer prompts than the other tests: MiniLM on a 2-core CI machine is the slow part.
    SimulatedTraffic traffic = new SimulatedTraffic(settings(13L, 0.0, 12));
    AtomicInteger rewardCalls = new AtomicInteger();
    AtomicInteger judgeCalls = new AtomicInteger();
    HttpServer scorers =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    scorers.createContext(
        "/get_reward", exchange -> reply(exchange, rewardCalls, "{\"rewards\": [0.25]}"));
    scorers.createContext(
        "/v1/chat/completions",
        exchange ->
            reply(
                exchange,
                judgeCalls,
                "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"Clear.\\nSCORE: 7\"}}]}"));
    scorers.setExecutor(Executors.newFixedThreadPool(4));
    scorers.start();
    String base = "http://127.0.0.1:" + scorers.getAddress().getPort();
    try {
      Map<String, String> values = new HashMap<>(optionValues(topics, 0));
      values.put("remote-reward.url", base + "/get_reward");
      values.put("judge.url", base);
      values.put("judge.model", "judge-test");
      values.put("embedding-model.similarity", "true");
      values.put("embedding-model.diversity", "true");
      LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

      JobClient job = start(options, topics, false);
      publish(topics, traffic.messages);
      waitFor(
          "all scored generations to be committed",
          () ->
              readSoFar(topics.scored(), ScoredGeneration.class).size()
                  >= traffic.generationIds.size(),
          TimeUnit.MINUTES.toSeconds(5),
          () ->
              readSoFar(topics.scored(), ScoredGeneration.class).size()
                  + " of "
                  + traffic.generationIds.size()
                  + " scored, "
                  + rewardCalls.get()
                  + " remote reward calls, "
                  + judgeCalls.get()
                  + " judge calls");
      drain(job);
    } finally {
      scorers.stop(0);
    }

    List<ScoredGeneration> scored = read(topics.scored(), ScoredGeneration.class);
    assertThat(scored).hasSameSizeAs(traffic.generationIds);
    for (ScoredGeneration s : scored) {
      Map<String, RewardComponent> byName = new HashMap<>();
      s.getComponents().forEach(c -> byName.put(c.getName(), c));
      assertThat(byName).containsKeys("remote_rm", "judge", "embedding_similarity");
      assertThat(byName.get("remote_rm").getStatus()).isEqualTo(RewardStatus.OK);
      assertThat(byName.get("remote_rm").getValue()).isEqualTo(0.25);
      assertThat(byName.get("judge").getStatus()).isEqualTo(RewardStatus.OK);
    }
    assertThat(rewardCalls.get()).isGreaterThanOrEqualTo(traffic.generationIds.size());
    assertThat(judgeCalls.get()).isPositive();
    List<RLGroup> groups = new ArrayList<>();
    read(topics.batches(), RLBatch.class).forEach(b -> groups.addAll(b.getGroups()));
    assertThat(groups)
        .extracting(RLGroup::getGroupId)
        .containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    assertThat(groups)
        .allSatisfy(g -> assertThat(g.getDiversity()).isNotNull().isBetween(0.0, 2.0));
  }

  @Test
  void aFiringGatingAlarmHoldsBackTheBatchesOfItsPolicyVersionWhileMetricsAndAlertsArePublished()
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(17L, 0.0));
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(
        LodestarOptions.ALARM_RULES.key(), "any-traffic: generations >= 1 for 1 windows gate");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitForCommitted(
        "all scored generations",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    // The drain ends event time: every window closes, its alert fires and commits with the
    // savepoint.
    drain(job);

    List<Alert> alerts = read(topics.alerts(), Alert.class);
    assertThat(alerts)
        .isNotEmpty()
        .allSatisfy(
            a -> {
              assertThat(a.getRuleId()).isEqualTo("any-traffic");
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
              assertThat(a.getGate()).isTrue();
            });
    List<HealthMetrics> metrics = read(topics.healthMetrics(), HealthMetrics.class);
    assertThat(metrics).isNotEmpty();
    long windowed =
        metrics.stream()
            .filter(m -> !"*".equals(m.getDataSource()))
            .mapToLong(HealthMetrics::getGenerations)
            .sum();
    assertThat(windowed)
        .as("every scored generation is counted once in a source row")
        .isEqualTo(traffic.generationIds.size());
    // Every batch is of a policy version whose rule fires: none reaches the trainers' topic. The
    // drain ends the input, so what the gate held goes to the set-aside topic, each group once.
    assertThat(read(topics.batches(), RLBatch.class)).isEmpty();
    List<RLGroup> heldAtEnd =
        read(topics.filteredGroups(), RLGroup.class).stream()
            .filter(g -> g.getReason() == SetAsideReason.GATE_HELD_AT_END)
            .toList();
    assertThat(heldAtEnd)
        .extracting(RLGroup::getGroupId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    assertThat(read(topics.scored(), ScoredGeneration.class)).hasSameSizeAs(traffic.generationIds);
  }

  @ParameterizedTest(name = "gate.on-clear={0}")
  @ValueSource(strings = {"release", "discard"})
  void aClearedGateReleasesOrDiscardsWhatItHeldAsConfiguredAndLosesNothing(String onClear)
      throws Exception {
    TestTopics topics = TestTopics.fresh();
    // Ten one-minute health windows; in the first four every response is padded past the rule's
    // limit.
    TrafficSimulator.Settings spread = spread(settings(19L, 0.0), Duration.ofSeconds(15));
    long padUntil = spread.startTimeMs() + Duration.ofMinutes(4).toMillis();
    String padding = "\n" + "x".repeat(3_000);
    SimulatedTraffic traffic =
        new SimulatedTraffic(
            spread,
            g ->
                g.getCreatedAtMs() < padUntil
                    ? Generation.newBuilder(g).setResponse(g.getResponse() + padding).build()
                    : g);
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(LodestarOptions.GATE_ON_CLEAR.key(), onClear);
    values.put(
        LodestarOptions.ALARM_RULES.key(),
        "long-answers: responseLength.mean > 2000 for 1 windows gate");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitForCommitted(
        "all scored generations",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    drain(job);

    List<Alert> alerts = read(topics.alerts(), Alert.class);
    assertThat(alerts).extracting(Alert::getState).contains(AlertState.FIRING, AlertState.CLEARED);
    assertThat(alerts).allSatisfy(a -> assertThat(a.getGate()).isTrue());
    List<String> passed = new ArrayList<>();
    read(topics.batches(), RLBatch.class)
        .forEach(b -> b.getGroups().forEach(g -> passed.add(g.getGroupId())));
    // Groups without consent are set aside before batching, whatever the gate does.
    List<RLGroup> discarded = new ArrayList<>();
    read(topics.filteredGroups(), RLGroup.class).stream()
        .filter(g -> traffic.trainableGroupIds.contains(g.getGroupId()))
        .forEach(discarded::add);
    assertThat(discarded)
        .allSatisfy(g -> assertThat(g.getReason()).isEqualTo(SetAsideReason.GATE_DISCARDED));
    if (onClear.equals("release")) {
      assertThat(discarded).isEmpty();
      assertThat(passed)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    } else {
      // What the gate held was padded; each group is either passed or discarded, never both, never
      // lost.
      assertThat(discarded)
          .isNotEmpty()
          .allSatisfy(
              g ->
                  assertThat(g.getSamples())
                      .allSatisfy(sample -> assertThat(sample.getResponse()).endsWith(padding)));
      List<String> all = new ArrayList<>(passed);
      discarded.forEach(g -> all.add(g.getGroupId()));
      assertThat(all)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    }
  }

  private static TrafficSimulator.Settings spread(TrafficSimulator.Settings s, Duration meanGap) {
    return new TrafficSimulator.Settings(
        s.seed(),
        s.prompts(),
        s.groupSize(),
        s.duplicateRate(),
        s.corruptRate(),
        s.noAnswerRate(),
        s.voteRate(),
        s.thumbRate(),
        s.startTimeMs(),
        meanGap.toMillis(),
        s.modelId());
  }

  private static void reply(HttpExchange exchange, AtomicInteger calls, String body)
      throws IOException {
    calls.incrementAndGet();
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Scored generations, RL batches, set-aside groups, pairs and unpaired examples, each exactly the
   * set the traffic calls for, each record once.
   */
  private void assertExactlyOnce(SimulatedTraffic traffic, TestTopics topics) {
    List<String> scoredIds = new ArrayList<>();
    read(topics.scored(), ScoredGeneration.class)
        .forEach(s -> scoredIds.add(s.getGeneration().getGenerationId()));
    assertThat(scoredIds)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(traffic.generationIds);

    List<RLBatch> batches = read(topics.batches(), RLBatch.class);
    assertBatchesExactlyOnce(batches, traffic.generationIdsByGroup);
    // The rest were set aside whole, each once: a member's user did not consent to training.
    List<RLGroup> setAside = read(topics.filteredGroups(), RLGroup.class);
    assertThat(setAside)
        .extracting(RLGroup::getGroupId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            traffic.groupIds.stream()
                .filter(id -> !traffic.trainableGroupIds.contains(id))
                .toList())
        .isNotEmpty();
    assertThat(setAside)
        .allSatisfy(
            g ->
                assertThat(g.getSamples())
                    .anySatisfy(sample -> assertThat(sample.getConsentToTrain()).isFalse()));
    assertThat(setAside).extracting(RLGroup::getReason).containsOnly(SetAsideReason.NO_CONSENT);

    // Votes and thumbs: every pair they call for, each once, and nothing else.
    List<PreferencePair> pairs = read(topics.pairs(), PreferencePair.class);
    assertThat(pairs).extracting(PreferencePair::getPairId).doesNotHaveDuplicates();
    assertThat(pairs)
        .extracting(
            p ->
                new SimulatedTraffic.ExpectedPair(
                    p.getSource(), p.getChosenGenerationId(), p.getRejectedGenerationId()))
        .containsExactlyInAnyOrderElementsOf(traffic.expectedPairs)
        .isNotEmpty();
    // A thumbed reply left without a pair is an unpaired example with its label, once.
    List<UnpairedExample> unpaired = read(topics.unpaired(), UnpairedExample.class);
    assertThat(unpaired).extracting(UnpairedExample::getExampleId).doesNotHaveDuplicates();
    assertThat(unpaired)
        .extracting(
            u ->
                new SimulatedTraffic.ExpectedExample(
                    u.getSource(), u.getGenerationId(), u.getLabel()))
        .containsExactlyInAnyOrderElementsOf(traffic.expectedUnpaired)
        .isNotEmpty();
  }

  /**
   * Every trainable group in exactly one batch with exactly its own generations; per model the
   * batch sequence numbers 0, 1, 2, ... without a gap or a repeat, and each batch id the model id
   * and a content hash ({@code <modelId>-<32 hex digits>}), unique.
   */
  static void assertBatchesExactlyOnce(
      List<RLBatch> batches, Map<String, Set<String>> generationIdsByGroup) {
    Map<String, Set<String>> batched = new HashMap<>();
    Map<String, List<Long>> sequences = new HashMap<>();
    for (RLBatch batch : batches) {
      sequences
          .computeIfAbsent(batch.getModelId(), k -> new ArrayList<>())
          .add(batch.getSequence());
      assertThat(batch.getBatchId()).matches(Pattern.quote(batch.getModelId()) + "-[0-9a-f]{32}");
      assertThat(batch.getGroups()).hasSizeBetween(1, 3);
      for (RLGroup group : batch.getGroups()) {
        Set<String> samples = new HashSet<>();
        group.getSamples().forEach(sample -> samples.add(sample.getGenerationId()));
        assertThat(batched.put(group.getGroupId(), samples))
            .as("group %s batched twice", group.getGroupId())
            .isNull();
        assertThat(group.getSamples()).hasSameSizeAs(samples);
      }
    }
    assertThat(batched).isEqualTo(generationIdsByGroup);
    assertThat(batches).extracting(RLBatch::getBatchId).doesNotHaveDuplicates();
    sequences.forEach(
        (model, seen) ->
            assertThat(seen)
                .as("batch sequence numbers of %s", model)
                .containsExactlyInAnyOrderElementsOf(
                    LongStream.range(0, seen.size()).boxed().toList()));
  }

  private JobClient start(LodestarOptions options, TestTopics topics, boolean injectFailure)
      throws Exception {
    kafka.createTopics(2, topics.all());
    return start(options, topics, injectFailure, null);
  }

  /** Starts the job on existing topics, from {@code savepoint} when it is not null. */
  private JobClient start(
      LodestarOptions options, TestTopics topics, boolean injectFailure, String savepoint)
      throws Exception {
    Configuration conf = PipelineEnvironment.streaming(options);
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = PipelineEnvironment.create(conf);
    KafkaSettings settings = options.kafka();
    PipelineJob.checkTransactionTimeout(options, settings);
    DataStream<RawRecord> generations =
        PipelineJob.rawSource(
            env,
            options,
            settings,
            topics.generations(),
            "source-generations",
            SourceEventTime.Input.GENERATIONS);
    if (injectFailure) {
      // No watermark moves before the drain, so the failure comes while every health window is open
      // and
      // the health events of the records before the checkpoint were held in their buffers at its
      // barrier.
      env.getConfig().setAutoWatermarkInterval(Duration.ofHours(1).toMillis());
      generations =
          generations
              .map(new FailOnceAfterCheckpoint(), TypeInformation.of(RawRecord.class))
              .uid("inject-failure")
              .name("Fail once after a checkpoint");
    }
    DataStream<RawRecord> feedback =
        PipelineJob.rawSource(
            env,
            options,
            settings,
            topics.feedback(),
            "source-feedback",
            SourceEventTime.Input.FEEDBACK);
    PipelineOutputs outputs = PipelineJob.kafkaOutputs(options, settings);
    PipelineJob.attachTrainerFiles(
        outputs.connect(
            PipelineTopology.build(
                PipelineInputs.generations(generations)
                    .withFeedback(feedback)
                    .withEventTimeFromSources(),
                options)),
        options);
    JobClient job = env.executeAsync("pipeline-it");
    started.add(job);
    waitFor("the job to run", () -> status(job) == JobStatus.RUNNING);
    return job;
  }

  private void drain(JobClient job) throws Exception {
    job.stopWithSavepoint(
            true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
  }

  private LodestarOptions options(TestTopics topics, int restartAttempts) {
    return LodestarOptions.fromMap(optionValues(topics, restartAttempts), name -> null);
  }

  private Map<String, String> optionValues(TestTopics topics, int restartAttempts) {
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
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.suffix());
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), Integer.toString(restartAttempts));
    values.put(LodestarOptions.RESTART_DELAY.key(), "500 ms");
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    values.put(LodestarOptions.BATCH_GROUPS.key(), "3");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 h");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 min");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "1 h");
    return values;
  }

  private static TrafficSimulator.Settings settings(long seed, double corruptRate) {
    return settings(seed, corruptRate, 40);
  }

  private static TrafficSimulator.Settings settings(long seed, double corruptRate, int prompts) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    return new TrafficSimulator.Settings(
        seed,
        prompts,
        4,
        0.05,
        corruptRate,
        d.noAnswerRate(),
        0.6,
        0.3,
        d.startTimeMs(),
        d.meanGapMs(),
        d.modelId());
  }

  /** Where a record was written. */
  record Position(String topic, int partition, long offset) {}

  /** Writes {@code messages} in order and returns where each one was written. */
  private static Map<SimulatedTraffic.Message, Position> publish(
      TestTopics topics, List<SimulatedTraffic.Message> messages) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    Map<SimulatedTraffic.Message, Future<RecordMetadata>> sent = new IdentityHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SimulatedTraffic.Message m : messages) {
        sent.put(
            m,
            producer.send(
                new ProducerRecord<>(
                    m.feedback() ? topics.feedback() : topics.generations(), m.key(), m.value())));
      }
      producer.flush();
    }
    Map<SimulatedTraffic.Message, Position> positions = new IdentityHashMap<>();
    for (Map.Entry<SimulatedTraffic.Message, Future<RecordMetadata>> e : sent.entrySet()) {
      RecordMetadata written = e.getValue().get(30, TimeUnit.SECONDS);
      positions.put(
          e.getKey(), new Position(written.topic(), written.partition(), written.offset()));
    }
    return positions;
  }

  /**
   * Writes {@code messages} in one transaction, commits or aborts it, and returns where each one
   * was written.
   */
  private static Map<SimulatedTraffic.Message, Position> publishInTransaction(
      TestTopics topics, List<SimulatedTraffic.Message> messages, boolean commit) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put(
        "transactional.id",
        "upstream-" + topics.suffix() + "-" + (commit ? "committed" : "aborted"));
    Map<SimulatedTraffic.Message, Future<RecordMetadata>> sent = new IdentityHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (SimulatedTraffic.Message m : messages) {
        sent.put(
            m,
            producer.send(
                new ProducerRecord<>(
                    m.feedback() ? topics.feedback() : topics.generations(), m.key(), m.value())));
      }
      producer.flush();
      if (commit) {
        producer.commitTransaction();
      } else {
        producer.abortTransaction();
      }
    }
    Map<SimulatedTraffic.Message, Position> positions = new IdentityHashMap<>();
    for (Map.Entry<SimulatedTraffic.Message, Future<RecordMetadata>> e : sent.entrySet()) {
      RecordMetadata written = e.getValue().get(30, TimeUnit.SECONDS);
      positions.put(
          e.getKey(), new Position(written.topic(), written.partition(), written.offset()));
    }
    return positions;
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

  /** Waits until read_committed readers of {@code topic} see at least {@code expected} records. */
  private void waitForCommitted(
      String what, String topic, Class<? extends SpecificRecordBase> type, int expected)
      throws InterruptedException {
    waitFor(
        what + " to be committed",
        () -> readSoFar(topic, type).size() >= expected,
        120,
        () ->
            "("
                + readSoFar(topic, type).size()
                + " of "
                + expected
                + " committed; "
                + CommittedReader.describePending(kafka.bootstrapServers(), topic)
                + ")");
  }

  private void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    waitFor(what, condition, 120, () -> "");
  }

  /**
   * Waits for {@code condition} while the latest started job runs: fails at once with its root
   * cause when it ends, and on a timeout with one line (so a CI log's failure summary carries it)
   * naming the job's status, its checkpoint counts and where its threads were.
   */
  private void waitFor(
      String what, BooleanSupplier condition, long seconds, Supplier<String> progress)
      throws InterruptedException {
    JobClient job = started.isEmpty() ? null : started.get(started.size() - 1);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (job != null) {
        assertJobNotEnded(job);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + seconds
                + " s waiting for "
                + what
                + " "
                + progress.get()
                + (job == null
                    ? ""
                    : " | job "
                        + status(job)
                        + ", checkpoints "
                        + checkpointCounts(job)
                        + " | tasks "
                        + taskRecordCounts(job))
                + " | threads: "
                + lodestarThreads());
      }
      Thread.sleep(250);
    }
    // The test output keeps how long each wait took: a slow one is the first sign of a stall.
    System.out.println(
        "waited "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms for "
            + what
            + (job == null ? "" : ", checkpoints " + checkpointCounts(job)));
  }

  /** Fails at once, with the job's root cause, when the job has failed or was cancelled. */
  private static void assertJobNotEnded(JobClient job) {
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
          "the job ended " + status + (cause == null ? "" : ": " + cause), cause);
    }
  }

  /**
   * The job's checkpoint counts (completed, failed, in progress) and the latest failure's message
   * from the REST API, for a timeout message.
   */
  private String checkpointCounts(JobClient job) {
    try {
      JsonNode body = restGet("/jobs/" + job.getJobID() + "/checkpoints");
      JsonNode failed = body.path("latest").path("failed");
      return body.path("counts").toString()
          + (failed.isMissingNode() || failed.isNull()
              ? ""
              : ", latest failed "
                  + failed.path("id")
                  + ": "
                  + failed.path("failure_message").asText());
    } catch (Exception e) {
      return "unavailable (" + e + ")";
    }
  }

  /** Records read and written by each task of the job (REST API), to show where records stopped. */
  private String taskRecordCounts(JobClient job) {
    try {
      StringBuilder out = new StringBuilder();
      for (JsonNode vertex : restGet("/jobs/" + job.getJobID()).path("vertices")) {
        String name = vertex.path("name").asText();
        out.append(name, 0, Math.min(40, name.length()))
            .append(' ')
            .append(vertex.path("status").asText())
            .append(" in ")
            .append(vertex.path("metrics").path("read-records").asLong())
            .append(" out ")
            .append(vertex.path("metrics").path("write-records").asLong())
            .append("; ");
      }
      return out.toString();
    } catch (Exception e) {
      return "unavailable (" + e + ")";
    }
  }

  private JsonNode restGet(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /**
   * Where the job's threads are: each one running Lodestar, DJL or ONNX Runtime code, with its top
   * frames.
   */
  private static String lodestarThreads() {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (thread, stack) -> {
              boolean ours =
                  Arrays.stream(stack)
                      .anyMatch(
                          f ->
                              f.getClassName().startsWith("io.lodestar.operators")
                                  || f.getClassName().startsWith("ai.djl")
                                  || f.getClassName().startsWith("ai.onnxruntime"));
              if (ours) {
                String name = thread.getName();
                out.append(name, 0, Math.min(60, name.length()))
                    .append(' ')
                    .append(thread.getState())
                    .append(" at ");
                Arrays.stream(stack).limit(4).forEach(f -> out.append(f).append(" < "));
                out.append("; ");
              }
            });
    return out.length() == 0 ? "none in Lodestar, DJL or ONNX Runtime code" : out.toString();
  }

  /**
   * Throws once, on the first record after a completed checkpoint whose barrier came after records
   * had passed: a checkpoint taken before any record would prove nothing about state held
   * mid-window.
   */
  static final class FailOnceAfterCheckpoint extends RichMapFunction<RawRecord, RawRecord>
      implements CheckpointListener, CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final Set<Long> CHECKPOINTS_AFTER_RECORDS = ConcurrentHashMap.newKeySet();
    private transient long passed;

    static void reset() {
      CHECKPOINTED.set(false);
      FAILED.set(false);
      CHECKPOINTS_AFTER_RECORDS.clear();
    }

    @Override
    public RawRecord map(RawRecord record) {
      if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after a completed checkpoint");
      }
      passed++;
      return record;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
      if (passed > 0) {
        CHECKPOINTS_AFTER_RECORDS.add(context.getCheckpointId());
      }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (CHECKPOINTS_AFTER_RECORDS.contains(checkpointId)) {
        CHECKPOINTED.set(true);
      }
    }
  }
}
