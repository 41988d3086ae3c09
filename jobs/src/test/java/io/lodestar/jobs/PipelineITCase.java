package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.kafka.EmbeddedKafka;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.jobs.demo.TrafficSimulator;
import io.lodestar.schema.Alert;
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
import io.lodestar.schema.UnpairedExample;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The streaming pipeline end to end through a real (in-process) Kafka broker and a Flink MiniCluster. */
class PipelineITCase {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static EmbeddedKafka kafka;

  @TempDir Path work;

  /**
   * Checkpoints outlive their job for a moment (the job manager discards them asynchronously once it ends),
   * so they go where nothing is deleted before the cluster has shut down.
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

  /** A test that failed before its drain must not leave its job holding the shared cluster's slots. */
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
  void everyOutputIsSeenExactlyOnceByReadCommittedReadersAndInTheTrainerFilesAcrossAnInjectedTaskFailure()
      throws Exception {
    Topics topics = Topics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(7L, 0.0));
    Path exports = work.resolve("exports-" + topics.suffix);
    Map<String, String> values = new HashMap<>(optionValues(topics, 3));
    values.put(LodestarOptions.EXPORT_DIR.key(), exports.toUri().toString());
    values.put(LodestarOptions.EXPORT_FORMATS.key(), "verl-jsonl");
    values.put(LodestarOptions.EXPORT_PREFERENCE_FORMATS.key(), "trl-preference-jsonl,kto-jsonl");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    FailOnceAfterCheckpoint.reset();

    JobClient job = start(options, topics, true);
    List<SimulatedTraffic.Message> messages = traffic.messages;
    int half = messages.size() / 2;
    publish(topics, messages.subList(0, half));
    waitFor("a completed checkpoint", FailOnceAfterCheckpoint.CHECKPOINTED::get);
    publish(topics, messages.subList(half, messages.size()));
    waitFor("the injected failure", FailOnceAfterCheckpoint.FAILED::get);
    waitForCommitted("all scored generations", topics.scored, ScoredGeneration.class, traffic.generationIds.size());
    drain(job);

    assertExactlyOnce(traffic, topics);
    assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();

