package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.jobs.process.ChildJvm;
import io.lodestar.jobs.process.KafkaBrokerMain;
import io.lodestar.jobs.process.StandaloneFlinkCluster;
import io.lodestar.operators.batch.BatchAssembler;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.testkit.traffic.TrafficSimulator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming job under real process death: a standalone Flink session cluster of separate
 * JobManager and TaskManager JVMs, a Kafka broker in a JVM of its own, the job submitted as a
 * deployment submits it ({@code flink run} with the cluster's {@code FLINK_CONF_DIR}). A
 * TaskManager is killed with SIGKILL mid-stream; then the whole cluster; the job resumes on a fresh
 * cluster from its newest retained checkpoint with {@code --execution.state-recovery.path}: a
 * read_committed reader must then see every output once, equal to what a run without failure
 * yields, and every batch id unique and derived from its content. Then it starts once more without
 * state, from the committed offsets, with new traffic: everything new comes out, and no id (batch
 * or generation) names two contents, whatever is read again.
 */
class ProcessDeathITCase {

  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
  private static final int PARALLELISM = 2;

  /**
   * Logs, checkpoints and cluster configurations; under target/ so the JVMs' logs outlive a failed
   * run.
   */
  private static Path work;

  private static ChildJvm broker;
  private static String bootstrap;
  private static Path jobJar;
  private static final List<StandaloneFlinkCluster> clusters = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    work =
        Files.createDirectories(
            Path.of(
                System.getProperty("user.dir"),
                "target",
                "process-death",
                Long.toString(System.currentTimeMillis())));
    Path address = work.resolve("bootstrap.txt");
    broker =
        ChildJvm.start(
            "kafka-broker",
            work.resolve("logs"),
            List.of("-Xmx512m"),
            KafkaBrokerMain.class.getName(),
            List.of(address.toString()),
            Map.of());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.exists(address)) {
      if (!broker.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the broker JVM did not come up: " + broker.logTail(40));
      }
      Thread.sleep(100);
    }
    bootstrap = Files.readString(address, StandardCharsets.UTF_8).trim();
    jobJar = emptyJar(work.resolve("lodestar-job.jar"));
  }

  /** Whatever a failed test left running: every cluster JVM, then the broker. */
  @AfterAll
  static void killEverything() throws Exception {
    for (StandaloneFlinkCluster cluster : clusters) {
      cluster.close();
    }
    if (broker != null && broker.isAlive()) {
      broker.kill();
    }
  }

  @AfterEach
  void killClusters() throws Exception {
    for (StandaloneFlinkCluster cluster : clusters) {
      cluster.close();
    }
  }

  @Test
  void survivesSigkillOfATaskManagerAndOfTheWholeClusterWithEveryOutputOnceAndNoBatchIdReused()
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    TestTopics topics = new TestTopics(suffix);
    createTopics(topics);
    Path checkpoints = work.resolve("checkpoints-" + suffix);
    SimulatedTraffic traffic =
        new SimulatedTraffic(settings(23L, 36, TrafficSimulator.Settings.defaults().startTimeMs()));
    List<SimulatedTraffic.Message> messages = traffic.messages;
    int third = messages.size() / 3;

    // 1. A TaskManager dies mid-stream; a new one takes over and the job recovers by itself.
    StandaloneFlinkCluster first = startCluster("cluster-a");
    String job = submit(first, topics, checkpoints, null);
    publish(topics, messages.subList(0, third));
    awaitCommitted(first, job, "the first outputs", topics.scored(), ScoredGeneration.class, 1);
    first.killTaskManager();
    publish(topics, messages.subList(third, 2 * third));
    first.startTaskManager();
    int published = generationsIn(messages.subList(0, 2 * third)).size();
    awaitCommitted(
        first,
        job,
        "every generation published so far",
        topics.scored(),
        ScoredGeneration.class,
        published);
    assertThat(first.get("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries"))
        .as("the job failed over when its TaskManager died")
        .isNotEmpty();
    long completedBeforeKill =
        first.get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
    assertThat(completedBeforeKill).isPositive();

    // 2. The whole cluster dies with the job mid-stream; a fresh cluster resumes it from its newest
    // retained checkpoint.
    first.killAll();
    publish(topics, messages.subList(2 * third, messages.size()));
    Path newest = newestRetainedCheckpoint(checkpoints.resolve(job));
    StandaloneFlinkCluster second = startCluster("cluster-b");
    String resumed = submit(second, topics, checkpoints, newest);
    awaitCommitted(
        second,
        resumed,
        "every generation",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size());
    assertThat(
            second
                .get("/jobs/" + resumed + "/checkpoints")
                .path("latest")
                .path("restored")
                .path("external_path")
                .asText())
        .as("the job resumed from the retained checkpoint")
        .contains(newest.getFileName().toString());
    drain(second, resumed);

    assertEveryOutputOnce(topics, List.of(traffic));

    // 3. A start without state, from the committed offsets: whatever it reads again or anew, no id
    // names two contents.
    SimulatedTraffic later =
        new SimulatedTraffic(
            settings(
                29L,
                12,
                TrafficSimulator.Settings.defaults().startTimeMs()
                    + Duration.ofHours(1).toMillis()));
    System.out.println(
        "committed offsets at the start without state: "
            + committedOffsets("pd-" + topics.suffix()));
    String restarted = submit(second, topics, checkpoints, null);
    publish(topics, later.messages);
    awaitCommitted(
        second,
        restarted,
        "every generation of the later traffic",
        topics.scored(),
        ScoredGeneration.class,
        traffic.generationIds.size() + later.generationIds.size());
    drain(second, restarted);

    assertNoIdNamesTwoContents(topics, List.of(traffic, later));
  }

  /**
   * What a start without state must keep: everything of the new traffic comes out, and an id read
   * again (input read again from offsets committed before the end) names what it named before.
   */
  private void assertNoIdNamesTwoContents(TestTopics topics, List<SimulatedTraffic> runs) {
    Set<String> generations = new HashSet<>();
    Set<String> trainable = new HashSet<>();
    runs.forEach(
        t -> {
          generations.addAll(t.generationIds);
          trainable.addAll(t.trainableGroupIds);
        });
    Map<String, Set<Object>> scored = new HashMap<>();
    read(topics.scored(), ScoredGeneration.class)
        .forEach(
            s ->
                scored
                    .computeIfAbsent(s.getGeneration().getGenerationId(), id -> new HashSet<>())
                    .add(String.valueOf(s.getReward())));
    assertThat(scored.keySet()).containsExactlyInAnyOrderElementsOf(generations);
    assertThat(scored)
        .allSatisfy((id, rewards) -> assertThat(rewards).as("rewards of %s", id).hasSize(1));

    Map<String, Set<Object>> batches = new HashMap<>();
    Set<String> batchedGroups = new HashSet<>();
    for (RLBatch batch : read(topics.batches(), RLBatch.class)) {
      List<List<String>> members = new ArrayList<>();
      for (RLGroup group : batch.getGroups()) {
        batchedGroups.add(group.getGroupId());
        List<String> ids = new ArrayList<>(List.of(group.getGroupId()));
        group
            .getSamples()
            .forEach(sample -> ids.add(sample.getGenerationId() + "=" + sample.getAdvantage()));
        members.add(ids);
      }
      batches.computeIfAbsent(batch.getBatchId(), id -> new HashSet<>()).add(members);
    }
    assertThat(batches)
        .allSatisfy((id, contents) -> assertThat(contents).as("contents named %s", id).hasSize(1));
    assertThat(batchedGroups)
        .containsAll(runs.get(runs.size() - 1).trainableGroupIds)
        .isSubsetOf(trainable);
  }

  /** What a run without failure yields, each once, as a trainer reads it (read_committed). */
  private void assertEveryOutputOnce(TestTopics topics, List<SimulatedTraffic> runs) {
    Set<String> generations = new HashSet<>();
    Set<String> trainable = new HashSet<>();
    Set<String> setAside = new HashSet<>();
    Set<SimulatedTraffic.ExpectedPair> votePairs = new HashSet<>();
    for (SimulatedTraffic t : runs) {
      generations.addAll(t.generationIds);
      trainable.addAll(t.trainableGroupIds);
      t.groupIds.stream().filter(id -> !t.trainableGroupIds.contains(id)).forEach(setAside::add);
      t.expectedPairs.stream().filter(p -> p.source() == PairSource.VOTE).forEach(votePairs::add);
    }
    assertThat(read(topics.scored(), ScoredGeneration.class))
        .extracting(s -> s.getGeneration().getGenerationId())
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(generations);

    List<RLBatch> batches = read(topics.batches(), RLBatch.class);
    assertThat(batches).extracting(RLBatch::getBatchId).as("batch ids").doesNotHaveDuplicates();
    List<String> batchedGroups = new ArrayList<>();
    for (RLBatch batch : batches) {
      batch.getGroups().forEach(g -> batchedGroups.add(g.getGroupId()));
      // The id is the content's: whoever reads an id once has read the only content it will ever
      // name.
      assertThat(batch.getBatchId())
          .as("id of batch %s", batch.getGroups().stream().map(RLGroup::getGroupId).toList())
          .isEqualTo(
              BatchAssembler.batchId(
                  batch.getModelId(), batch.getGroups(), batch.getTrainerPolicyVersion()));
    }
    assertThat(batchedGroups)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(trainable);
    assertThat(read(topics.filteredGroups(), RLGroup.class))
        .extracting(RLGroup::getGroupId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(setAside);

    List<PreferencePair> pairs = read(topics.pairs(), PreferencePair.class);
    assertThat(pairs).extracting(PreferencePair::getPairId).doesNotHaveDuplicates();
    assertThat(pairs)
        .filteredOn(p -> p.getSource() == PairSource.VOTE)
        .extracting(
            p ->
                new SimulatedTraffic.ExpectedPair(
                    p.getSource(), p.getChosenGenerationId(), p.getRejectedGenerationId()))
        .containsExactlyInAnyOrderElementsOf(votePairs)
        .isNotEmpty();
    assertThat(read(topics.unpaired(), UnpairedExample.class))
        .extracting(UnpairedExample::getExampleId)
        .doesNotHaveDuplicates()
        .isNotEmpty();
  }

  private static StandaloneFlinkCluster startCluster(String name) throws Exception {
    StandaloneFlinkCluster cluster = StandaloneFlinkCluster.start(name, work, PARALLELISM);
    clusters.add(cluster);
    return cluster;
  }

  /**
   * Submits the streaming job as {@code flink run -d -c io.lodestar.jobs.PipelineJob <jar>
   * <options>} would, from a client JVM whose FLINK_CONF_DIR is the cluster's, and returns the
   * running job's id.
   */
  private String submit(
      StandaloneFlinkCluster cluster, TestTopics topics, Path checkpoints, Path restore)
      throws Exception {
    Set<String> before = jobIds(cluster);
    List<String> args =
        new ArrayList<>(List.of("run", "-d", "-c", PipelineJob.class.getName(), jobJar.toString()));
    args.addAll(
        List.of(
            "--kafka.bootstrap.servers",
            bootstrap,
            "--topics.generations",
            topics.generations(),
            "--topics.feedback",
            topics.feedback(),
            "--topics.scored",
            topics.scored(),
            "--topics.batches",
            topics.batches(),
            "--topics.pairs",
            topics.pairs(),
            "--topics.unpaired",
            topics.unpaired(),
            "--topics.dead-letters",
            topics.deadLetters(),
            "--topics.health-metrics",
            topics.healthMetrics(),
            "--topics.alerts",
            topics.alerts(),
            "--topics.filtered-groups",
            topics.filteredGroups(),
            "--source.group-id",
            "pd-" + topics.suffix(),
            "--sink.transactional-id-prefix",
            "pd-" + topics.suffix(),
            "--sink.transaction-timeout",
            "1 min",
            "--checkpoint.interval",
            "1 s",
            "--checkpoint.dir",
            checkpoints.toUri().toString(),
            "--restart.attempts",
            "20",
            "--restart.delay",
            "1 s",
            "--parallelism",
            Integer.toString(PARALLELISM),
            "--batch.groups",
            "3",
            "--batch.max-wait",
            "1 h",
            "--group.timeout",
            "10 min",
            "--feedback.max-wait",
            "1 h"));
    if (restore != null) {
      args.addAll(List.of("--execution.state-recovery.path", restore.toString()));
    }
    ChildJvm client =
        cluster.launch(
            "client-" + UUID.randomUUID().toString().substring(0, 4),
            List.of("-Xmx512m"),
            "org.apache.flink.client.cli.CliFrontend",
            args,
            Map.of("FLINK_CONF_DIR", cluster.confDir().toString()));
    OptionalInt exit = client.awaitExit(120);
    if (exit.isEmpty() || exit.getAsInt() != 0) {
      throw new AssertionError(
          "the submission did not succeed ("
              + (exit.isEmpty() ? "still running" : "exit " + exit.getAsInt())
              + "): "
              + client.logTail(60));
    }
    String[] job = new String[1];
    cluster.awaitCondition(
        "the submitted job to run",
        120,
        () -> {
          for (JsonNode j : nonNull(cluster.tryGet("/jobs")).path("jobs")) {
            if (!before.contains(j.path("id").asText())
                && j.path("status").asText().equals("RUNNING")) {
              job[0] = j.path("id").asText();
              return true;
            }
          }
          return false;
        },
        () -> "jobs " + cluster.tryGet("/jobs"));
    return job[0];
  }

  private static Set<String> jobIds(StandaloneFlinkCluster cluster) {
    Set<String> ids = new HashSet<>();
    nonNull(cluster.tryGet("/jobs")).path("jobs").forEach(j -> ids.add(j.path("id").asText()));
    return ids;
  }

  private static JsonNode nonNull(JsonNode node) {
    return node == null ? MissingNode.getInstance() : node;
  }

  /**
   * Stops the job with a final savepoint and drained event time, as an operator ends a run; waits
   * until it finished.
   */
  private void drain(StandaloneFlinkCluster cluster, String job) throws Exception {
    String body =
        "{\"drain\": true, \"targetDirectory\": \"" + work.resolve("savepoints").toUri() + "\"}";
    cluster.post("/jobs/" + job + "/stop", body);
    cluster.awaitCondition(
        "job " + job + " to drain and finish",
        120,
        () -> nonNull(cluster.tryGet("/jobs/" + job)).path("state").asText().equals("FINISHED"),
        () -> "job " + nonNull(cluster.tryGet("/jobs/" + job)).path("state").asText());
  }

  /**
   * The retained checkpoint to resume from: the highest-numbered {@code chk-N} holding a {@code
   * _metadata} file (one without it was still being written when the process died).
   */
  private static Path newestRetainedCheckpoint(Path jobFolder) throws IOException {
    try (Stream<Path> children = Files.list(jobFolder)) {
      return children
          .filter(
              p ->
                  CHECKPOINT.matcher(p.getFileName().toString()).matches()
                      && Files.isRegularFile(p.resolve("_metadata")))
          .max(
              Comparator.comparingLong(
                  p -> {
                    Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
                    return m.matches() ? Long.parseLong(m.group(1)) : -1;
                  }))
          .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobFolder));
    }
  }

  private void awaitCommitted(
      StandaloneFlinkCluster cluster,
      String job,
      String what,
      String topic,
      Class<? extends SpecificRecordBase> type,
      int expected)
      throws InterruptedException {
    cluster.awaitCondition(
        what + " to be committed",
        180,
        () -> CommittedReader.readAll(bootstrap, topic, Duration.ofSeconds(30)).size() >= expected,
        () ->
            CommittedReader.readAll(bootstrap, topic, Duration.ofSeconds(30)).size()
                + " of "
                + expected
                + " on "
                + topic
                + "; job "
                + nonNull(cluster.tryGet("/jobs/" + job)).path("state").asText()
                + ", checkpoints "
                + nonNull(cluster.tryGet("/jobs/" + job + "/checkpoints")).path("counts")
                + ", last failed checkpoint: "
                + nonNull(cluster.tryGet("/jobs/" + job + "/checkpoints"))
                    .path("latest")
                    .path("failed")
                    .path("failure_message")
                    .asText("none")
                + "; restarts caused by: "
                + restartCauses(cluster, job)
                + "; "
                + CommittedReader.describePending(bootstrap, topic));
  }

  /** The distinct first lines of the job's failure history, so a red run says why it restarted. */
  private static String restartCauses(StandaloneFlinkCluster cluster, String job) {
    JsonNode history =
        nonNull(cluster.tryGet("/jobs/" + job + "/exceptions"))
            .path("exceptionHistory")
            .path("entries");
    Set<String> causes = new LinkedHashSet<>();
    for (JsonNode entry : history) {
      causes.add(
          entry
              .path("stacktrace")
              .asText(entry.path("exceptionName").asText())
              .lines()
              .findFirst()
              .orElse("?"));
    }
    return causes.isEmpty() ? "none" : causes.toString();
  }

  /** The consumer group's committed offsets, for the test output. */
  private static String committedOffsets(String group) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      Map<String, Long> committed = new TreeMap<>();
      admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (tp, offset) ->
                  committed.put(tp.toString(), offset == null ? null : offset.offset()));
      return committed.toString();
    } catch (Exception e) {
      return "unavailable (" + e + ")";
    }
  }

  private static Set<String> generationsIn(List<SimulatedTraffic.Message> messages) {
    Set<String> ids = new HashSet<>();
    messages.stream()
        .filter(m -> !m.feedback() && m.key() != null)
        .forEach(m -> ids.add(new String(m.key(), StandardCharsets.UTF_8)));
    return ids;
  }

  private static TrafficSimulator.Settings settings(long seed, int prompts, long startTimeMs) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    return new TrafficSimulator.Settings(
        seed,
        prompts,
        4,
        0.05,
        0.0,
        d.noAnswerRate(),
        0.6,
        0.3,
        startTimeMs,
        d.meanGapMs(),
        d.modelId());
  }

  private static void createTopics(TestTopics topics) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> all = new ArrayList<>();
      for (String topic : topics.all()) {
        all.add(new NewTopic(topic, 2, (short) 1));
      }
      admin.createTopics(all).all().get(60, TimeUnit.SECONDS);
    }
  }

  private static void publish(TestTopics topics, List<SimulatedTraffic.Message> messages) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("enable.idempotence", "true");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (SimulatedTraffic.Message m : messages) {
        producer.send(
            new ProducerRecord<>(
                m.feedback() ? topics.feedback() : topics.generations(), m.key(), m.value()));
      }
      producer.flush();
    }
  }

  private static <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type) {
    return CommittedRecords.read(bootstrap, topic, type);
  }

  /**
   * The jar {@code flink run} ships: only a manifest, since the cluster's JVMs already have the
   * job's classes on their classpath (this test's).
   */
  private static Path emptyJar(Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      return jar;
    }
  }
}
