package io.lodestar.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.KafkaIO;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.InputStages;
import io.lodestar.jobs.JobTermination;
import io.lodestar.jobs.LocalBinding;
import io.lodestar.jobs.PipelineEnvironment;
import io.lodestar.jobs.PipelineJob;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.reward.model.ClasspathModels;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.TrafficPublisher;
import io.lodestar.testkit.traffic.TrafficSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * End-to-end benchmark: the rule-based pipeline against a pass-through job with the same source,
 * sink, guarantees (exactly-once, RocksDB, same checkpoint interval) and parallelism, on the same
 * pre-produced data, in one invocation; between them, a decode-encode job that only parses each
 * generation and writes it through the scored sink, the floor of any job with this input and
 * output.
 *
 * <p>Per pipeline and parallelism it measures: sustained throughput (output records/s between 10 %
 * and 90 % of the expected outputs, counted as they are written) on a pre-produced backlog;
 * end-to-end latency (event time to read_committed visibility) under paced traffic; process CPU
 * seconds per 1,000 generations; peak heap and RSS; checkpointed state size while running and after
 * every group has closed. It prints one table and writes it as JSON under the results folder.
 *
 * <p>Flags: {@code --generations N} (40000), {@code --group-size K} (4), {@code --parallelism 1,2},
 * {@code --checkpoint-interval-ms} (1000), {@code --latency-rate} generations/s (400), {@code
 * --latency-seconds} (10), {@code --results DIR} (results), {@code --bootstrap HOST:PORT} (an
 * existing cluster instead of the in-process broker), {@code --full-checkpoints true} (full instead
 * of incremental RocksDB snapshots: the state column then counts live state only), {@code
 * --vote-rate} and {@code --thumb-rate} (share of prompts with a vote, of generations with a thumb;
 * the demo's by default), {@code --models tiny,minilm} (pipeline runs with a learned scorer on;
 * {@code tiny} by default, {@code none} for none), {@code --warmup N} (10000; generations each job
 * first runs unmeasured, so the measured runs pay less for JIT compilation, whose remaining share
 * the table reports; 0 for none), {@code --flink-conf key=value,...} (Flink settings for every job
 * alike, e.g. RocksDB or managed-memory options).
 *
 * <p>The broker runs in this process unless {@code --bootstrap} is given, so CPU and memory figures
 * include it, for every job alike.
 */
public final class PipelineBenchmark {

  /** Which job a run measures. */
  enum Job {
    PASS_THROUGH,
    /**
     * Decodes and validates every generation as the pipeline's first operator does, and writes it
     * through the pipeline's scored sink with nothing in between: what any job with this input and
     * output pays before its own work.
     */
    DECODE_ENCODE,
    PIPELINE,
    /** The pipeline with the bundled tiny reward model scoring every generation. */
    PIPELINE_TINY_RM,
    /** The pipeline with MiniLM's response-vs-reference similarity on every generation. */
    PIPELINE_MINILM;

    /**
     * The pipeline runs keep state, close groups and write batches; the two baselines do none of
     * it.
     */
    boolean keepsState() {
      return this != PASS_THROUGH && this != DECODE_ENCODE;
    }

