package io.lodestar.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.LocalBinding;
import io.lodestar.jobs.PipelineEnvironment;
import io.lodestar.jobs.PipelineJob;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.jobs.metrics.PrometheusReporting;
import io.lodestar.operators.health.AlarmRules;
import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.TrafficPublisher;
import io.lodestar.testkit.traffic.TrafficSimulator;
import io.lodestar.tools.dashboard.HealthDashboard;
import io.lodestar.tools.dashboard.HealthFeed;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole pipeline on one machine: an in-process Kafka broker, simulated production traffic for a
 * bounded time, the streaming job on a local Flink with its web UI, then a drain (stop with
 * savepoint, flushing open groups), a short report, and every output topic written as JSONL.
 *
 * <p>Flags: {@code --seconds N} (traffic duration, default 20), {@code --prompts N} (default 120),
 * {@code --output DIR} (default lodestar-out/demo), {@code --web-ui-port N} (default: first free
 * from 8081).
 */
public final class LocalDemo {

  private static final int PARTITIONS = 3;

  private LocalDemo() {}

  public static void main(String[] args) throws Exception {
    run(args);
    // Library threads (broker, Flink) may linger; the demo is done.
    System.exit(0);
  }

  /**
   * Runs the demo; returns the output records by output name, as written under the output folder.
   */
  public static Map<String, List<String>> run(String[] args) throws Exception {
    return run(args, dashboardUrl -> {});
  }

