package io.lodestar.jobs;

import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.util.Set;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Files preference trainers read, one row per pair or unpaired example (columns in {@code
 * docs/exports.md}): the preference formats of {@link ExportFormat}, each under {@code
 * <dir>/<format id>/}, pairs as {@code pairs-*.jsonl}, unpaired examples as {@code
 * examples-*.jsonl}. Rows are Avro records written as plain JSON ({@link
 * io.lodestar.connectors.serde.PlainJson}: nullable values as {@code null}, no union wrappers).
 * Flink file sinks: part files are committed when a checkpoint completes (streaming) or at the end
 * of input (bounded), so each row appears once.
 */
public final class PreferenceFiles {

  private PreferenceFiles() {}

  /**
   * Adds the rows and sinks of {@code formats} under {@code directory}, every operator with a
   * stable uid and name; {@code unpaired} may be null (then no KTO file is written).
   *
   * @throws IllegalArgumentException when a format is not a preference format
   */
  public static void attach(
      DataStream<PreferencePair> pairs,
      DataStream<UnpairedExample> unpaired,
      Path directory,
      Set<ExportFormat> formats) {
    ExportFormat.requireKind(formats, ExportFormat.Kind.PREFERENCE);
    ExportFormat.attach(new ExportFormat.Sources(null, pairs, unpaired), directory, formats);
  }
}