    static Job ofModel(String name) {
      switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "tiny":
          return PIPELINE_TINY_RM;
        case "minilm":
          return PIPELINE_MINILM;
        default:
          throw new IllegalArgumentException(
              "--models: expected none, tiny or minilm (comma-separated), got " + name);
      }
    }
  }

  record Settings(
      int generations,
      int groupSize,
      List<Integer> parallelisms,
      long checkpointIntervalMs,
      int latencyRate,
      int latencySeconds,
      Path results,
      String bootstrap,
      boolean fullCheckpoints,
      double voteRate,
      double thumbRate,
      List<Job> modelRuns,
      int warmupGenerations,
      Map<String, String> flinkConf) {

    static Settings parse(String[] args) {
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        if (!args[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --flag value, got " + args[i]);
        }
        flags.put(args[i].substring(2), args[i + 1]);
      }
      List<Integer> parallelisms = new ArrayList<>();
      for (String p : flags.getOrDefault("parallelism", "1,2").split(",")) {
        parallelisms.add(Integer.parseInt(p.trim()));
      }
      return new Settings(
          Integer.parseInt(flags.getOrDefault("generations", "40000")),
          Integer.parseInt(flags.getOrDefault("group-size", "4")),
          parallelisms,
          Long.parseLong(flags.getOrDefault("checkpoint-interval-ms", "1000")),
          Integer.parseInt(flags.getOrDefault("latency-rate", "400")),
          Integer.parseInt(flags.getOrDefault("latency-seconds", "10")),
          Path.of(flags.getOrDefault("results", "results")),
          flags.get("bootstrap"),
          Boolean.parseBoolean(flags.getOrDefault("full-checkpoints", "false")),
          rate(flags, "vote-rate", TrafficSimulator.Settings.defaults().voteRate()),
          rate(flags, "thumb-rate", TrafficSimulator.Settings.defaults().thumbRate()),
          modelRuns(flags.getOrDefault("models", "tiny")),
          Integer.parseInt(flags.getOrDefault("warmup", "10000")),
          flinkConf(flags.getOrDefault("flink-conf", "")));
    }

    Settings withModelRuns(List<Job> runs) {
      return new Settings(
          generations,
          groupSize,
          parallelisms,
          checkpointIntervalMs,
          latencyRate,
          latencySeconds,
          results,
          bootstrap,
          fullCheckpoints,
          voteRate,
          thumbRate,
          List.copyOf(runs),
          warmupGenerations,
          flinkConf);
    }

    Settings withWarmup(int generations) {
      return new Settings(
          this.generations,
          groupSize,
          parallelisms,
          checkpointIntervalMs,
          latencyRate,
          latencySeconds,
          results,
          bootstrap,
          fullCheckpoints,
          voteRate,
          thumbRate,
          modelRuns,
          generations,
          flinkConf);
    }

    /** Settings with the demo's feedback rates and no reward-model runs. */
    static Settings ruleBased(
        int generations,
        int groupSize,
        List<Integer> parallelisms,
        long checkpointIntervalMs,
        int latencyRate,
        int latencySeconds,
        Path results) {
      TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
      return new Settings(
          generations,
          groupSize,
          parallelisms,
          checkpointIntervalMs,
          latencyRate,
          latencySeconds,
          results,
          null,
          false,
          d.voteRate(),
          d.thumbRate(),
          List.of(),
          0,
          Map.of());
    }

    /**
     * {@code key=value,key=value}: Flink settings applied to every job alike (e.g. RocksDB or
     * memory options).
     */
    private static Map<String, String> flinkConf(String pairs) {
      Map<String, String> conf = new LinkedHashMap<>();
      for (String pair : pairs.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--flink-conf: expected key=value, got " + pair);
        }
        conf.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
      return Map.copyOf(conf);
    }

    private static double rate(Map<String, String> flags, String name, double fallback) {
      double value = Double.parseDouble(flags.getOrDefault(name, Double.toString(fallback)));
      if (value < 0 || value > 1) {
        throw new IllegalArgumentException("--" + name + " must be in [0, 1], got " + value);
      }
      return value;
    }

    private static List<Job> modelRuns(String names) {
      List<Job> runs = new ArrayList<>();
      for (String name : names.split(",")) {
        if (!name.isBlank() && !name.trim().equalsIgnoreCase("none")) {
          runs.add(Job.ofModel(name));
        }
      }
      return runs;
    }
  }

  /** One row of the result table. */
  public record Row(
      String job,
      int parallelism,
      long outputs,
      double recordsPerSecond,
      double ratioToPassThrough,
      double cpuSecondsPer1000,
      double jitSecondsPer1000,
      double rocksDbBackgroundSecondsPer1000,
      double gcSecondsPer1000,
      long peakHeapBytes,
      long peakRssBytes,
      Long stateBytesRunning,
      Long stateBytesAfterClose,
      Latency scoredLatency,
      Latency batchLatency,
      String busiestTask,
      String stateAfterCloseHolders,
      Long liveStateBytesAfterClose) {}

  /**
   * Event time to read_committed visibility, in milliseconds; {@code writtenP50} is the median to
   * the write itself (read_uncommitted), so {@code p50 - writtenP50} is the median wait for the
   * commit.
   */
  public record Latency(
      int samples,
      double p50,
      double p95,
      double p99,
      long checkpointIntervalMs,
      double writtenP50) {

    /** The median part of the latency spent waiting for the checkpoint to commit. */
    public double commitWaitP50() {
      return p50 - writtenP50;
    }
  }

  /**
   * Event time of the end-of-traffic heartbeats: two days after the traffic, past every retention.
   */
  private static final long HEARTBEAT_AT_MS =
      TrafficSimulator.Settings.defaults().startTimeMs() + TimeUnit.DAYS.toMillis(2);

  private final Settings settings;
  private final String bootstrap;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  PipelineBenchmark(Settings settings, String bootstrap) {
    this.settings = settings;
    this.bootstrap = bootstrap;
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    List<Row> rows;
    if (settings.bootstrap() != null) {
      rows = new PipelineBenchmark(settings, settings.bootstrap()).runAll(null);
    } else {
      try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
        rows = new PipelineBenchmark(settings, kafka.bootstrapServers()).runAll(kafka);
      }
    }
    Path file = write(settings, rows);
    System.out.println(table(rows));
    System.out.println("Results written to " + file);
    System.exit(0);
  }

  /** Runs every job at every parallelism on the same input; pass-through first, as the baseline. */
  List<Row> runAll(EmbeddedKafka kafka) throws Exception {
    int partitions = settings.parallelisms().stream().mapToInt(Integer::intValue).max().orElse(1);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String generations = "bench-generations-" + suffix;
    String feedback = "bench-feedback-" + suffix;
    createTopics(kafka, partitions, generations, feedback);
    System.out.printf(
        "Pre-producing %d generations in groups of %d...%n",
        settings.generations(), settings.groupSize());
    new TrafficPublisher(bootstrap, generations, feedback, 0)
        .publish(backlogTraffic(7L, settings.generations()), false);
    int expected = settings.generations() + publishHeartbeats(generations, feedback, partitions);
    warmUp(kafka, partitions, suffix);

    List<Row> rows = new ArrayList<>();
    for (int parallelism : settings.parallelisms()) {
      Row passThrough =
          measure(
              kafka, Job.PASS_THROUGH, parallelism, generations, feedback, expected, partitions, 0);
      rows.add(passThrough);
      rows.add(
          measure(
              kafka,
              Job.DECODE_ENCODE,
              parallelism,
              generations,
              feedback,
              expected,
              partitions,
              passThrough.recordsPerSecond()));
      rows.add(
          measure(
              kafka,
              Job.PIPELINE,
              parallelism,
              generations,
              feedback,
              expected,
              partitions,
              passThrough.recordsPerSecond()));
      for (Job modelRun : settings.modelRuns()) {
        rows.add(
            measure(
                kafka,
                modelRun,
                parallelism,
                generations,
                feedback,
                expected,
                partitions,
                passThrough.recordsPerSecond()));
      }
    }
    return rows;
  }

  /**
   * Runs every job once, unmeasured, on a backlog of its own, so the measured runs find the code
   * compiled: on a short run the JIT compilers would otherwise take a large share of the CPU, and
   * far more of it for the pipeline's code than for the pass-through's.
   */
  private void warmUp(EmbeddedKafka kafka, int partitions, String suffix) throws Exception {
    if (settings.warmupGenerations() <= 0) {
      return;
    }
    String generations = "bench-warmup-generations-" + suffix;
    String feedback = "bench-warmup-feedback-" + suffix;
    createTopics(kafka, partitions, generations, feedback);
    new TrafficPublisher(bootstrap, generations, feedback, 0)
        .publish(backlogTraffic(11L, settings.warmupGenerations()), false);
    int expected =
        settings.warmupGenerations() + publishHeartbeats(generations, feedback, partitions);
    List<Job> jobs = new ArrayList<>(List.of(Job.PASS_THROUGH, Job.DECODE_ENCODE, Job.PIPELINE));
    jobs.addAll(settings.modelRuns());
    for (Job job : jobs) {
      System.out.printf("Warming up %s on %d generations...%n", job, settings.warmupGenerations());
      throughputRun(
          kafka, job, settings.parallelisms().get(0), generations, feedback, expected, partitions);
    }
  }

  private TrafficSimulator.Settings backlogTraffic(long seed, int generations) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    return new TrafficSimulator.Settings(
        seed,
        generations / settings.groupSize(),
        settings.groupSize(),
        0,
        0,
        d.noAnswerRate(),
        settings.voteRate(),
        settings.thumbRate(),
        d.startTimeMs(),
        20,
        d.modelId());
  }

  /**
   * One generation and one feedback per partition, two days after the traffic in event time, so the
   * watermark passes every retention timer and the state left afterwards is what a quiet stream
   * really holds.
   */
  private int publishHeartbeats(String topic, String feedbackTopic, int partitions) {
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedbackCodec = RecordCodec.of(Feedback.class);
    long at = HEARTBEAT_AT_MS;
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (CheckedProducer producer = new CheckedProducer(props)) {
      for (int p = 0; p < partitions; p++) {
        Generation heartbeat =
            Generation.newBuilder()
                .setGenerationId("heartbeat-" + p)
                .setPromptId("heartbeat")
                .setGroupId("heartbeat-" + p)
                .setExpectedGroupSize(1)
                .setPrompt(List.of(new ChatMessage("user", "heartbeat")))
                .setResponse("#### 0")
                .setTask(TaskMetadata.newBuilder().setGroundTruth("0").build())
                .setPolicy(Policy.newBuilder().setModelId("heartbeat").build())
                .setCreatedAtMs(at)
                .build();
        producer.send(
            new ProducerRecord<>(topic, p, null, codec.encode(heartbeat, WireFormat.AVRO)));
        // Feedback has its own event time; operators joining both wait for the slower one.
        Feedback thumb =
            Feedback.newBuilder()
                .setFeedbackId("heartbeat-" + p)
                .setGenerationId("heartbeat-" + p)
                .setKind(FeedbackKind.THUMB)
                .setThumbUp(true)
                .setCreatedAtMs(at)
                .build();
        producer.send(
            new ProducerRecord<>(
                feedbackTopic, p, null, feedbackCodec.encode(thumb, WireFormat.AVRO)));
      }
      producer.flush();
    }
    return partitions;
  }

  /** A throughput run on the backlog, then a latency run under paced traffic. */
  private Row measure(
      EmbeddedKafka kafka,
      Job job,
      int parallelism,
      String generations,
      String feedback,
      int expected,
      int partitions,
      double passThroughRate)
      throws Exception {
    System.out.printf("Measuring %s at parallelism %d...%n", job, parallelism);
    Throughput throughput =
        throughputRun(kafka, job, parallelism, generations, feedback, expected, partitions);
    Latencies latency =
        settings.latencySeconds() > 0
            ? latencyRun(kafka, job, parallelism, partitions)
            : new Latencies(null, null);
    double ratio = job == Job.PASS_THROUGH ? 1.0 : throughput.recordsPerSecond / passThroughRate;
    return new Row(
        job.name().toLowerCase().replace('_', '-'),
        parallelism,
        throughput.outputs,
        throughput.recordsPerSecond,
        ratio,
        throughput.cpuSeconds * 1000.0 / expected,
        throughput.jitSeconds * 1000.0 / expected,
        throughput.rocksDbSeconds * 1000.0 / expected,
        throughput.gcSeconds * 1000.0 / expected,
        throughput.peakHeap,
        throughput.peakRss,
        throughput.stateRunning,
        throughput.stateAfter,
        latency.scored,
        latency.batches,
        throughput.busiestTask,
        throughput.stateHolders,
        throughput.liveAfter);
  }

  private record Throughput(
      long outputs,
      double recordsPerSecond,
      double cpuSeconds,
      double jitSeconds,
      double rocksDbSeconds,
      double gcSeconds,
      long peakHeap,
      long peakRss,
      Long stateRunning,
      Long stateAfter,
      String busiestTask,
      String stateHolders,
      Long liveAfter) {}

  private record Latencies(Latency scored, Latency batches) {}

  private Throughput throughputRun(
      EmbeddedKafka kafka,
      Job job,
      int parallelism,
      String generations,
      String feedback,
      int expected,
      int partitions)
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    LodestarOptions options = options(job, suffix, parallelism, generations, feedback);
    String output =
        job == Job.PASS_THROUGH
            ? "bench-copy-" + suffix
            : options.get(LodestarOptions.TOPIC_SCORED);
    createTopics(kafka, partitions, outputTopics(options, output));

    ResourceSampler resources = new ResourceSampler();
    // Throughput counts records as they are written (read_uncommitted): committed visibility comes
    // in bursts, one per checkpoint, too coarse to time a job that finishes in a few intervals.
    OutputCounter counter = new OutputCounter(bootstrap, output, value -> {}, false);
    int port = freePort();
    long cpuBefore = processCpuNanos();
    long jitBefore = jitNanos();
    long rocksDbBefore = rocksDbBackgroundNanos();
    long gcBefore = gcMillis();
    Set<Long> threadsBefore = liveThreadIds();
    resources.start();
    counter.start();
    long start = System.nanoTime();
    JobClient client = submit(job, options, port, output);
    String rest = "http://127.0.0.1:" + port;
    Long stateRunning = null;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    // The REST calls cost CPU the jobs share: checkpoint sizes are asked once per checkpoint, when
    // they can change.
    long nextStateSample = 0;
    while (counter.count() < expected && System.nanoTime() < deadline) {
      Thread.sleep(200);
      if (job.keepsState() && System.nanoTime() > nextStateSample) {
        stateRunning = max(stateRunning, checkpointStateSize(rest, client));
        nextStateSample =
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.checkpointIntervalMs());
      }
    }
    if (counter.count() < expected) {
      throw new IllegalStateException(
          job + " produced " + counter.count() + " of " + expected + " outputs in 5 minutes");
    }
    double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
    // Before the job ends, while its task threads still run.
    String busiestTask = busiestTask(threadsBefore, cpuSeconds);
    double jitSeconds = Math.max(0, jitNanos() - jitBefore) / 1e9;
    // Threads end with their job, so a thread's time may leave the sum before the second reading.
    double rocksDbSeconds = Math.max(0, rocksDbBackgroundNanos() - rocksDbBefore) / 1e9;
    double gcSeconds = (gcMillis() - gcBefore) / 1e3;
    Long stateAfter = null;
    String stateHolders = "-";
    Long liveAfter = null;
    if (job.keepsState()) {
      // Every task must have seen the heartbeat's event time, not only the scoring chain that
      // writes the counted outputs: a task further down may still be working through its backlog.
      waitForEventTime(rest, client, HEARTBEAT_AT_MS - TimeUnit.MINUTES.toMillis(1));
      // A checkpoint begun after the heartbeat moved event time past every retention.
      long seen = latestCheckpoint(rest, client)[0];
      long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      long[] latest = latestCheckpoint(rest, client);
      while (latest[0] < seen + 2 && System.nanoTime() < until) {
        Thread.sleep(200);
        latest = latestCheckpoint(rest, client);
      }
      stateAfter = latest[0] >= seen + 2 ? latest[1] : null;
      stateHolders = latest[0] >= seen + 2 ? stateHolders(rest, client, latest[0]) : "-";
      liveAfter = liveStateBytes(client);
    }
    JobTermination.cancelAndAwait(client, Duration.ofMinutes(1));
    counter.stop();
    resources.stop();
    return new Throughput(
        counter.count(),
        counter.sustainedRate(start, expected),
        cpuSeconds,
        jitSeconds,
        rocksDbSeconds,
        gcSeconds,
        resources.peakHeap(),
        resources.peakRss(),
        stateRunning,
        stateAfter,
        busiestTask,
        stateHolders,
        liveAfter);
  }

  /**
   * Bytes of a canonical savepoint: it writes each live entry once, where a checkpoint's RocksDB
   * files can still hold entries deleted since, until compaction drops them.
   */
  private static Long liveStateBytes(JobClient client) {
    try {
      Path dir = Files.createTempDirectory("lodestar-bench-savepoint");
      String location =
          client
              .triggerSavepoint(dir.toUri().toString(), SavepointFormatType.CANONICAL)
              .get(2, TimeUnit.MINUTES);
      Path savepoint = Path.of(URI.create(location));
      long bytes;
      try (Stream<Path> files = Files.walk(savepoint)) {
        bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      return bytes;
    } catch (Exception e) {
      System.out.println("No savepoint for the live state size: " + e);
      return null;
    }
  }

  /**
   * Waits (up to two minutes) until every non-source task's input watermark has reached {@code
   * eventTimeMs}.
   */
  private void waitForEventTime(String rest, JobClient client, long eventTimeMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      try {
        long lowest = Long.MAX_VALUE;
        for (JsonNode vertex : get(rest + "/jobs/" + client.getJobID()).path("vertices")) {
          if (vertex.path("name").asText().startsWith("Source:")) {
            continue;
          }
          for (JsonNode w :
              get(
                  rest
                      + "/jobs/"
                      + client.getJobID()
                      + "/vertices/"
                      + vertex.path("id").asText()
                      + "/watermarks")) {
            long watermark = w.path("value").asLong(Long.MIN_VALUE);
            // A task fed only by outputs without event time (dead letters) never has a watermark.
            if (watermark != Long.MIN_VALUE) {
              lowest = Math.min(lowest, watermark);
            }
          }
        }
        if (lowest >= eventTimeMs) {
          return;
        }
      } catch (IOException e) {
        // Try again: the REST endpoint is local and usually answers.
      }
      Thread.sleep(200);
    }
  }

  /** The tasks holding the most state in checkpoint {@code id}, largest first, as "name (size)". */
  private String stateHolders(String rest, JobClient client, long id) {
    try {
      Map<String, String> names = new LinkedHashMap<>();
      get(rest + "/jobs/" + client.getJobID())
          .path("vertices")
          .forEach(v -> names.put(v.path("id").asText(), v.path("name").asText()));
      JsonNode tasks =
          get(rest + "/jobs/" + client.getJobID() + "/checkpoints/details/" + id).path("tasks");
      List<Map.Entry<String, Long>> sizes = new ArrayList<>();
      tasks
          .fields()
          .forEachRemaining(
              t -> sizes.add(Map.entry(t.getKey(), t.getValue().path("state_size").asLong())));
      sizes.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      List<String> top = new ArrayList<>();
      for (Map.Entry<String, Long> e : sizes.subList(0, Math.min(3, sizes.size()))) {
        if (e.getValue() > 0) {
          String name = names.getOrDefault(e.getKey(), e.getKey());
          top.add(
              name.substring(0, Math.min(60, name.length())) + " (" + bytes(e.getValue()) + ")");
        }
      }
      return top.isEmpty() ? "-" : String.join("; ", top);
    } catch (IOException e) {
      return "unavailable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unavailable";
    }
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    return json.readTree(response.body());
  }

  /**
   * A Flink task thread: the task's name (its operator chain), then {@code "
   * (subtask/parallelism)#attempt"}.
   */
  private static final Pattern TASK_THREAD = Pattern.compile("(.+) \\(\\d+/\\d+\\)#\\d+");

  private static Set<Long> liveThreadIds() {
    Set<Long> ids = new HashSet<>();
    for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
      ids.add(id);
    }
    return ids;
  }

  /**
   * The task whose threads (all its subtasks) have used the most CPU since this job started, as
   * "name (CPU seconds, share of the process's CPU)". Read from the JVM's per-thread CPU time:
   * Flink's busy-time metric read 1000 ms/s for nearly every task on this 2-core machine, idle ones
   * included, and so could not tell them apart.
   */
  private static String busiestTask(Set<Long> threadsBefore, double processCpuSeconds) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported()) {
      return "-";
    }
    Map<String, Long> byTask = new LinkedHashMap<>();
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (threadsBefore.contains(id) || info == null || cpu < 0) {
        continue;
      }
      Matcher task = TASK_THREAD.matcher(info.getThreadName());
      if (task.matches()) {
        byTask.merge(task.group(1), cpu, Long::sum);
      }
    }
    return byTask.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(
            e ->
                String.format(
                    "%s (%.1f CPU-s, %.0f %% of the process's)",
                    e.getKey(), e.getValue() / 1e9, share(e.getValue() / 1e9, processCpuSeconds)))
        .orElse("-");
  }

  private Latencies latencyRun(EmbeddedKafka kafka, Job job, int parallelism, int partitions)
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String generations = "lat-generations-" + suffix;
    String feedback = "lat-feedback-" + suffix;
    createTopics(kafka, partitions, generations, feedback);
    LodestarOptions options = options(job, suffix, parallelism, generations, feedback);
    String output =
        job == Job.PASS_THROUGH ? "lat-copy-" + suffix : options.get(LodestarOptions.TOPIC_SCORED);
    createTopics(kafka, partitions, outputTopics(options, output));

    List<Long> scoredLatencies = new ArrayList<>();
    List<Long> writtenLatencies = new ArrayList<>();
    List<Long> batchLatencies = new ArrayList<>();
    OutputCounter scored = new OutputCounter(bootstrap, output, scoredLatencies::add, true);
    scored.decodeEventTime(job == Job.PASS_THROUGH ? generationTime() : scoredTime());
    // The same outputs as soon as they are written, before their transaction commits: the gap to
    // the committed latency is the part spent waiting for the checkpoint.
    OutputCounter written = new OutputCounter(bootstrap, output, writtenLatencies::add, false);
    written.decodeEventTime(job == Job.PASS_THROUGH ? generationTime() : scoredTime());
    OutputCounter batches =
        new OutputCounter(
            bootstrap, options.get(LodestarOptions.TOPIC_BATCHES), batchLatencies::add, true);
    batches.decodeEventTime(newestSampleTime());
    int port = freePort();
    JobClient client = submit(job, options, port, output);
    waitForFirstCheckpoint("http://127.0.0.1:" + port, client);
    scored.start();
    written.start();
    if (job.keepsState()) {
      batches.start();
    }
    int prompts =
        Math.max(1, settings.latencyRate() * settings.latencySeconds() / settings.groupSize());
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    TrafficSimulator.Settings traffic =
        new TrafficSimulator.Settings(
            13L,
            prompts,
            settings.groupSize(),
            0,
            0,
            d.noAnswerRate(),
            settings.voteRate(),
            settings.thumbRate(),
            System.currentTimeMillis() + 500,
            Math.max(1, 1000L * settings.groupSize() / settings.latencyRate()),
            d.modelId());
    TrafficSimulator.Stats sent =
        new TrafficPublisher(bootstrap, generations, feedback, 0).publish(traffic, true);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (scored.count() < sent.generations() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    // Batches still waiting for the watermark are not counted: traffic has stopped, event time has
    // not moved on.
    Thread.sleep(2 * settings.checkpointIntervalMs());
    JobTermination.cancelAndAwait(client, Duration.ofMinutes(1));
    scored.stop();
    written.stop();
    batches.stop();
    return new Latencies(
        percentiles(scoredLatencies, writtenLatencies),
        job.keepsState() ? percentiles(batchLatencies, List.of()) : null);
  }

  /** Sources, sinks and transactions are set up by then; what follows is steady-state latency. */
  private void waitForFirstCheckpoint(String rest, JobClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (checkpointStateSize(rest, client) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no checkpoint completed within 2 minutes");
      }
      Thread.sleep(200);
    }
  }

  private JobClient submit(Job job, LodestarOptions options, int restPort, String passThroughTopic)
      throws Exception {
    Configuration conf = PipelineEnvironment.streaming(options);
    // Incremental (the production setting) by default; full snapshots report exactly the live
    // state.
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, !settings.fullCheckpoints());
    conf.set(RestOptions.PORT, restPort);
    conf.addAll(Configuration.fromMap(settings.flinkConf()));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(LocalBinding.loopbackOnly(conf));
    env.configure(conf, PipelineBenchmark.class.getClassLoader());
    KafkaSettings kafka = options.kafka();
    if (job == Job.PASS_THROUGH) {
      rawGenerations(env, options)
          .sinkTo(KafkaIO.exactlyOnceRawSink(kafka, "pass-through", passThroughTopic))
          .uid("sink-pass-through")
          .name("Pass-through sink");
    } else if (job == Job.DECODE_ENCODE) {
      DataStream<ScoredGeneration> unscored =
          InputStages.parseGenerations(rawGenerations(env, options), options)
              .map(PipelineBenchmark::unscored, new AvroTypeInfo<>(ScoredGeneration.class))
              .uid("unscored")
              .name("As scored generations");
      PipelineJob.scoredOutput(options, kafka)
          .connect(unscored, "sink-scored", "Scored generations sink");
    } else {
      PipelineJob.build(env, options);
    }
    return env.executeAsync("bench-" + job.name().toLowerCase());
  }

  /** The generations topic from its start, as raw records: the input of both baselines. */
  private static DataStream<RawRecord> rawGenerations(
      StreamExecutionEnvironment env, LodestarOptions options) {
    return env.fromSource(
            KafkaIO.rawSource(
                options.kafka(),
                options.get(LodestarOptions.TOPIC_GENERATIONS),
                options.get(LodestarOptions.SOURCE_GROUP_ID),
                OffsetsInitializer.earliest()),
            WatermarkStrategy.noWatermarks(),
            "Kafka generations")
        .uid("source-generations");
  }

  /**
   * The generation as a scored record with no components, the shape the pipeline's scored sink
   * writes.
   */
  private static ScoredGeneration unscored(Generation generation) {
    return new ScoredGeneration(
        generation, List.of(), null, "unscored", System.currentTimeMillis());
  }

  private LodestarOptions options(
      Job job, String suffix, int parallelism, String generations, String feedback) {
    Map<String, String> values = new LinkedHashMap<>();
    if (job == Job.PIPELINE_TINY_RM) {
      values.put(
          LodestarOptions.REWARD_MODEL_PATH.key(),
          ClasspathModels.tinyRewardInTempDir().toString());
      values.put(LodestarOptions.REWARD_MODEL_DEVICE.key(), "cpu");
    } else if (job == Job.PIPELINE_MINILM) {
      values.put(LodestarOptions.EMBEDDING_SIMILARITY.key(), "true");
      values.put(LodestarOptions.EMBEDDING_DEVICE.key(), "cpu");
    }
    values.put("kafka.bootstrap.servers", bootstrap);
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), generations);
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), feedback);
    values.put(LodestarOptions.TOPIC_SCORED.key(), "bench-scored-" + suffix);
    values.put(LodestarOptions.TOPIC_BATCHES.key(), "bench-batches-" + suffix);
    values.put(LodestarOptions.TOPIC_PAIRS.key(), "bench-pairs-" + suffix);
    values.put(LodestarOptions.TOPIC_UNPAIRED.key(), "bench-unpaired-" + suffix);
    values.put(LodestarOptions.TOPIC_HEALTH_METRICS.key(), "bench-health-" + suffix);
    values.put(LodestarOptions.TOPIC_ALERTS.key(), "bench-alerts-" + suffix);
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), "bench-dead-" + suffix);
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "bench-" + suffix);
    values.put(LodestarOptions.SOURCE_STARTING_OFFSETS.key(), "earliest");
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "bench-" + suffix);
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "5 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), settings.checkpointIntervalMs() + " ms");
    values.put(
        LodestarOptions.CHECKPOINT_DIR.key(),
        Path.of(System.getProperty("java.io.tmpdir"), "lodestar-bench", suffix).toUri().toString());
    values.put(LodestarOptions.PARALLELISM.key(), Integer.toString(parallelism));
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), "0");
    values.put(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS.key(), "1 s");
    values.put(LodestarOptions.WATERMARK_IDLENESS.key(), "10 min");
    values.put(LodestarOptions.DEDUP_RETENTION.key(), "10 min");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "30 s");
    values.put(LodestarOptions.GROUP_LATE_RETENTION.key(), "1 min");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "5 s");
    values.put(LodestarOptions.FEEDBACK_KEEP_GENERATIONS.key(), "10 min");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "2 min");
    return LodestarOptions.fromMap(values, name -> null);
  }

  private static String[] outputTopics(LodestarOptions options, String passThrough) {
    return new String[] {
      passThrough,
      options.get(LodestarOptions.TOPIC_SCORED),
      options.get(LodestarOptions.TOPIC_BATCHES),
      options.get(LodestarOptions.TOPIC_PAIRS),
      options.get(LodestarOptions.TOPIC_UNPAIRED),
      options.get(LodestarOptions.TOPIC_HEALTH_METRICS),
      options.get(LodestarOptions.TOPIC_ALERTS),
      options.get(LodestarOptions.TOPIC_DEAD_LETTERS)
    };
  }

  private void createTopics(EmbeddedKafka kafka, int partitions, String... topics)
      throws Exception {
    if (kafka != null) {
      kafka.createTopics(partitions, topics);
    } else {
      Properties props = new Properties();
      props.put("bootstrap.servers", bootstrap);
      try (Admin admin = Admin.create(props)) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String t : topics) {
          newTopics.add(new NewTopic(t, partitions, (short) -1));
        }
        admin.createTopics(newTopics).all().get(1, TimeUnit.MINUTES);
      }
    }
  }

  /** Size of the latest completed checkpoint, or null before the first. */
  private Long checkpointStateSize(String rest, JobClient client) {
    long[] latest = latestCheckpoint(rest, client);
    return latest[0] < 0 ? null : latest[1];
  }

  /** Id and state size of the latest completed checkpoint; id -1 when there is none (yet). */
  private long[] latestCheckpoint(String rest, JobClient client) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(rest + "/jobs/" + client.getJobID() + "/checkpoints"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode completed = json.readTree(response.body()).path("latest").path("completed");
      if (completed.isMissingNode() || completed.isNull()) {
        return new long[] {-1, 0};
      }
      return new long[] {completed.path("id").asLong(), completed.path("state_size").asLong()};
    } catch (IOException e) {
      return new long[] {-1, 0};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new long[] {-1, 0};
    }
  }

  private static Long max(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Math.max(a, b);
  }

  /** Quantiles of the committed latencies, with the median of the write latencies beside them. */
  Latency percentiles(List<Long> committed, List<Long> written) {
    long interval = settings.checkpointIntervalMs();
    double writtenP50 = quantile(sorted(written), 0.50);
    if (committed.isEmpty()) {
      return new Latency(0, Double.NaN, Double.NaN, Double.NaN, interval, writtenP50);
    }
    long[] sorted = sorted(committed);
    return new Latency(
        sorted.length,
        quantile(sorted, 0.50),
        quantile(sorted, 0.95),
        quantile(sorted, 0.99),
        interval,
        writtenP50);
  }

  private static long[] sorted(List<Long> samples) {
    return samples.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  private static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  // Each decoder has its own codec: one counter thread uses it, as a codec must be used.
  private static ToLongFunction<byte[]> generationTime() {
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class);
    return value -> {
      DecodeResult<Generation> g = codec.decode(value);
      return g.isOk() ? g.value().getCreatedAtMs() : -1;
    };
  }

  private static ToLongFunction<byte[]> scoredTime() {
    RecordCodec<ScoredGeneration> codec = RecordCodec.of(ScoredGeneration.class);
    return value -> {
      DecodeResult<ScoredGeneration> s = codec.decode(value);
      return s.isOk() ? s.value().getGeneration().getCreatedAtMs() : -1;
    };
  }

  /** A batch is as fresh as its newest sample. */
  private static ToLongFunction<byte[]> newestSampleTime() {
    RecordCodec<RLBatch> codec = RecordCodec.of(RLBatch.class);
    return value -> {
      DecodeResult<RLBatch> b = codec.decode(value);
      if (!b.isOk()) {
        return -1;
      }
      long newest = -1;
      for (RLGroup g : b.value().getGroups()) {
        for (RLSample s : g.getSamples()) {
          newest = Math.max(newest, s.getCreatedAtMs());
        }
      }
      return newest;
    };
  }

  private static long processCpuNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()
        : 0;
  }

  /**
   * CPU time of the JIT compiler threads in nanoseconds, from Linux's per-thread scheduler figures
   * (compiler threads are not Java-visible threads); elsewhere the JVM's compilation time, which is
   * wall time and counts a compiler waiting for a core as compiling.
   */
  static long jitNanos() {
    long threads =
        threadCpuNanos(name -> name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler"));
    if (threads >= 0) {
      return threads;
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime() * 1_000_000
        : 0;
  }

  /**
   * CPU time of RocksDB's own background threads (flushes and compactions, named {@code
   * rocksdb:low} and {@code rocksdb:high}), which no Java profiler samples; 0 where Linux's figures
   * are missing.
   */
  static long rocksDbBackgroundNanos() {
    return Math.max(0, threadCpuNanos(name -> name.startsWith("rocksdb:")));
  }

  /** CPU nanoseconds of this process's threads whose kernel name matches; -1 without /proc. */
  private static long threadCpuNanos(Predicate<String> name) {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return -1;
    }
    long total = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        total += threadCpuNanos(thread, name);
      }
      return total;
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  private static long threadCpuNanos(Path thread, Predicate<String> wanted) {
    try {
      String name = Files.readString(thread.resolve("comm"), StandardCharsets.US_ASCII).trim();
      if (!wanted.test(name)) {
        return 0;
      }
      // schedstat: nanoseconds on a CPU, nanoseconds waiting for one, time slices.
      return Long.parseLong(
          Files.readString(thread.resolve("schedstat"), StandardCharsets.US_ASCII)
              .trim()
              .split(" ")[0]);
    } catch (IOException | RuntimeException gone) {
      return 0; // the thread ended meanwhile, or the kernel keeps no schedstat
    }
  }

  private static double share(double part, double whole) {
    return whole > 0 ? 100 * part / whole : 0.0;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%n%-16s %3s %9s %9s %6s %9s %8s %8s %10s %10s %22s %14s %16s%n",
            "job",
            "p",
            "outputs",
            "rec/s",
            "ratio",
            "cpu-s/1k",
            "heap-MB",
            "rss-MB",
            "state-run",
            "state-end",
            "latency p50/p95/p99 ms",
            "commit-wait ms",
            "batch p50/p99 ms"));
    for (Row r : rows) {
      sb.append(
          String.format(
              "%-16s %3d %9d %9.0f %6.2f %9.3f %8d %8d %10s %10s %22s %14s %16s%n",
              r.job(),
              r.parallelism(),
              r.outputs(),
              r.recordsPerSecond(),
              r.ratioToPassThrough(),
              r.cpuSecondsPer1000(),
              r.peakHeapBytes() >> 20,
              r.peakRssBytes() >> 20,
              bytes(r.stateBytesRunning()),
              bytes(r.stateBytesAfterClose()),
              r.scoredLatency() == null
                  ? "-"
                  : String.format(
                      "%.0f/%.0f/%.0f",
                      r.scoredLatency().p50(), r.scoredLatency().p95(), r.scoredLatency().p99()),
              r.scoredLatency() == null || Double.isNaN(r.scoredLatency().commitWaitP50())
                  ? "-"
                  : String.format("%.0f", r.scoredLatency().commitWaitP50()),
              r.batchLatency() == null
                  ? "-"
                  : String.format("%.0f/%.0f", r.batchLatency().p50(), r.batchLatency().p99())));
    }
    rows.stream()
        .map(Row::scoredLatency)
        .filter(Objects::nonNull)
        .findFirst()
        .ifPresent(
            l ->
                sb.append(
                    String.format(
                        "latency includes up to %d ms of checkpoint interval: outputs become readable when their checkpoint commits"
                            + " (commit-wait: the median of that wait, committed minus written)%n",
                        l.checkpointIntervalMs())));
    for (Row r : rows) {
      // Compilation runs on its own threads and counts in the process CPU; a short run on few cores
      // pays much of it.
      sb.append(
          String.format(
              "cpu-s/1k, %s p=%d: %.3f, of which JIT compilation %.3f (%.0f %%), RocksDB flushes and compactions %.3f (%.0f %%), GC pauses %.3f%n",
              r.job(),
              r.parallelism(),
              r.cpuSecondsPer1000(),
              r.jitSecondsPer1000(),
              share(r.jitSecondsPer1000(), r.cpuSecondsPer1000()),
              r.rocksDbBackgroundSecondsPer1000(),
              share(r.rocksDbBackgroundSecondsPer1000(), r.cpuSecondsPer1000()),
              r.gcSecondsPer1000()));
    }
    for (Row r : rows) {
      sb.append(
          String.format("busiest task, %s p=%d: %s%n", r.job(), r.parallelism(), r.busiestTask()));
    }
    for (Row r : rows) {
      if (r.stateBytesAfterClose() != null) {
        sb.append(
            String.format(
                "state after close, %s p=%d: live (canonical savepoint) %s; checkpoint files by task: %s%n",
                r.job(),
                r.parallelism(),
                bytes(r.liveStateBytesAfterClose()),
                r.stateAfterCloseHolders()));
      }
    }
    return sb.toString();
  }

  private static String bytes(Long b) {
    if (b == null) {
      return "-";
    }
    return b < 10_240 ? b + " B" : (b >> 10) + " KiB";
  }

  private static Path write(Settings settings, List<Row> rows) throws IOException {
    Files.createDirectories(settings.results());
    Path file =
        settings.results().resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("generations", settings.generations());
    doc.put("groupSize", settings.groupSize());
    doc.put("checkpointIntervalMs", settings.checkpointIntervalMs());
    doc.put("latencyRate", settings.latencyRate());
    doc.put("fullCheckpoints", settings.fullCheckpoints());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("rows", rows);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
    return file;
  }

  /** Counts records of a topic as they become visible; optionally measures their age. */
  static final class OutputCounter {
    private final String bootstrap;
    private final String topic;
    private final LongConsumer latencySink;
    private final boolean committedOnly;
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<long[]> timeline = new ArrayList<>();
    private ToLongFunction<byte[]> eventTime;
    private Thread thread;

    OutputCounter(String bootstrap, String topic, LongConsumer latencySink, boolean committedOnly) {
      this.bootstrap = bootstrap;
      this.topic = topic;
      this.latencySink = latencySink;
      this.committedOnly = committedOnly;
    }

    void decodeEventTime(ToLongFunction<byte[]> eventTime) {
      this.eventTime = eventTime;
    }

    void start() {
      running.set(true);
      thread = new Thread(this::poll, "output-counter-" + topic);
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      if (thread != null) {
        thread.join(10_000);
      }
    }

    long count() {
      return count.get();
    }

    /**
     * Records per second between 10 % and 90 % of the expected outputs, measured from {@code
     * start}.
     */
    double sustainedRate(long start, long expected) {
      synchronized (timeline) {
        long[] from = null;
        long[] to = null;
        for (long[] point : timeline) {
          if (from == null && point[1] >= expected / 10) {
            from = point;
          }
          if (to == null && point[1] >= expected * 9 / 10) {
            to = point;
          }
        }
        if (from == null || to == null || to[0] == from[0]) {
          long[] last =
              timeline.isEmpty() ? new long[] {start, 0} : timeline.get(timeline.size() - 1);
          return last[1] / Math.max(1e-9, (last[0] - start) / 1e9);
        }
        return (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
      }
    }

    private void poll() {
      Properties props = new Properties();
      props.put("bootstrap.servers", bootstrap);
      props.put("isolation.level", committedOnly ? "read_committed" : "read_uncommitted");
      props.put("enable.auto.commit", "false");
      props.put("max.poll.records", "5000");
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        while (running.get()) {
          int polled = 0;
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            polled++;
            if (eventTime != null) {
              long at = eventTime.applyAsLong(record.value());
              if (at > 0) {
                latencySink.accept(System.currentTimeMillis() - at);
              }
            }
          }
          if (polled > 0) {
            long now = System.nanoTime();
            long total = count.addAndGet(polled);
            synchronized (timeline) {
              timeline.add(new long[] {now, total});
            }
          }
        }
      }
    }
  }

  /** Samples heap use and resident memory of this process. */
  static final class ResourceSampler {
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long peakHeap;
    private volatile long peakRss;
    private Thread thread;

    void start() {
      running.set(true);
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  peakHeap =
                      Math.max(
                          peakHeap,
                          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                  peakRss = Math.max(peakRss, residentBytes());
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "resource-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(5_000);
    }

    long peakHeap() {
      return peakHeap;
    }

    long peakRss() {
      return peakRss;
    }

    private static long residentBytes() {
      try {
        for (String line :
            Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // Not on Linux: report 0 rather than fail the run.
      }
      return 0;
    }
  }
}
