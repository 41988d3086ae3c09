package io.lodestar.operators.bench;

import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.io.ByteArrayOutputStream;
import java.util.Collection;
import java.util.Locale;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs both JMH benchmarks and prints groups/s with the ratio to each one's baseline from the same
 * run, then the keyed state an open group takes in RocksDB. Arguments are JMH's command line.
 */
public final class AdvantageBenchmarks {

  private static final int OPEN_GROUPS = 5_000;

  private AdvantageBenchmarks() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .parent(cli)
                    .include(AdvantageBenchmark.class.getSimpleName())
                    .include(GroupOperatorBenchmark.class.getSimpleName())
                    .include(CodecBenchmark.class.getSimpleName())
                    .build())
            .run();
    double advantageBaseline = score(results, "AdvantageBenchmark", "baseline");
    double heapBaseline = score(results, "GroupOperatorBenchmark", "heap");
    System.out.println();
    System.out.printf(Locale.ROOT, "%-48s %14s %8s%n", "benchmark", "groups/s", "ratio");
    for (RunResult r : results) {
      if (r.getParams().getBenchmark().contains("CodecBenchmark")) {
        continue;
      }
      String name = r.getParams().getBenchmark().replaceAll(".*\\.(\\w+)\\.\\w+$", "$1");
      String param = r.getParams().getParamsKeys().stream().map(r.getParams()::getParam).findFirst().orElse("");
      double groupsPerSecond = r.getPrimaryResult().getScore();
      double base = name.equals("AdvantageBenchmark") ? advantageBaseline : heapBaseline;
      System.out.printf(Locale.ROOT, "%-48s %14.0f %8.2f%n", name + " " + param, groupsPerSecond, groupsPerSecond / base);
    }
    System.out.println("(ratio: AdvantageBenchmark to baseline = GroupAdvantages.grpo; GroupOperatorBenchmark to heap state)");
    printCodec(results);
    printOpenGroupState();
  }

  private static void printCodec(Collection<RunResult> results) {
    double fast = codecScore(results, "decodeFastReader");
    System.out.println();
    System.out.printf(Locale.ROOT, "%-48s %14s %8s%n", "Flink Avro serializer, one group member", "records/s", "ratio");
    for (String mode : new String[] {"decodeFastReader", "decodeGeneratedCoders", "encode"}) {
      double score = codecScore(results, mode);
      System.out.printf(Locale.ROOT, "%-48s %14.0f %8.2f%n", mode, score, score / fast);
    }
    System.out.println("(ratio to decodeFastReader, Avro's default decoder)");
  }

  private static double codecScore(Collection<RunResult> results, String method) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("CodecBenchmark." + method))
        .mapToDouble(r -> r.getPrimaryResult().getScore())
        .findFirst()
        .orElse(Double.NaN);
  }

  private static double score(Collection<RunResult> results, String benchmark, String param) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().contains(benchmark))
        .filter(r -> r.getParams().getParamsKeys().stream().anyMatch(k -> param.equals(r.getParams().getParam(k))))
        .mapToDouble(r -> r.getPrimaryResult().getScore())
        .findFirst()
        .orElse(Double.NaN);
  }

  /**
   * Opens {@value #OPEN_GROUPS} groups of 8 with 7 members each in RocksDB and divides the size of
   * the checkpointed state (RocksDB's files, block-compressed) by the groups. The baseline is the
   * Avro binary size of the 7 members alone.
   */
  static void printOpenGroupState() throws Exception {
    long payload = 0;
    SpecificDatumWriter<ScoredGeneration> writer = new SpecificDatumWriter<>(ScoredGeneration.class);
    try (KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> h =
        GroupOperatorBenchmark.openHarness("rocksdb", true)) {
      for (int g = 0; g < OPEN_GROUPS; g++) {
        for (int i = 0; i < Members.GROUP_SIZE - 1; i++) {
          ScoredGeneration m = Members.member("open-" + g, i, Members.GROUP_SIZE);
          h.processElement(m, m.getGeneration().getCreatedAtMs());
          payload += avroBytes(writer, m);
        }
      }
      OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
      double perGroup = (double) snapshot.getStateSize() / OPEN_GROUPS;
      double payloadPerGroup = (double) payload / OPEN_GROUPS;
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "RocksDB state per open group: %.0f bytes; the 7 members' own Avro bytes: %.0f; ratio %.2f%n"
              + "  (%d open groups of 8 with 7 members each, ~1 KB response, 256 token ids and log-probs per member;"
              + " checkpoint %d bytes; event-time timers %d)%n",
          perGroup, payloadPerGroup, perGroup / payloadPerGroup, OPEN_GROUPS, snapshot.getStateSize(), h.numEventTimeTimers());
    }
  }

  private static long avroBytes(SpecificDatumWriter<ScoredGeneration> writer, ScoredGeneration m) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    writer.write(m, encoder);
    encoder.flush();
    return bytes.size();
  }
}
