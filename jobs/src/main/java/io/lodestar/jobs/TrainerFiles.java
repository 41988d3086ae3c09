package io.lodestar.jobs;

import io.lodestar.connectors.files.JsonLinesFiles;
import io.lodestar.connectors.files.ParquetFiles;
import io.lodestar.operators.batch.TrainerSamples;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.export.TrlSample;
import io.lodestar.schema.export.VerlSample;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Files a trainer reads, one row per sample of every RL batch (columns in {@code docs/exports.md}):
 * {@code <dir>/verl-parquet/*.parquet}, {@code <dir>/verl-jsonl/*.jsonl} and {@code
 * <dir>/trl-jsonl/*.jsonl}. The sinks are Flink file sinks: part files are committed when a
 * checkpoint completes (streaming) or at the end of input (bounded), so each row appears once.
 */
public final class TrainerFiles {

  /** A file kind, named as in {@code export.formats}; also the sub-directory it is written to. */
  public enum Format {
    VERL_PARQUET,
    VERL_JSONL,
    TRL_JSONL;

    public String id() {
      return FileFormats.id(this);
    }

    /** Parses a comma-separated list of ids (case-insensitive); blank entries are ignored. */
    public static Set<Format> parseList(String list) {
      return FileFormats.parseList(Format.class, list, "trainer file");
    }
  }

  private TrainerFiles() {}

  /** Adds the rows and their sinks for {@code formats} under {@code directory}. */
  public static void attach(DataStream<RLBatch> batches, Path directory, Set<Format> formats) {
    if (formats.contains(Format.VERL_PARQUET) || formats.contains(Format.VERL_JSONL)) {
      DataStream<VerlSample> verl =
          batches
              .flatMap((RLBatch b, Collector<VerlSample> out) -> TrainerSamples.verl(b).forEach(out::collect), type(VerlSample.class))
              .uid("batch-to-verl-samples")
              .name("RL batches to verl samples");
      if (formats.contains(Format.VERL_PARQUET)) {
        verl.sinkTo(ParquetFiles.sink(child(directory, Format.VERL_PARQUET), "samples", VerlSample.class))
            .uid("sink-verl-parquet").name("verl Parquet files");
      }
      if (formats.contains(Format.VERL_JSONL)) {
        verl.sinkTo(JsonLinesFiles.<VerlSample>sink(child(directory, Format.VERL_JSONL), "samples"))
            .uid("sink-verl-jsonl").name("verl JSON Lines files");
      }
    }
    if (formats.contains(Format.TRL_JSONL)) {
      batches
          .flatMap((RLBatch b, Collector<TrlSample> out) -> TrainerSamples.trl(b).forEach(out::collect), type(TrlSample.class))
          .uid("batch-to-trl-samples")
          .name("RL batches to TRL samples")
          .sinkTo(JsonLinesFiles.<TrlSample>sink(child(directory, Format.TRL_JSONL), "samples"))
          .uid("sink-trl-jsonl")
          .name("TRL JSON Lines files");
    }
  }

  private static Path child(Path directory, Format format) {
    return new Path(directory, format.id());
  }

  private static <T extends org.apache.avro.specific.SpecificRecordBase> TypeInformation<T> type(Class<T> c) {
    return new AvroTypeInfo<>(c);
  }
}
