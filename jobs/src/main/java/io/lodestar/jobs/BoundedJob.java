package io.lodestar.jobs;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.files.JsonLinesFiles;
import io.lodestar.jobs.config.LodestarOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The same pipeline, with the streaming job's semantics, over JSON Lines files, for backfills and
 * offline evaluation (Flink's streaming runtime on bounded sources; see docs/bounded.md): {@code
 * --generations FILE [--feedback FILE] --output DIR [pipeline options]}. Outputs land as {@code
 * DIR/<output>/*.jsonl}, trainer files as {@code DIR/verl-parquet/}, {@code DIR/verl-jsonl/} and
 * {@code DIR/trl-jsonl/}; groups still open at the end of input are flushed.
 */
public final class BoundedJob {

  public static final List<String> OUTPUTS =
      List.of(
          "scored",
          "batches",
          "pairs",
          "unpaired",
          "dead-letters",
          "filtered-groups",
          "health-metrics",
          "alerts");

  private BoundedJob() {}

  /** The files of one bounded run. */
  public record Inputs(Path generations, Path feedback, Path output) {}

  public static void main(String[] args) throws Exception {
    List<String> pipelineArgs = new ArrayList<>();
    Path generations = null;
    Path feedback = null;
    Path output = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--generations" -> generations = Path.of(value(args, ++i, "--generations"));
        case "--feedback" -> feedback = Path.of(value(args, ++i, "--feedback"));
        case "--output" -> output = Path.of(value(args, ++i, "--output"));
        default -> pipelineArgs.add(args[i]);
      }
    }
    if (generations == null || output == null) {
      throw new IllegalArgumentException(
          "usage: --generations FILE [--feedback FILE] --output DIR [--key value ...]");
    }
    LodestarOptions options = LodestarOptions.fromArgs(pipelineArgs.toArray(String[]::new));
    run(new Inputs(generations, feedback, output), options);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  public static void run(Inputs files, LodestarOptions options) throws Exception {
    requireReadable(files.generations(), "--generations");
    if (files.feedback() != null) {
      requireReadable(files.feedback(), "--feedback");
    }
    Files.createDirectories(files.output());
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.bounded(options));
    build(env, files, options);
    env.execute("lodestar-bounded");
  }

  public static void build(StreamExecutionEnvironment env, Inputs files, LodestarOptions options) {
    PipelineInputs inputs =
        PipelineInputs.generations(fileSource(env, files.generations(), "source-generations-file"));
    if (files.feedback() != null) {
      inputs = inputs.withFeedback(fileSource(env, files.feedback(), "source-feedback-file"));
    }
    Path out = files.output();
    PipelineOutputs outputs =
        new PipelineOutputs(
            JsonLinesFiles.sink(out.resolve("scored"), "scored"),
            JsonLinesFiles.sink(out.resolve("batches"), "batches"),
            JsonLinesFiles.sink(out.resolve("pairs"), "pairs"),
            JsonLinesFiles.sink(out.resolve("unpaired"), "unpaired"),
            JsonLinesFiles.sink(out.resolve("dead-letters"), "dead-letters"),
            JsonLinesFiles.sink(out.resolve("filtered-groups"), "filtered-groups"),
            JsonLinesFiles.sink(out.resolve("health-metrics"), "health-metrics"),
            JsonLinesFiles.sink(out.resolve("alerts"), "alerts"));
    PipelineTopology.Streams streams = outputs.connect(PipelineTopology.build(inputs, options));
    // The same trainer files as the streaming job's export.dir, under the output directory.
    org.apache.flink.core.fs.Path dir =
        new org.apache.flink.core.fs.Path(out.toAbsolutePath().toUri());
    PipelineJob.attachFiles(streams, dir, options);
  }

  private static DataStream<RawRecord> fileSource(
      StreamExecutionEnvironment env, Path file, String uid) {
    return env.fromSource(
            JsonLinesFiles.source(file),
            WatermarkStrategy.noWatermarks(),
            "File " + file.getFileName())
        .uid(uid);
  }

  private static void requireReadable(Path file, String flag) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + " " + file + " does not exist or cannot be read");
    }
  }
}