  /**
   * Runs the demo; {@code whileRunning} gets the live health page's URL once all traffic is
   * published, before the job drains (tests look at the page then).
   */
  public static Map<String, List<String>> run(String[] args, WhileRunning whileRunning)
      throws Exception {
    Map<String, String> flags = parseFlags(args);
    int seconds = Integer.parseInt(flags.getOrDefault("seconds", "20"));
    int prompts = Integer.parseInt(flags.getOrDefault("prompts", "120"));
    Path output = Path.of(flags.getOrDefault("output", "lodestar-out/demo"));
    int webPort =
        flags.containsKey("web-ui-port")
            ? Integer.parseInt(flags.get("web-ui-port"))
            : freePortFrom(8081);
    Path work = Files.createTempDirectory("lodestar-demo");

    System.out.println("Lodestar local demo: starting an in-process Kafka broker...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LodestarOptions options =
          demoOptions(
              kafka.bootstrapServers(), work, flags.getOrDefault("alarm-rules", DEMO_ALARM_RULES));
      List<String> allTopics = new ArrayList<>(topics(options).values());
      allTopics.add(options.get(LodestarOptions.TOPIC_GENERATIONS));
      allTopics.add(options.get(LodestarOptions.TOPIC_FEEDBACK));
      kafka.createTopics(PARTITIONS, allTopics.toArray(String[]::new));

      Configuration conf = PipelineEnvironment.streaming(options);
      conf.set(RestOptions.PORT, webPort);
      int metricsPort = freePortFrom(9249);
      PrometheusReporting.enable(conf, Integer.toString(metricsPort));
      // The web UI, blob server and RPC on loopback only, and no jar upload from the web UI.
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
              LocalBinding.loopbackOnly(conf));
      env.configure(conf, LocalDemo.class.getClassLoader());
      PipelineJob.build(env, options);
      JobClient job = env.executeAsync("lodestar-demo");
      String webUi = "http://127.0.0.1:" + webPort;
      System.out.println("Flink web UI: " + webUi + "  (job " + job.getJobID() + ")");
      System.out.println("Prometheus metrics: " + PrometheusReporting.endpoint(metricsPort));
      int dashboardPort =
          flags.containsKey("dashboard-port")
              ? Integer.parseInt(flags.get("dashboard-port"))
              : freePortFrom(8090);
      try (HealthDashboard dashboard =
              HealthDashboard.start(dashboardPort, HealthFeed.CHARTS, HealthFeed.LAYOUT, webUi);
          HealthFeed feed =
              HealthFeed.start(
                  kafka.bootstrapServers(),
                  options.get(LodestarOptions.TOPIC_HEALTH_METRICS),
                  options.get(LodestarOptions.TOPIC_ALERTS),
                  dashboard)) {
        System.out.println("Live health dashboard: " + dashboard.url());
        return runTraffic(
            kafka,
            options,
            job,
            webUi,
            work,
            output,
            prompts,
            seconds,
            () -> whileRunning.accept(dashboard.url()));
      }
    }
  }

  /** Called with the dashboard's URL while the job still runs. */
  @FunctionalInterface
  public interface WhileRunning {
    void accept(String dashboardUrl) throws Exception;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static Map<String, List<String>> runTraffic(
      EmbeddedKafka kafka,
      LodestarOptions options,
      JobClient job,
      String webUi,
      Path work,
      Path output,
      int prompts,
      int seconds,
      Step beforeDrain)
      throws Exception {
    TrafficSimulator.Stats sent =
        publishTraffic(kafka.bootstrapServers(), options, prompts, seconds);
    System.out.printf(
        "Published %d generations (%d duplicates), %d votes, %d thumbs, %d corrupt records over %d s%n",
        sent.generations(),
        sent.duplicates(),
        sent.votes(),
        sent.thumbs(),
        sent.corrupt(),
        seconds);

    // Let the job catch up, note its checkpointed state size, then drain it.
    Thread.sleep(2 * options.checkpointInterval().toMillis() + 1000);
    beforeDrain.run();
    String stateSize = checkpointedStateSize(webUi, job.getJobID().toString());
    System.out.println(
        "Draining the job (stop with savepoint: open groups flush, last transactions commit)...");
    String savepoint =
        job.stopWithSavepoint(
                true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    job.getJobExecutionResult().get(2, TimeUnit.MINUTES);

    Map<String, List<String>> outputs = readOutputs(kafka.bootstrapServers(), options, output);
    report(outputs, output, stateSize, savepoint, sent);
    return outputs;
  }

  /**
   * The built-in rules plus one that watches a reward-hacking signature on the demo's small
   * windows: responses' length and reward moving together.
   */
  static final String DEMO_ALARM_RULES =
      AlarmRules.DEFAULTS
          + "\ndemo-length-reward: lengthRewardCorrelation > 0.2 given lengthRewardPoints >= 10 for 2 windows clear after 2 windows";

  static LodestarOptions demoOptions(String bootstrap, Path work) {
    return demoOptions(bootstrap, work, DEMO_ALARM_RULES);
  }

  static LodestarOptions demoOptions(String bootstrap, Path work, String alarmRules) {
    Map<String, String> values = new LinkedHashMap<>();
    // Short health windows, so the live page moves within a 20 s demo.
    values.put(LodestarOptions.HEALTH_WINDOW.key(), "2 s");
    values.put(LodestarOptions.HEALTH_ALLOWED_LATENESS.key(), "1 s");
    values.put(LodestarOptions.ALARM_RULES.key(), alarmRules);
    values.put("kafka.bootstrap.servers", bootstrap);
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "2 s");
    values.put(
        LodestarOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "3");
    values.put(LodestarOptions.RESTART_DELAY.key(), "1 s");
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "2 min");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 s");
    values.put(LodestarOptions.BATCH_GROUPS.key(), "4");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "20 s");
    values.put(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS.key(), "1 s");
    values.put(LodestarOptions.WATERMARK_IDLENESS.key(), "5 s");
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    return LodestarOptions.fromMap(values, System::getenv);
  }

  /** Output topics by the name they get in the report and the output folder. */
  static Map<String, String> topics(LodestarOptions options) {
    Map<String, String> topics = new LinkedHashMap<>();
    topics.put("scored", options.get(LodestarOptions.TOPIC_SCORED));
    topics.put("batches", options.get(LodestarOptions.TOPIC_BATCHES));
    topics.put("pairs", options.get(LodestarOptions.TOPIC_PAIRS));
    topics.put("unpaired", options.get(LodestarOptions.TOPIC_UNPAIRED));
    topics.put("health-metrics", options.get(LodestarOptions.TOPIC_HEALTH_METRICS));
    topics.put("alerts", options.get(LodestarOptions.TOPIC_ALERTS));
    topics.put("dead-letters", options.get(LodestarOptions.TOPIC_DEAD_LETTERS));
    return topics;
  }

  /**
   * Publishes simulated traffic paced over {@code seconds}: mostly Avro, every fifth record JSON.
   */
  static TrafficSimulator.Stats publishTraffic(
      String bootstrap, LodestarOptions options, int prompts, int seconds) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    TrafficSimulator.Settings settings =
        new TrafficSimulator.Settings(
            42L,
            prompts,
            d.groupSize(),
            d.duplicateRate(),
            d.corruptRate(),
            d.noAnswerRate(),
            d.voteRate(),
            d.thumbRate(),
            System.currentTimeMillis(),
            Math.max(1, seconds * 1000L / prompts),
            d.modelId());
    return new TrafficPublisher(
            bootstrap,
            options.get(LodestarOptions.TOPIC_GENERATIONS),
            options.get(LodestarOptions.TOPIC_FEEDBACK),
            5)
        .publish(settings, true);
  }

  /** The size of the latest completed checkpoint, from the job's REST API. */
  static String checkpointedStateSize(String webUi, String jobId) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(webUi + "/jobs/" + jobId + "/checkpoints"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode completed =
          new ObjectMapper().readTree(response.body()).path("latest").path("completed");
      if (completed.isMissingNode() || completed.isNull()) {
        return "no checkpoint completed yet";
      }
      return completed.path("state_size").asLong()
          + " bytes (checkpoint "
          + completed.path("id").asLong()
          + ")";
    } catch (IOException e) {
      return "unavailable (" + e.getClass().getSimpleName() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unavailable";
    }
  }

  /** Reads every output topic as a read_committed consumer and writes it as JSONL. */
  static Map<String, List<String>> readOutputs(
      String bootstrap, LodestarOptions options, Path output) throws IOException {
    Files.createDirectories(output);
    Map<String, Class<? extends SpecificRecordBase>> types = new HashMap<>();
    types.put("scored", ScoredGeneration.class);
    types.put("batches", RLBatch.class);
    types.put("pairs", PreferencePair.class);
    types.put("dead-letters", DeadLetter.class);
    types.put("unpaired", UnpairedExample.class);
    types.put("health-metrics", HealthMetrics.class);
    types.put("alerts", Alert.class);
    Map<String, List<String>> lines = new LinkedHashMap<>();
    for (Map.Entry<String, String> topic : topics(options).entrySet()) {
      List<String> json = new ArrayList<>();
      RecordCodec<? extends SpecificRecordBase> codec = RecordCodec.of(types.get(topic.getKey()));
      for (byte[] value :
          CommittedReader.readAllSettled(bootstrap, topic.getValue(), Duration.ofSeconds(30))) {
        DecodeResult<? extends SpecificRecordBase> decoded = codec.decode(value);
        json.add(
            decoded.isOk() ? PlainJson.toJsonString(decoded.value()) : "{\"undecodable\": true}");
      }
      try (BufferedWriter writer =
          Files.newBufferedWriter(output.resolve(topic.getKey() + ".jsonl"))) {
        for (String line : json) {
          writer.write(line);
          writer.newLine();
        }
      }
      lines.put(topic.getKey(), json);
    }
    return lines;
  }

  private static void report(
      Map<String, List<String>> outputs,
      Path output,
      String stateSize,
      String savepoint,
      TrafficSimulator.Stats sent)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    System.out.println();
    System.out.println("=== Lodestar demo report ===");
    outputs.forEach(
        (name, records) ->
            System.out.printf(
                "  %-13s %6d records -> %s%n",
                name, records.size(), output.resolve(name + ".jsonl")));
    Map<String, Integer> deadByKind = new TreeMap<>();
    for (String line : outputs.get("dead-letters")) {
      deadByKind.merge(mapper.readTree(line).path("errorKind").asText("?"), 1, Integer::sum);
    }
    System.out.println("  dead letters by kind: " + deadByKind);
    System.out.println("  checkpointed state while running: " + stateSize);
    System.out.println("  final savepoint: " + savepoint);
    List<String> pairs = outputs.get("pairs");
    if (!pairs.isEmpty()) {
      JsonNode pair = mapper.readTree(pairs.get(0));
      System.out.println("  sample preference pair " + pair.path("pairId").asText() + ":");
      System.out.println(
          "    prompt:   "
              + clip(
                  pair.path("prompt")
                      .path(pair.path("prompt").size() - 1)
                      .path("content")
                      .asText()));
      System.out.println("    chosen:   " + clip(pair.path("chosen").asText()));
      System.out.println("    rejected: " + clip(pair.path("rejected").asText()));
    }
    List<String> batches = outputs.get("batches");
    if (!batches.isEmpty()) {
      JsonNode batch = mapper.readTree(batches.get(0));
      System.out.printf(
          "  sample RL batch %s: %d groups, %d samples%n",
          batch.path("batchId").asText(),
          batch.path("groups").size(),
          batch.path("sampleCount").asInt());
      JsonNode group = mixedRewardGroup(mapper, batches);
      System.out.printf(
          "  sample group %s (reward mean %s, std %s):%n",
          group.path("groupId").asText(),
          group.path("rewardMean").asText(),
          group.path("rewardStd").asText());
      for (JsonNode sample : group.path("samples")) {
        System.out.printf(
            "    sample %s reward=%s advantage=%+.4f%n",
            sample.path("generationId").asText(),
            sample.path("reward").asText(),
            sample.path("advantage").asDouble());
      }
    }
    System.out.printf(
        "  inputs: %d generations sent, %d distinct expected in scored%n",
        sent.generations() + sent.duplicates(), sent.generations());
  }

  /** A group whose members disagree, so the advantages show something; else the first group. */
  private static JsonNode mixedRewardGroup(ObjectMapper mapper, List<String> batches)
      throws IOException {
    JsonNode first = null;
    for (String line : batches) {
      for (JsonNode group : mapper.readTree(line).path("groups")) {
        first = first == null ? group : first;
        if (group.path("rewardStd").asDouble(0) > 0) {
          return group;
        }
      }
    }
    return first;
  }

  private static String clip(String text) {
    String flat = text.replace('\n', ' ');
    return flat.length() <= 90 ? flat : flat.substring(0, 87) + "...";
  }

  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    return flags;
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
