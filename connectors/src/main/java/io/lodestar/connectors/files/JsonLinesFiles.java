package io.lodestar.connectors.files;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.PlainJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * JSON Lines in and out, in the project's plain JSON encoding: the bounded mode and the trainer
 * exports.
 */
public final class JsonLinesFiles {

  private JsonLinesFiles() {}

  /** A bounded source over one JSON Lines file. */
  public static FileSource<RawRecord> source(java.nio.file.Path file) {
    return FileSource.forRecordStreamFormat(
            new JsonLinesFormat("file:" + file.getFileName()),
            new Path(file.toAbsolutePath().toUri()))
        .build();
  }

  /**
   * A sink writing one record per line into {@code directory}, files named {@code <name>-*.jsonl}.
   */
  public static <T extends SpecificRecordBase> FileSink<T> sink(
      java.nio.file.Path directory, String name) {
    return sink(new Path(directory.toAbsolutePath().toUri()), name);
  }

  /**
   * As {@link #sink(java.nio.file.Path, String)}, for any file system Flink knows (file://, s3://,
   * ...).
   */
  public static <T extends SpecificRecordBase> FileSink<T> sink(Path directory, String name) {
    return FileSink.forRowFormat(directory, new JsonLineEncoder<T>())
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withOutputFileConfig(
            OutputFileConfig.builder().withPartPrefix(name).withPartSuffix(".jsonl").build())
        // A trainer sees a finished file per checkpoint, as with the Parquet exports, not only
        // once a part grows past the size limit or goes quiet.
        .withRollingPolicy(OnCheckpointRollingPolicy.build())
        .build();
  }

  /** Writes a record as one line of plain JSON. */
  public static final class JsonLineEncoder<T extends SpecificRecordBase> implements Encoder<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(T element, OutputStream stream) throws IOException {
      stream.write(PlainJson.toJsonString(element).getBytes(StandardCharsets.UTF_8));
      stream.write('\n');
    }
  }
}
