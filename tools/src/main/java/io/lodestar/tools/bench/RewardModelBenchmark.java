package io.lodestar.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import io.lodestar.jobs.LocalBinding;
import io.lodestar.operators.reward.model.ChatTemplate;
import io.lodestar.operators.reward.model.ClasspathModels;
import io.lodestar.operators.reward.model.DeviceSpec;
import io.lodestar.operators.reward.model.EmbeddingModel;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import io.lodestar.operators.reward.model.LoadedModel;
import io.lodestar.operators.reward.model.ModelStages;
import io.lodestar.operators.reward.model.Normalisation;
import io.lodestar.operators.reward.model.RefCounted;
import io.lodestar.operators.reward.model.RewardInput;
import io.lodestar.operators.reward.model.RewardModel;
import io.lodestar.operators.reward.model.RewardModelSettings;
import io.lodestar.operators.reward.model.SharedModels;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The model stages' overhead: the Flink operator (micro-batching, Avro records, component building)
 * against a bare DJL loop (render, tokenize, predict) on the same loaded model, inputs and batch
 * size, in one run. Two models: the bundled tiny reward model (reward-model operator) and MiniLM
 * (embedding-similarity operator: two texts per record).
 *
 * <p>The operator runs in a local Flink job at parallelism 1, chained with its source and sink (one
 * thread, like the loop); throughput is counted from the first record entering the operator to the
 * last leaving it, so job start-up is excluded. Latency is per record: for the loop, the time of
 * the batch it was in; for the operator, from entering the operator to leaving it. Of {@code
 * repeats} interleaved runs the fastest counts ({@code ratio}: operator / loop records per second);
 * {@code cpu ratio} compares records per process CPU second, which other load on the machine
 * disturbs less.
 *
 * <p>Flags: {@code --models tiny,minilm}, {@code --records N} (tiny: 20000; MiniLM: a tenth),
 * {@code --batch-size B} (32), {@code --repeats R} (3), {@code --device} (cpu).
 */
public final class RewardModelBenchmark {