    // The files a trainer would load hold each committed record once: the same set as the topics.
    List<String> sampleIds = new ArrayList<>();
    read(topics.batches, RLBatch.class).forEach(b -> b.getGroups().forEach(
        g -> g.getSamples().forEach(sample -> sampleIds.add(sample.getGenerationId()))));
    assertThat(finishedRows(exports.resolve("verl-jsonl"), "samples", r -> r.path("extra_info").path("generation_id").asText()))
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sampleIds);
    assertThat(finishedRows(exports.resolve("trl-preference-jsonl"), "pairs", r -> r.path("pair_id").asText()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(read(topics.pairs, PreferencePair.class).stream().map(PreferencePair::getPairId).toList());
    assertThat(finishedRows(exports.resolve("kto-jsonl"), "examples", r -> r.path("example_id").asText()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(
            read(topics.unpaired, UnpairedExample.class).stream().map(UnpairedExample::getExampleId).toList());
  }

  /** One value of each row of the finished JSON Lines files in {@code dir} (hidden in-progress parts left out). */
  private static List<String> finishedRows(Path dir, String prefix, Function<JsonNode, String> value) throws IOException {
    List<Path> files = JsonLinesTestFiles.finished(dir);
    assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f.getFileName().toString()).startsWith(prefix + "-").endsWith(".jsonl"));
    List<String> values = new ArrayList<>();
    for (String line : JsonLinesTestFiles.lines(files)) {
      values.add(value.apply(JSON.readTree(line)));
    }
    return values;
  }

  @Test
  void corruptAndInvalidRecordsGoToDeadLettersWithoutRestartingTheJob() throws Exception {
    Topics topics = Topics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(11L, 0.5));
    traffic.addInvalidGeneration(traffic.anyGeneration(), " ", 4);
    traffic.addInvalidGeneration(traffic.anyGeneration(), "invalid-group-size", 0);
    // No restarts allowed: any exception would fail the job and the drain below with it.
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    // The gate is on for batches and pairs; the default rules do not fire on this traffic, so all pass.
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(LodestarOptions.GATE_PAIRS.key(), "true");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitForCommitted("all dead letters", topics.deadLetters, DeadLetter.class, traffic.rejectedPayloads.size());
    waitForCommitted("all scored generations", topics.scored, ScoredGeneration.class, traffic.generationIds.size());
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    drain(job);

    List<DeadLetter> deadLetters = read(topics.deadLetters, DeadLetter.class);
    assertThat(deadLetters).hasSize(traffic.rejectedPayloads.size());
    assertThat(deadLetters)
        .allSatisfy(
            d -> {
              assertThat(d.getTopic()).isIn(topics.generations, topics.feedback);
              assertThat(d.getPartition()).isNotNull();
              assertThat(d.getOffset()).isNotNull();
              assertThat(d.getReason()).isNotBlank();
            });
    List<ByteBuffer> expectedPayloads = new ArrayList<>();
    traffic.rejectedPayloads.forEach(p -> expectedPayloads.add(ByteBuffer.wrap(p)));
    assertThat(deadLetters).extracting(DeadLetter::getPayload).containsExactlyInAnyOrderElementsOf(expectedPayloads);
    assertThat(deadLetters).extracting(DeadLetter::getErrorKind).contains("INVALID");
    assertExactlyOnce(traffic, topics);
  }

  @Test
  void startUpFailsWhenTheTransactionTimeoutExceedsTheBrokersMaximumNamingBothValues() {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    // The configured fallback allows it; the brokers' own limit (15 min) must win.
    values.put(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT.key(), "1 h");
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "20 min");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    StreamExecutionEnvironment env = PipelineEnvironment.create(PipelineEnvironment.streaming(options));

    assertThatThrownBy(() -> PipelineJob.build(env, options))
        .hasMessageContaining("sink.transaction-timeout=1200000 ms")
        .hasMessageContaining("transaction.max.timeout.ms=900000 ms");
  }

  @Test
  void learnedScorersAddTheirComponentsAndEveryClosedGroupCarriesItsDiversity() throws Exception {
    Topics topics = Topics.fresh();
    // Fewer prompts than the other tests: MiniLM on a 2-core CI machine is the slow part.
    SimulatedTraffic traffic = new SimulatedTraffic(settings(13L, 0.0, 12));
    AtomicInteger rewardCalls = new AtomicInteger();
    AtomicInteger judgeCalls = new AtomicInteger();
    HttpServer scorers = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    scorers.createContext("/get_reward", exchange -> reply(exchange, rewardCalls, "{\"rewards\": [0.25]}"));
    scorers.createContext(
        "/v1/chat/completions",
        exchange ->
            reply(exchange, judgeCalls, "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"Clear.\\nSCORE: 7\"}}]}"));
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
          () -> readSoFar(topics.scored, ScoredGeneration.class).size() >= traffic.generationIds.size(),
          TimeUnit.MINUTES.toSeconds(5),
          () -> readSoFar(topics.scored, ScoredGeneration.class).size() + " of " + traffic.generationIds.size() + " scored, "
              + rewardCalls.get() + " remote reward calls, " + judgeCalls.get() + " judge calls");
      drain(job);
    } finally {
      scorers.stop(0);
    }

    List<ScoredGeneration> scored = read(topics.scored, ScoredGeneration.class);
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
    read(topics.batches, RLBatch.class).forEach(b -> groups.addAll(b.getGroups()));
    assertThat(groups).extracting(RLGroup::getGroupId).containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    assertThat(groups).allSatisfy(g -> assertThat(g.getDiversity()).isNotNull().isBetween(0.0, 2.0));
  }

  @Test
  void aFiringGatingAlarmHoldsBackTheBatchesOfItsPolicyVersionWhileMetricsAndAlertsArePublished() throws Exception {
    Topics topics = Topics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(17L, 0.0));
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(LodestarOptions.ALARM_RULES.key(), "any-traffic: generations >= 1 for 1 windows gate");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitForCommitted("all scored generations", topics.scored, ScoredGeneration.class, traffic.generationIds.size());
    // The drain ends event time: every window closes, its alert fires and commits with the savepoint.
    drain(job);

    List<Alert> alerts = read(topics.alerts, Alert.class);
    assertThat(alerts).isNotEmpty().allSatisfy(a -> {
      assertThat(a.getRuleId()).isEqualTo("any-traffic");
      assertThat(a.getState()).isEqualTo(AlertState.FIRING);
      assertThat(a.getGate()).isTrue();
    });
    List<HealthMetrics> metrics = read(topics.healthMetrics, HealthMetrics.class);
    assertThat(metrics).isNotEmpty();
    long windowed = metrics.stream().filter(m -> !"*".equals(m.getDataSource())).mapToLong(HealthMetrics::getGenerations).sum();
    assertThat(windowed).as("every scored generation is counted once in a source row").isEqualTo(traffic.generationIds.size());
    // Every batch is of a policy version whose rule fires: none reaches the trainers' topic; they stay in the gate's state.
    assertThat(read(topics.batches, RLBatch.class)).isEmpty();
    assertThat(read(topics.scored, ScoredGeneration.class)).hasSameSizeAs(traffic.generationIds);
  }

  @ParameterizedTest(name = "gate.on-clear={0}")
  @ValueSource(strings = {"release", "discard"})
  void aClearedGateReleasesOrDiscardsWhatItHeldAsConfiguredAndLosesNothing(String onClear) throws Exception {
    Topics topics = Topics.fresh();
    // Ten one-minute health windows; in the first four every response is padded past the rule's limit.
    TrafficSimulator.Settings spread = spread(settings(19L, 0.0), Duration.ofSeconds(15));
    long padUntil = spread.startTimeMs() + Duration.ofMinutes(4).toMillis();
    String padding = "\n" + "x".repeat(3_000);
    SimulatedTraffic traffic = new SimulatedTraffic(spread, g -> g.getCreatedAtMs() < padUntil
        ? Generation.newBuilder(g).setResponse(g.getResponse() + padding).build()
        : g);
    Map<String, String> values = new HashMap<>(optionValues(topics, 0));
    values.put(LodestarOptions.GATE_ENABLED.key(), "true");
    values.put(LodestarOptions.GATE_ON_CLEAR.key(), onClear);
    values.put(LodestarOptions.ALARM_RULES.key(), "long-answers: responseLength.mean > 2000 for 1 windows gate");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitForCommitted("all scored generations", topics.scored, ScoredGeneration.class, traffic.generationIds.size());
    drain(job);

    List<Alert> alerts = read(topics.alerts, Alert.class);
    assertThat(alerts).extracting(Alert::getState).contains(AlertState.FIRING, AlertState.CLEARED);
    assertThat(alerts).allSatisfy(a -> assertThat(a.getGate()).isTrue());
    List<String> passed = new ArrayList<>();
    read(topics.batches, RLBatch.class).forEach(b -> b.getGroups().forEach(g -> passed.add(g.getGroupId())));
    // Groups without consent are set aside before batching, whatever the gate does.
    List<RLGroup> discarded = new ArrayList<>();
    read(topics.filteredGroups, RLGroup.class).stream()
        .filter(g -> traffic.trainableGroupIds.contains(g.getGroupId()))
        .forEach(discarded::add);
    if (onClear.equals("release")) {
      assertThat(discarded).isEmpty();
      assertThat(passed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    } else {
      // What the gate held was padded; each group is either passed or discarded, never both, never lost.
      assertThat(discarded).isNotEmpty().allSatisfy(g -> assertThat(g.getSamples())
          .allSatisfy(sample -> assertThat(sample.getResponse()).endsWith(padding)));
      List<String> all = new ArrayList<>(passed);
      discarded.forEach(g -> all.add(g.getGroupId()));
      assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    }
  }

  private static TrafficSimulator.Settings spread(TrafficSimulator.Settings s, Duration meanGap) {
    return new TrafficSimulator.Settings(
        s.seed(), s.prompts(), s.groupSize(), s.duplicateRate(), s.corruptRate(), s.noAnswerRate(), s.voteRate(),
        s.thumbRate(), s.startTimeMs(), meanGap.toMillis(), s.modelId());
  }

  private static void reply(HttpExchange exchange, AtomicInteger calls, String body) throws IOException {
    calls.incrementAndGet();
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void assertExactlyOnce(SimulatedTraffic traffic, Topics topics) {
    List<String> scoredIds = new ArrayList<>();
    read(topics.scored, ScoredGeneration.class).forEach(s -> scoredIds.add(s.getGeneration().getGenerationId()));
    assertThat(scoredIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.generationIds);

    List<RLBatch> batches = read(topics.batches, RLBatch.class);
    List<String> groupIds = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    for (RLBatch batch : batches) {
      sequences.add(batch.getSequence());
      assertThat(batch.getGroups()).hasSizeLessThanOrEqualTo(3);
      for (RLGroup group : batch.getGroups()) {
        groupIds.add(group.getGroupId());
        assertThat(group.getSamples()).hasSize(4);
      }
    }
    assertThat(groupIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.trainableGroupIds);
    assertThat(sequences).doesNotHaveDuplicates();
    // The rest were set aside whole, each once: a member's user did not consent to training.
    List<RLGroup> setAside = read(topics.filteredGroups, RLGroup.class);
    assertThat(setAside).extracting(RLGroup::getGroupId).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(traffic.groupIds.stream().filter(id -> !traffic.trainableGroupIds.contains(id)).toList())
        .isNotEmpty();
    assertThat(setAside).allSatisfy(g -> assertThat(g.getSamples()).anySatisfy(sample -> assertThat(sample.getConsentToTrain()).isFalse()));

    List<PreferencePair> pairs = read(topics.pairs, PreferencePair.class);
    assertThat(pairs).extracting(PreferencePair::getPairId).doesNotHaveDuplicates();
    assertThat(pairs).filteredOn(p -> p.getSource() == PairSource.VOTE).extracting(PreferencePair::getPairId)
        .containsExactlyInAnyOrderElementsOf(traffic.expectedPairIds)
        .isNotEmpty();
    // One simulated thumb per group: each becomes an unpaired example once its prompt's window closes.
    List<UnpairedExample> unpaired = read(topics.unpaired, UnpairedExample.class);
    assertThat(unpaired).extracting(UnpairedExample::getExampleId).doesNotHaveDuplicates();
    assertThat(unpaired).isNotEmpty().allSatisfy(u -> assertThat(u.getSource()).isEqualTo(PairSource.THUMBS));
    assertThat(read(topics.healthMetrics, HealthMetrics.class)).isNotEmpty();
  }

  private JobClient start(LodestarOptions options, Topics topics, boolean injectFailure) throws Exception {
    kafka.createTopics(2, topics.all());
    StreamExecutionEnvironment env = PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    KafkaSettings settings = options.kafka();
    PipelineJob.checkTransactionTimeout(options, settings);
    DataStream<RawRecord> generations =
        PipelineJob.rawSource(env, options, settings, topics.generations, "source-generations", SourceEventTime.Input.GENERATIONS);
    if (injectFailure) {
      generations =
          generations
              .map(new FailOnceAfterCheckpoint(), TypeInformation.of(RawRecord.class))
              .uid("inject-failure")
              .name("Fail once after a checkpoint");
    }
    DataStream<RawRecord> feedback = PipelineJob.rawSource(env, options, settings, topics.feedback, "source-feedback", SourceEventTime.Input.FEEDBACK);
    PipelineJob.attachTrainerFiles(
        PipelineTopology.build(generations, feedback, null, options, PipelineJob.kafkaOutputs(options, settings),
            PipelineTopology.EventTime.FROM_SOURCES),
        options);
    JobClient job = env.executeAsync("pipeline-it");
    started.add(job);
    waitFor("the job to run", () -> status(job) == JobStatus.RUNNING);
    return job;
  }

  private void drain(JobClient job) throws Exception {
    job.stopWithSavepoint(true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
  }

  private LodestarOptions options(Topics topics, int restartAttempts) {
    return LodestarOptions.fromMap(optionValues(topics, restartAttempts), name -> null);
  }

  private Map<String, String> optionValues(Topics topics, int restartAttempts) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), topics.generations);
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), topics.feedback);
    values.put(LodestarOptions.TOPIC_SCORED.key(), topics.scored);
    values.put(LodestarOptions.TOPIC_BATCHES.key(), topics.batches);
    values.put(LodestarOptions.TOPIC_PAIRS.key(), topics.pairs);
    values.put(LodestarOptions.TOPIC_UNPAIRED.key(), topics.unpaired);
    values.put(LodestarOptions.TOPIC_HEALTH_METRICS.key(), topics.healthMetrics);
    values.put(LodestarOptions.TOPIC_ALERTS.key(), topics.alerts);
    values.put(LodestarOptions.TOPIC_FILTERED_GROUPS.key(), topics.filteredGroups);
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters);
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "it-" + topics.suffix);
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.suffix);
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
        seed, prompts, 4, 0.05, corruptRate, d.noAnswerRate(), 0.6, 0.3, d.startTimeMs(), d.meanGapMs(), d.modelId());
  }

  private static void publish(Topics topics, List<SimulatedTraffic.Message> messages) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (SimulatedTraffic.Message m : messages) {
        producer.send(new ProducerRecord<>(m.feedback() ? topics.feedback : topics.generations, m.key(), m.value()));
      }
      producer.flush();
    }
  }

  /** What a trainer reads once the job has finished: every transaction settled, none left pending. */
  private static <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type) {
    return decode(CommittedReader.readAllSettled(kafka.bootstrapServers(), topic, Duration.ofSeconds(30)), type);
  }

  /** What a trainer reads while the job runs: committed transactions only. */
  private static <T extends SpecificRecordBase> List<T> readSoFar(String topic, Class<T> type) {
    return decode(CommittedReader.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(30)), type);
  }

  private static <T extends SpecificRecordBase> List<T> decode(List<byte[]> values, Class<T> type) {
    RecordCodec<T> codec = RecordCodec.of(type);
    List<T> records = new ArrayList<>();
    values.forEach(v -> records.add(codec.decodeOrThrow(v)));
    return records;
  }

  private static JobStatus status(JobClient job) {
    try {
      return job.getJobStatus().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  /** Waits until read_committed readers of {@code topic} see at least {@code expected} records. */
  private void waitForCommitted(String what, String topic, Class<? extends SpecificRecordBase> type, int expected)
      throws InterruptedException {
    waitFor(
        what + " to be committed",
        () -> readSoFar(topic, type).size() >= expected,
        120,
        () -> "(" + readSoFar(topic, type).size() + " of " + expected + " committed; "
            + CommittedReader.describePending(kafka.bootstrapServers(), topic) + ")");
  }

  private void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    waitFor(what, condition, 120, () -> "");
  }

  /**
   * Waits for {@code condition} while the latest started job runs: fails at once with its root cause
   * when it ends, and on a timeout with one line (so a CI log's failure summary carries it) naming
   * the job's status, its checkpoint counts and where its threads were.
   */
  private void waitFor(String what, BooleanSupplier condition, long seconds, Supplier<String> progress)
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
            "timed out after " + seconds + " s waiting for " + what + " " + progress.get()
                + (job == null ? "" : " | job " + status(job) + ", checkpoints " + checkpointCounts(job) + " | tasks " + taskRecordCounts(job))
                + " | threads: " + lodestarThreads());
      }
      Thread.sleep(250);
    }
    // The test output keeps how long each wait took: a slow one is the first sign of a stall.
    System.out.println("waited " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms for " + what
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
      throw new AssertionError("the job ended " + status + (cause == null ? "" : ": " + cause), cause);
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
          + (failed.isMissingNode() || failed.isNull() ? "" : ", latest failed " + failed.path("id") + ": " + failed.path("failure_message").asText());
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
        out.append(name, 0, Math.min(40, name.length())).append(' ').append(vertex.path("status").asText()).append(" in ")
            .append(vertex.path("metrics").path("read-records").asLong()).append(" out ")
            .append(vertex.path("metrics").path("write-records").asLong()).append("; ");
      }
      return out.toString();
    } catch (Exception e) {
      return "unavailable (" + e + ")";
    }
  }

  private JsonNode restGet(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** Where the job's threads are: each one running Lodestar, DJL or ONNX Runtime code, with its top frames. */
  private static String lodestarThreads() {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      boolean ours = java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith("io.lodestar.operators")
          || f.getClassName().startsWith("ai.djl") || f.getClassName().startsWith("ai.onnxruntime"));
      if (ours) {
        String name = thread.getName();
        out.append(name, 0, Math.min(60, name.length())).append(' ').append(thread.getState()).append(" at ");
        java.util.Arrays.stream(stack).limit(4).forEach(f -> out.append(f).append(" < "));
        out.append("; ");
      }
    });
    return out.length() == 0 ? "none in Lodestar, DJL or ONNX Runtime code" : out.toString();
  }

  /** Fresh topic names per test, so tests never see each other's records. */
  private record Topics(
      String suffix,
      String generations,
      String feedback,
      String scored,
      String batches,
      String pairs,
      String unpaired,
      String deadLetters,
      String healthMetrics,
      String alerts,
      String filteredGroups) {
    static Topics fresh() {
      String s = UUID.randomUUID().toString().substring(0, 8);
      return new Topics(
          s, "generations-" + s, "feedback-" + s, "scored-" + s, "batches-" + s, "pairs-" + s, "unpaired-" + s, "dead-" + s,
          "health-" + s, "alerts-" + s, "filtered-" + s);
    }

    String[] all() {
      return new String[] {
        generations, feedback, scored, batches, pairs, unpaired, deadLetters, healthMetrics, alerts, filteredGroups
      };
    }
  }

  /** Throws once, on the first record after any checkpoint has completed. */
  static final class FailOnceAfterCheckpoint extends RichMapFunction<RawRecord, RawRecord> implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static void reset() {
      CHECKPOINTED.set(false);
      FAILED.set(false);
    }

    @Override
    public RawRecord map(RawRecord record) {
      if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after a completed checkpoint");
      }
      return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }
}
