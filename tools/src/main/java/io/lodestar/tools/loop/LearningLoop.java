package io.lodestar.tools.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.LocalBinding;
import io.lodestar.jobs.PipelineEnvironment;
import io.lodestar.jobs.PipelineJob;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.PolicyTraffic;
import io.lodestar.testkit.traffic.TabularPolicy;
import io.lodestar.tools.dashboard.HealthDashboard;
import io.lodestar.tools.dashboard.HealthFeed;
import io.lodestar.tools.loop.LoopReport.Scored;
import io.lodestar.tools.loop.LoopReport.VersionStats;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A demo in which a policy learns: simulated traffic sampled from a tabular policy (a softmax over
 * answer strategies per problem template, not a language model) runs through the streaming job on
 * an in-process broker; a Python trainer ({@code clients/python/examples/tabular_reinforce.py})
 * reads the RL batches, takes a REINFORCE step with Lodestar's advantages, announces each new
 * version on the policy-update topic and acknowledges the batch; the simulator samples from the
 * announced versions, some replicas a few versions behind. The report prints the learning curve,
 * staleness drops and down-weights, the trainer's acknowledgements and the latency from a
 * generation's creation to the trainer holding its batch. See {@code docs/learning-loop.md}.
 */
public final class LearningLoop {

  static final String MODEL_ID = "lodestar-sim-tabular";
  private static final String STALENESS_WEIGHT_PARAM = "staleness_weight";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The loop's flags (docs/learning-loop.md lists them). */
  record Settings(
      int groups,
      long gapMs,
      int groupSize,
      int batchGroups,
      int samplerLag,
      long stalenessMaxLag,
      String stalenessAction,
      double learningRate,
      long seed,
      int killAfter,
      Path output,
      boolean dashboard,
      String watermarkIdleness) {

    static Settings parse(String[] args) {
      Map<String, String> flags = new HashMap<>();
      for (int i = 0; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --flag value, got " + args[i]);
        }
        flags.put(args[i].substring(2), args[i + 1]);
      }
      Settings s =
          new Settings(
              Integer.parseInt(orDefault(flags, "groups", "480")),
              Long.parseLong(orDefault(flags, "gap-ms", "100")),
              Integer.parseInt(orDefault(flags, "group-size", "8")),
              Integer.parseInt(orDefault(flags, "batch-groups", "4")),
              Integer.parseInt(orDefault(flags, "sampler-lag", "3")),
              Long.parseLong(orDefault(flags, "staleness-max-lag", "2")),
              orDefault(flags, "staleness-action", "downweight"),
              Double.parseDouble(orDefault(flags, "learning-rate", "4.0")),
              Long.parseLong(orDefault(flags, "seed", "7")),
              Integer.parseInt(orDefault(flags, "kill-trainer-after", "0")),
              Path.of(orDefault(flags, "output", "lodestar-out/loop")),
              Boolean.parseBoolean(orDefault(flags, "dashboard", "true")),
              orDefault(flags, "watermark-idleness", "1s"));
      if (!flags.isEmpty()) {
        throw new IllegalArgumentException("unknown flags: " + flags.keySet());
      }
      if (s.groups < 1 || s.groupSize < 2 || s.batchGroups < 1 || s.samplerLag < 0) {
        throw new IllegalArgumentException(
            "--groups and --batch-groups must be >= 1, --group-size >= 2, --sampler-lag >= 0");
      }
      return s;
    }