  private RewardModelBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    List<Row> rows =
        run(
            List.of(flags.getOrDefault("models", "tiny,minilm").split(",")),
            Integer.parseInt(flags.getOrDefault("records", "20000")),
            Integer.parseInt(flags.getOrDefault("batch-size", "32")),
            Integer.parseInt(flags.getOrDefault("repeats", "3")),
            DeviceSpec.parse(flags.getOrDefault("device", "cpu")));
    System.out.print(table(rows));
  }

  /** One model's result: the loop's and the operator's best runs and the CPU ratio. */
  public record Row(String model, int batchSize, Run loop, Run operator, double cpuRatio) {
    public double ratio() {
      return operator.throughput() / loop.throughput();
    }
  }

  /** Measures each model ({@code tiny}, {@code minilm}); MiniLM gets a tenth of the records. */
  public static List<Row> run(
      List<String> models, int records, int batchSize, int repeats, DeviceSpec device)
      throws Exception {
    List<Row> rows = new ArrayList<>();
    for (String model : models) {
      boolean tiny = model.equals("tiny");
      if (!tiny && !model.equals("minilm")) {
        throw new IllegalArgumentException("--models takes tiny and/or minilm, got " + model);
      }
      int n = tiny ? records : Math.max(batchSize, records / 10);
      Path folder =
          tiny ? ClasspathModels.tinyRewardInTempDir() : ClasspathModels.miniLmInTempDir();
      List<Run> loops = new ArrayList<>();
      List<Run> operators = new ArrayList<>();
      // The benchmark holds the model, so every run (loop or job) uses the same loaded instance.
      try (RefCounted.Lease<LoadedModel> lease = SharedModels.acquire(folder, device)) {
        List<ScoredGeneration> inputs = inputs(n);
        // Warm-up: ONNX Runtime plans and allocates on the first calls of each shape.
        loop(lease.get(), tiny, inputs.subList(0, Math.min(n, 20 * batchSize)), batchSize);
        operator(folder, device, tiny, Math.min(n, 20 * batchSize), batchSize);
        for (int r = 0; r < repeats; r++) {
          loops.add(loop(lease.get(), tiny, inputs, batchSize));
          operators.add(operator(folder, device, tiny, n, batchSize));
        }
      }
      rows.add(
          new Row(
              model,
              batchSize,
              best(loops),
              best(operators),
              leanest(operators).perCpuSecond() / leanest(loops).perCpuSecond()));
    }
    return rows;
  }

  public static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-8s %6s %7s %12s %12s %7s %9s %22s %22s%n",
            "model",
            "batch",
            "records",
            "loop rec/s",
            "op rec/s",
            "ratio",
            "cpu ratio",
            "loop p50/p99 ms",
            "op p50/p99 ms"));
    for (Row row : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-8s %6d %7d %12.0f %12.0f %7.3f %9.3f %22s %22s%n",
              row.model(),
              row.batchSize(),
              row.loop().records(),
              row.loop().throughput(),
              row.operator().throughput(),
              row.ratio(),
              row.cpuRatio(),
              String.format(
                  Locale.ROOT, "%.2f / %.2f", row.loop().percentile(50), row.loop().percentile(99)),
              String.format(
                  Locale.ROOT,
                  "%.2f / %.2f",
                  row.operator().percentile(50),
                  row.operator().percentile(99))));
    }
    return sb.toString();
  }

  /**
   * One measured run: records, elapsed seconds, process CPU seconds, and per-record latencies in
   * ms.
   */
  public record Run(int records, double seconds, double cpuSeconds, double[] latenciesMs) {
    public double throughput() {
      return records / seconds;
    }

    /** Records per process CPU second: what the stage costs, whatever else the machine runs. */
    public double perCpuSecond() {
      return records / cpuSeconds;
    }

    public double percentile(int p) {
      double[] sorted = latenciesMs.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
  }

  /** The fastest run: on a shared machine, the one least disturbed by other work. */
  private static Run best(List<Run> runs) {
    return runs.stream()
        .max((a, b) -> Double.compare(a.throughput(), b.throughput()))
        .orElseThrow();
  }

  /** The run that used the least CPU per record. */
  private static Run leanest(List<Run> runs) {
    return runs.stream()
        .max((a, b) -> Double.compare(a.perCpuSecond(), b.perCpuSecond()))
        .orElseThrow();
  }

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static long cpuNanos() {
    return OS.getProcessCpuTime();
  }

  /**
   * The bare loop: per batch, render (or pick) the texts, tokenize and predict on one predictor.
   */
  private static Run loop(
      LoadedModel model, boolean reward, List<ScoredGeneration> inputs, int batchSize)
      throws Exception {
    double[] latencies = new double[inputs.size()];
    long cpuStart = cpuNanos();
    long start = System.nanoTime();
    if (reward) {
      try (RewardModel scorer =
          RewardModel.over(model, ChatTemplate.ROLE_PREFIXED, Normalisation.NONE)) {
        for (int from = 0; from < inputs.size(); from += batchSize) {
          long t0 = System.nanoTime();
          List<RewardInput> batch = new ArrayList<>(batchSize);
          for (ScoredGeneration s :
              inputs.subList(from, Math.min(inputs.size(), from + batchSize))) {
            batch.add(
                new RewardInput(s.getGeneration().getPrompt(), s.getGeneration().getResponse()));
          }
          scorer.score(batch);
          Arrays.fill(latencies, from, from + batch.size(), (System.nanoTime() - t0) / 1e6);
        }
      }
    } else {
      try (EmbeddingModel embedder = EmbeddingModel.over(model)) {
        for (int from = 0; from < inputs.size(); from += batchSize) {
          long t0 = System.nanoTime();
          List<String> texts = new ArrayList<>(2 * batchSize);
          int size = Math.min(inputs.size(), from + batchSize) - from;
          for (ScoredGeneration s : inputs.subList(from, from + size)) {
            texts.add(s.getGeneration().getResponse());
            texts.add(s.getGeneration().getTask().getGroundTruth());
          }
          embedder.embed(texts);
          Arrays.fill(latencies, from, from + size, (System.nanoTime() - t0) / 1e6);
        }
      }
    }
    return new Run(
        inputs.size(), (System.nanoTime() - start) / 1e9, (cpuNanos() - cpuStart) / 1e9, latencies);
  }

  // Written by the job's single subtask, read by main after the job ends (same JVM, local cluster).
  private static final AtomicLong FIRST_IN = new AtomicLong();
  private static final AtomicLong LAST_OUT = new AtomicLong();
  private static final AtomicLong CPU_FIRST_IN = new AtomicLong();
  private static final AtomicLong CPU_LAST_OUT = new AtomicLong();
  private static int expected;
  private static int seen;
  private static int scoredOk;
  private static long[] entered;
  private static double[] latenciesMs;

  /** The operator in a local job: sequence source, stamp, model operator, stamp, discard. */
  private static Run operator(Path folder, DeviceSpec device, boolean reward, int n, int batchSize)
      throws Exception {
    FIRST_IN.set(0);
    expected = n;
    seen = 0;
    scoredOk = 0;
    entered = new long[n];
    latenciesMs = new double[n];
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // Chained hand-overs would otherwise deep-copy each record around the two stamping maps, a cost
    // of this harness rather than of the operator.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(1, LocalBinding.loopbackOnly(conf));
    // Batches close by size; the long wait only matters for the last partial batch (end of input
    // flushes it).
    Duration maxWait = Duration.ofSeconds(10);
    DataStream<ScoredGeneration> in =
        env.fromSequence(0, n - 1)
            .map(new Stamp(), new AvroTypeInfo<>(ScoredGeneration.class))
            .name("Stamp in");
    DataStream<ScoredGeneration> scored =
        reward
            ? ModelStages.rewardModel(
                in,
                RewardModelSettings.defaults(folder.toString())
                    .withDevice(device)
                    .withBatch(batchSize, maxWait))
            : ModelStages.embeddingSimilarity(
                in,
                new EmbeddingSettings(
                    folder.toString(),
                    device,
                    batchSize,
                    maxWait,
                    EmbeddingSettings.DEFAULT_COMPONENT_NAME));
    scored
        .map(new StampOut(), new AvroTypeInfo<>(ScoredGeneration.class))
        .name("Stamp out")
        .sinkTo(new DiscardingSink<>());
    env.execute("reward model benchmark");
    if (seen != n || scoredOk != n) {
      throw new IllegalStateException(
          "expected " + n + " records scored OK, got " + scoredOk + " of " + seen);
    }
    return new Run(
        n,
        (LAST_OUT.get() - FIRST_IN.get()) / 1e9,
        (CPU_LAST_OUT.get() - CPU_FIRST_IN.get()) / 1e9,
        latenciesMs.clone());
  }

  /**
   * Builds record i (the records themselves are the same as the loop's) and notes when it entered.
   */
  private static final class Stamp extends RichMapFunction<Long, ScoredGeneration> {
    @Override
    public void open(OpenContext context) {}

    @Override
    public ScoredGeneration map(Long i) {
      ScoredGeneration record = input(i.intValue());
      long now = System.nanoTime();
      if (FIRST_IN.compareAndSet(0, now)) {
        CPU_FIRST_IN.set(cpuNanos());
      }
      entered[i.intValue()] = now;
      return record;
    }
  }

  private static final class StampOut implements MapFunction<ScoredGeneration, ScoredGeneration> {
    @Override
    public ScoredGeneration map(ScoredGeneration s) {
      long now = System.nanoTime();
      int i = Integer.parseInt(s.getGeneration().getGenerationId().substring(2));
      latenciesMs[i] = (now - entered[i]) / 1e6;
      LAST_OUT.set(now);
      var components = s.getComponents();
      if (components.get(components.size() - 1).getStatus() == RewardStatus.OK) {
        scoredOk++;
      }
      if (++seen == expected) {
        CPU_LAST_OUT.set(cpuNanos());
      }
      return s;
    }
  }

  private static List<ScoredGeneration> inputs(int n) {
    List<ScoredGeneration> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(input(i));
    }
    return out;
  }

  private static final String[] RESPONSES = {
    "%d + %d = %d. The answer is \\boxed{%3$d}.",
    "Let me think step by step. First add %d and %d, which gives %d, so the final answer is %3$d.",
    "Hmm, I am not sure about %d and %d, maybe it is something like %d or maybe not, it is hard to say.",
    "%3$d",
  };

  /**
   * A deterministic generation: an addition question with responses of varied length and quality.
   */
  static ScoredGeneration input(int i) {
    int a = 3 + i % 97;
    int b = 5 + (i * 7) % 89;
    String response = String.format(Locale.ROOT, RESPONSES[i % RESPONSES.length], a, b, a + b);
    Generation g =
        Generation.newBuilder()
            .setGenerationId("g-" + i)
            .setPromptId("p-" + i)
            .setGroupId("group-" + i / 4)
            .setPrompt(
                List.of(
                    ChatMessage.newBuilder()
                        .setRole("system")
                        .setContent("Answer with a number.")
                        .build(),
                    ChatMessage.newBuilder()
                        .setRole("user")
                        .setContent("What is " + a + " + " + b + "?")
                        .build()))
            .setResponse(response)
            .setTask(
                TaskMetadata.newBuilder()
                    .setKind(TaskKind.MATH)
                    .setGroundTruth("The answer is " + (a + b) + ".")
                    .build())
            .setPolicy(Policy.newBuilder().setModelId("bench").build())
            .setFinishReason(FinishReason.STOP)
            .setCreatedAtMs(1_000L + i)
            .build();
    return ScoredGeneration.newBuilder().setGeneration(g).setScoredAtMs(1_000L + i).build();
  }
}
