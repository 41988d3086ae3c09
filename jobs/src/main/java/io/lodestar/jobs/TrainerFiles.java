package io.lodestar.jobs;

import io.lodestar.schema.RLBatch;
import java.util.Set;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Files a trainer reads, one row per sample of every RL batch (columns in {@code docs/exports.md}):
 * the RL formats of {@link ExportFormat}, each under {@code <dir>/<format id>/}. The sinks are
 * Flink file sinks: part files are committed when a checkpoint completes (streaming) or at the end
 * of input (bounded), so each row appears once.
 */
public final class TrainerFiles {

  private TrainerFiles() {}

  /**
   * Adds the rows and their sinks for {@code formats} under {@code directory}.
   *
   * @throws IllegalArgumentException when a format is not an RL format
   */
  public static void attach(
      DataStream<RLBatch> batches, Path directory, Set<ExportFormat> formats) {
    ExportFormat.requireKind(formats, ExportFormat.Kind.RL);
    ExportFormat.attach(new ExportFormat.Sources(batches, null, null), directory, formats);
  }
}