    private static String orDefault(Map<String, String> flags, String key, String fallback) {
      String value = flags.remove(key);
      return value == null ? fallback : value;
    }
  }

  /** What a run produced, for the report and the integration test. */
  record Result(
      NavigableMap<Long, VersionStats> curve,
      List<String> batchIds,
      List<List<JsonNode>> trainerRuns,
      String heldBatchId,
      int batchedGroups,
      int staleDropped,
      int staleDownweighted,
      List<Long> latenciesMs,
      long sampledGroups,
      String checkpointDurations) {

    /** Events of {@code name} over every trainer run, in order. */
    List<JsonNode> events(String name) {
      List<JsonNode> found = new ArrayList<>();
      for (List<JsonNode> run : trainerRuns) {
        for (JsonNode event : run) {
          if (name.equals(event.path("event").asText())) {
            found.add(event);
          }
        }
      }
      return found;
    }
  }

  private LearningLoop() {}

  public static void main(String[] args) throws Exception {
    run(args);
    // Library threads (broker, Flink) may linger; the loop is done.
    System.exit(0);
  }

  static Result run(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    Path repository = repository();
    String missing = TrainerProcess.missingPythonModules();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the trainer needs python3 with confluent_kafka, avro and numpy (Debian packages"
              + " python3-confluent-kafka python3-avro python3-numpy); missing: "
              + missing);
    }
    Path work = Files.createTempDirectory("lodestar-loop");
    Files.createDirectories(settings.output());
    System.out.println("Lodestar learning loop: starting an in-process Kafka broker...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LodestarOptions options = loopOptions(kafka.bootstrapServers(), work, settings);
      String policyTopic = options.get(LodestarOptions.TOPIC_POLICY_UPDATES);
      for (String topic : topics(options)) {
        kafka.createTopics(topic.equals(policyTopic) ? 1 : 3, topic);
      }
      Path initial = work.resolve("initial-policy.json");
      TabularPolicy.initial().write(initial, MODEL_ID);

      int webPort = freePortFrom(8081);
      Configuration conf = PipelineEnvironment.streaming(options);
      conf.set(RestOptions.PORT, webPort);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
              LocalBinding.loopbackOnly(conf));
      env.configure(conf, LearningLoop.class.getClassLoader());
      PipelineJob.build(env, options);
      JobClient job = env.executeAsync("lodestar-learning-loop");
      String webUi = "http://127.0.0.1:" + webPort;
      System.out.println("Flink web UI: " + webUi + "  (job " + job.getJobID() + ")");
      HealthDashboard dashboard = null;
      HealthFeed feed = null;
      if (settings.dashboard()) {
        dashboard =
            HealthDashboard.start(freePortFrom(8090), HealthFeed.CHARTS, HealthFeed.LAYOUT, webUi);
        feed =
            HealthFeed.start(
                kafka.bootstrapServers(),
                options.get(LodestarOptions.TOPIC_HEALTH_METRICS),
                options.get(LodestarOptions.TOPIC_ALERTS),
                dashboard);
        System.out.println(
            "Live health dashboard (reward and verifier pass rate per window and policy version): "
                + dashboard.url());
      }
      try {
        return runLoop(
            kafka.bootstrapServers(), options, job, webUi, work, repository, initial, settings);
      } finally {
        if (feed != null) {
          feed.close();
        }
        if (dashboard != null) {
          dashboard.close();
        }
      }
    }
  }

  private static Result runLoop(
      String bootstrap,
      LodestarOptions options,
      JobClient job,
      String webUi,
      Path work,
      Path repository,
      Path initial,
      Settings settings)
      throws Exception {
    String policyTopic = options.get(LodestarOptions.TOPIC_POLICY_UPDATES);
    Path stopFile = work.resolve("trainer.stop");
    Path trainerLog = settings.output().resolve("trainer.log");
    Files.deleteIfExists(trainerLog);
    List<String> trainerArgs =
        List.of(
            "--bootstrap",
            bootstrap,
            "--batches-topic",
            options.get(LodestarOptions.TOPIC_BATCHES),
            "--policy-topic",
            policyTopic,
            "--group-id",
            "tabular-reinforce",
            "--state-dir",
            work.resolve("trainer").toString(),
            "--initial-policy",
            initial.toString(),
            "--learning-rate",
            Double.toString(settings.learningRate()),
            "--stop-file",
            stopFile.toString());
    List<TrainerProcess> trainers = new ArrayList<>();
    String held = null;
    long sampled = 0;
    try (PolicyFeed versions = PolicyFeed.start(bootstrap, policyTopic, MODEL_ID)) {
      trainers.add(startTrainer(repository, trainerArgs, settings.killAfter(), trainerLog));
      // Sampling starts once every task runs, so no generation waits for the job to start.
      waitFor(
          () -> completedCheckpoints(webUi, job) > 0,
          Duration.ofMinutes(3),
          "the job's first checkpoint",
          trainerLog);
      waitFor(
          () -> !versions.isEmpty(),
          Duration.ofMinutes(2),
          "the trainer's first policy",
          trainerLog);
      System.out.printf(
          "Trainer started (pid %d); sampling %d groups of %d, one every %d ms%n",
          trainers.get(0).pid(), settings.groups(), settings.groupSize(), settings.gapMs());

      PolicyTraffic traffic = new PolicyTraffic(settings.seed(), MODEL_ID, settings.groupSize());
      RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
      String generationsTopic = options.get(LodestarOptions.TOPIC_GENERATIONS);
      Properties props = new Properties();
      props.put("bootstrap.servers", bootstrap);
      props.put("enable.idempotence", "true");
      props.put("linger.ms", "0");
      try (CheckedProducer producer = new CheckedProducer(props)) {
        long start = System.currentTimeMillis();
        for (int i = 0; i < settings.groups(); i++) {
          sleepUntil(start + i * settings.gapMs());
          if (held == null) {
            held = replaceIfHolding(trainers, repository, trainerArgs, trainerLog);
          }
          // A replica that has not yet loaded the newest weights samples an older version.
          TabularPolicy policy =
              versions.behindNewest(traffic.random().nextInt(settings.samplerLag() + 1));
          for (Generation g : traffic.group(policy, System.currentTimeMillis())) {
            producer.send(
                new ProducerRecord<>(
                    generationsTopic,
                    g.getGenerationId().getBytes(StandardCharsets.UTF_8),
                    codec.encode(g, WireFormat.AVRO)));
          }
          sampled++;
        }
        producer.flush();
      }
      System.out.println(
          "Traffic done; draining the job (open groups and partial batches flush)...");
      Thread.sleep(2 * options.checkpointInterval().toMillis() + 1000);
      String checkpoints = checkpointDurations(webUi, job);
      job.stopWithSavepoint(
              true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
          .get(2, TimeUnit.MINUTES);
      job.getJobExecutionResult().get(2, TimeUnit.MINUTES);

      List<RLBatch> batches =
          decodeAll(bootstrap, options.get(LodestarOptions.TOPIC_BATCHES), RLBatch.class);
      Set<String> batchIds = new LinkedHashSet<>();
      for (RLBatch batch : batches) {
        batchIds.add(batch.getBatchId());
      }
      // A trainer that reached its hold only on the drained batches is replaced here.
      String[] heldLate = {held};
      waitFor(
          () -> {
            if (heldLate[0] == null && settings.killAfter() > 0) {
              heldLate[0] = replaceIfHolding(trainers, repository, trainerArgs, trainerLog);
            }
            return acknowledgedIds(trainers).containsAll(batchIds);
          },
          Duration.ofMinutes(3),
          "the trainer to acknowledge all " + batchIds.size() + " batches",
          trainerLog);
      held = heldLate[0];
      TrainerProcess last = trainers.get(trainers.size() - 1);
      Files.writeString(stopFile, "stop\n");
      if (!last.awaitExit(Duration.ofMinutes(1))) {
        last.kill();
      }

      List<List<JsonNode>> runs = new ArrayList<>();
      for (TrainerProcess trainer : trainers) {
        runs.add(trainer.events());
      }
      Result result =
          new Result(
              LoopReport.curve(scored(bootstrap, options)),
              new ArrayList<>(batchIds),
              runs,
              held,
              batchedGroups(batches),
              staleDropped(bootstrap, options),
              staleDownweighted(batches),
              latencies(runs),
              sampled,
              checkpoints);
      writeOutputs(settings.output(), result);
      print(result, settings);
      return result;
    } finally {
      for (TrainerProcess trainer : trainers) {
        trainer.close();
      }
    }
  }

  private static TrainerProcess startTrainer(
      Path repository, List<String> args, int holdAfter, Path log) throws IOException {
    List<String> all = new ArrayList<>(args);
    all.add("--hold-after");
    all.add(Integer.toString(holdAfter));
    return TrainerProcess.start(repository, all, log);
  }

  /**
   * When the newest trainer holds a batch (it has stepped on it and announced the new version, but
   * not acknowledged it), kills it with SIGKILL and starts a new one; returns the held batch id, or
   * null when it does not hold one (yet).
   */
  private static String replaceIfHolding(
      List<TrainerProcess> trainers, Path repository, List<String> args, Path log)
      throws IOException, InterruptedException {
    TrainerProcess current = trainers.get(trainers.size() - 1);
    JsonNode holding = current.first("holding");
    if (holding == null) {
      return null;
    }
    String held = holding.path("batchId").asText();
    System.out.printf(
        "Trainer holds batch %s unacknowledged: SIGKILL (pid %d), then a new trainer%n",
        held, current.pid());
    current.kill();
    trainers.add(startTrainer(repository, args, 0, log));
    return held;
  }

  private static Set<String> acknowledgedIds(List<TrainerProcess> trainers) {
    Set<String> ids = new LinkedHashSet<>();
    for (TrainerProcess trainer : trainers) {
      for (JsonNode event : trainer.events()) {
        if ("ack".equals(event.path("event").asText())) {
          ids.add(event.path("batchId").asText());
        }
      }
    }
    return ids;
  }

  static LodestarOptions loopOptions(String bootstrap, Path work, Settings settings) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("kafka.bootstrap.servers", bootstrap);
    values.put(LodestarOptions.TOPIC_POLICY_UPDATES.key(), "lodestar.policy-updates");
    values.put(LodestarOptions.TOPIC_FILTERED_GROUPS.key(), "lodestar.filtered-groups");
    values.put(LodestarOptions.STALENESS_MAX_LAG.key(), Long.toString(settings.stalenessMaxLag()));
    values.put(LodestarOptions.STALENESS_ACTION.key(), settings.stalenessAction());
    values.put(LodestarOptions.BATCH_GROUPS.key(), Integer.toString(settings.batchGroups()));
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "2 s");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 s");
    values.put(LodestarOptions.HEALTH_WINDOW.key(), "2 s");
    values.put(LodestarOptions.HEALTH_ALLOWED_LATENESS.key(), "1 s");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "1 s");
    values.put(
        LodestarOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "3");
    values.put(LodestarOptions.RESTART_DELAY.key(), "1 s");
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "2 min");
    values.put(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS.key(), "500 ms");
    // The control topic is quiet while the trainer waits for a batch, and until it counts as idle
    // it holds the batch operator's watermark at the last announcement: the loop would wait that
    // long for every batch.
    values.put(LodestarOptions.WATERMARK_IDLENESS.key(), settings.watermarkIdleness());
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    return LodestarOptions.fromMap(values, System::getenv);
  }

  private static List<String> topics(LodestarOptions options) {
    return List.of(
        options.get(LodestarOptions.TOPIC_GENERATIONS),
        options.get(LodestarOptions.TOPIC_FEEDBACK),
        options.get(LodestarOptions.TOPIC_POLICY_UPDATES),
        options.get(LodestarOptions.TOPIC_SCORED),
        options.get(LodestarOptions.TOPIC_BATCHES),
        options.get(LodestarOptions.TOPIC_FILTERED_GROUPS),
        options.get(LodestarOptions.TOPIC_PAIRS),
        options.get(LodestarOptions.TOPIC_UNPAIRED),
        options.get(LodestarOptions.TOPIC_HEALTH_METRICS),
        options.get(LodestarOptions.TOPIC_ALERTS),
        options.get(LodestarOptions.TOPIC_DEAD_LETTERS));
  }

  private static <T extends SpecificRecordBase> List<T> decodeAll(
      String bootstrap, String topic, Class<T> type) {
    RecordCodec<T> codec = RecordCodec.of(type);
    List<T> records = new ArrayList<>();
    for (byte[] value : CommittedReader.readAllSettled(bootstrap, topic, Duration.ofSeconds(30))) {
      DecodeResult<T> decoded = codec.decode(value);
      if (decoded.isOk()) {
        records.add(decoded.value());
      }
    }
    return records;
  }

  private static List<Scored> scored(String bootstrap, LodestarOptions options) {
    List<Scored> scored = new ArrayList<>();
    for (ScoredGeneration s :
        decodeAll(bootstrap, options.get(LodestarOptions.TOPIC_SCORED), ScoredGeneration.class)) {
      boolean passed = false;
      for (RewardComponent c : s.getComponents()) {
        passed |=
            c.getName().equals("math_equivalence")
                && c.getStatus() == RewardStatus.OK
                && c.getValue() != null
                && c.getValue() >= 1.0;
      }
      scored.add(
          new Scored(s.getGeneration().getPolicy().getPolicyVersion(), passed, s.getReward()));
    }
    return scored;
  }

  private static int staleDropped(String bootstrap, LodestarOptions options) {
    int dropped = 0;
    for (RLGroup group :
        decodeAll(bootstrap, options.get(LodestarOptions.TOPIC_FILTERED_GROUPS), RLGroup.class)) {
      if (group.getReason() == SetAsideReason.STALE) {
        dropped++;
      }
    }
    return dropped;
  }

  private static int batchedGroups(List<RLBatch> batches) {
    int groups = 0;
    for (RLBatch batch : batches) {
      groups += batch.getGroups().size();
    }
    return groups;
  }

  private static int staleDownweighted(List<RLBatch> batches) {
    int downweighted = 0;
    for (RLBatch batch : batches) {
      for (RLGroup group : batch.getGroups()) {
        if (group.getEstimatorParams().containsKey(STALENESS_WEIGHT_PARAM)) {
          downweighted++;
        }
      }
    }
    return downweighted;
  }

  private static List<Long> latencies(List<List<JsonNode>> runs) {
    List<Long> latencies = new ArrayList<>();
    for (List<JsonNode> run : runs) {
      for (JsonNode event : run) {
        if ("step".equals(event.path("event").asText())) {
          event.path("latencyMs").forEach(v -> latencies.add(v.asLong()));
        }
      }
    }
    return latencies;
  }

  private static void writeOutputs(Path output, Result result) throws IOException {
    try (BufferedWriter csv = Files.newBufferedWriter(output.resolve("learning-curve.csv"))) {
      csv.write("policy_version,samples,passed,pass_rate,mean_reward\n");
      for (VersionStats row : result.curve().values()) {
        csv.write(
            String.format(
                Locale.ROOT,
                "%d,%d,%d,%.4f,%.4f%n",
                row.version(),
                row.samples(),
                row.passed(),
                row.passRate(),
                row.meanReward()));
      }
    }
    try (BufferedWriter events = Files.newBufferedWriter(output.resolve("trainer-events.jsonl"))) {
      for (int run = 0; run < result.trainerRuns().size(); run++) {
        for (JsonNode event : result.trainerRuns().get(run)) {
          ObjectNode copy = ((ObjectNode) event.deepCopy());
          copy.put("trainerRun", run + 1);
          events.write(JSON.writeValueAsString(copy));
          events.newLine();
        }
      }
    }
  }

  private static void print(Result result, Settings settings) {
    System.out.println();
    System.out.println("=== Lodestar learning loop report ===");
    System.out.println(
        "The policy is tabular (a softmax over answer strategies per problem template), not an LLM.");
    System.out.printf(
        "Learning curve (scored generations by the policy version that sampled them):%n");
    System.out.printf("  %7s %7s %9s %11s%n", "version", "samples", "pass rate", "mean reward");
    for (VersionStats row : result.curve().values()) {
      System.out.printf(
          Locale.ROOT,
          "  %7d %7d %9.3f %11.3f  %s%n",
          row.version(),
          row.samples(),
          row.passRate(),
          row.meanReward(),
          LoopReport.bar(row.passRate(), 30));
    }
    System.out.printf(
        Locale.ROOT,
        "Pass rate, first 3 versions: %.3f; last 5 versions: %.3f (versions with >= %d samples)%n",
        LoopReport.pooledPassRate(result.curve(), 3, settings.groupSize(), true),
        LoopReport.pooledPassRate(result.curve(), 5, settings.groupSize(), false),
        settings.groupSize());
    System.out.printf(
        "Groups: %d sampled (replicas 0..%d versions behind), %d in batches, %d dropped as stale,"
            + " %d of the batched down-weighted (staleness.max-lag %d, action %s)%n",
        result.sampledGroups(),
        settings.samplerLag(),
        result.batchedGroups(),
        result.staleDropped(),
        result.staleDownweighted(),
        settings.stalenessMaxLag(),
        settings.stalenessAction());
    List<JsonNode> acks = result.events("ack");
    System.out.printf(
        "Trainer: %d runs, %d batches on the topic, %d acknowledgements, %d optimiser steps%s%n",
        result.trainerRuns().size(),
        result.batchIds().size(),
        acks.size(),
        result.events("step").size(),
        result.heldBatchId() == null
            ? ""
            : " (batch " + result.heldBatchId() + " held when the first trainer was killed)");
    System.out.printf(
        "Latency, generation created -> trainer holds its batch: p50 %d ms, p99 %d ms over %d"
            + " samples%n",
        LoopReport.percentile(result.latenciesMs(), 0.50),
        LoopReport.percentile(result.latenciesMs(), 0.99),
        result.latenciesMs().size());
    System.out.println(
        "Checkpoints (a batch is visible to the trainer once the checkpoint after it completes): "
            + result.checkpointDurations());
    System.out.println(
        "Outputs: "
            + settings.output().resolve("learning-curve.csv")
            + ", "
            + settings.output().resolve("trainer-events.jsonl")
            + ", "
            + settings.output().resolve("trainer.log"));
  }

  /** Completed checkpoints of the job, from its REST API; 0 while it cannot tell. */
  private static long completedCheckpoints(String webUi, JobClient job) {
    return checkpointStatistics(webUi, job).path("counts").path("completed").asLong(0);
  }

  /**
   * The end-to-end durations of the job's checkpoints: batches reach a read_committed reader only
   * when the checkpoint after them completes.
   */
  private static String checkpointDurations(String webUi, JobClient job) {
    JsonNode stats = checkpointStatistics(webUi, job);
    JsonNode duration = stats.path("summary").path("end_to_end_duration");
    if (duration.isMissingNode()) {
      return "unavailable";
    }
    return String.format(
        Locale.ROOT,
        "%d completed, end-to-end duration p50 %d ms, p99 %d ms, max %d ms",
        stats.path("counts").path("completed").asLong(),
        duration.path("p50").asLong(),
        duration.path("p99").asLong(),
        duration.path("max").asLong());
  }

  private static JsonNode checkpointStatistics(String webUi, JobClient job) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(webUi + "/jobs/" + job.getJobID() + "/checkpoints"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      return JSON.createObjectNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JSON.createObjectNode();
    }
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition condition, Duration atMost, String what, Path log)
      throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        String tail = Files.exists(log) ? Files.readString(log) : "";
        tail = tail.length() > 4000 ? tail.substring(tail.length() - 4000) : tail;
        throw new IllegalStateException(
            "timed out after " + atMost + " waiting for " + what + "; trainer log:\n" + tail);
      }
      Thread.sleep(100);
    }
  }

  private static void sleepUntil(long epochMs) throws InterruptedException {
    long wait = epochMs - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  /** The checkout this runs in: the folder holding {@code clients/python}, from here upwards. */
  static Path repository() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("clients/python/lodestar_client"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "run from a Lodestar checkout: clients/python/lodestar_client not found above "
            + Path.of("").toAbsolutePath());
  }

  private static int freePortFrom(int first) {
    for (int port = first; port < first + 100; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException busy) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free local port in " + first + ".." + (first + 99));
  }
}
