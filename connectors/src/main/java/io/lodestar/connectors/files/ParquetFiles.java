package io.lodestar.connectors.files;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Parquet files of Avro records through parquet-avro, written over Flink's own file streams with
 * Parquet's plain configuration and snappy-java pages ({@link SnappyCodecs}), so no Hadoop classes
 * are loaded at run time. The sink is a bulk format: a part file is finished on every checkpoint
 * and committed only when the checkpoint completes, which makes the output exactly-once.
 */
public final class ParquetFiles {

  private ParquetFiles() {}

  /**
   * A sink writing {@code <name>-*.parquet} part files into {@code directory}, Snappy-compressed.
   */
  public static <T extends SpecificRecordBase> FileSink<T> sink(
      java.nio.file.Path directory, String name, Class<T> type) {
    return sink(new Path(directory.toAbsolutePath().toUri()), name, type);
  }

  /** As {@link #sink(java.nio.file.Path, String, Class)}, for any file system Flink knows. */
  public static <T extends SpecificRecordBase> FileSink<T> sink(
      Path directory, String name, Class<T> type) {
    return FileSink.forBulkFormat(directory, new Writers<>(type))
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withOutputFileConfig(
            OutputFileConfig.builder().withPartPrefix(name).withPartSuffix(".parquet").build())
        .build();
  }

  /** Opens one Parquet writer per part file. */
  static final class Writers<T extends SpecificRecordBase> implements BulkWriter.Factory<T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> type;

    Writers(Class<T> type) {
      this.type = type;
    }

    @Override
    public BulkWriter<T> create(FSDataOutputStream out) throws IOException {
      SpecificData model = SpecificData.getForClass(type);
      Schema schema = model.getSchema(type);
      ParquetWriter<T> writer =
          AvroParquetWriter.<T>builder(new FlinkOutputFile(out))
              .withConf(new PlainParquetConfiguration())
              .withSchema(schema)
              .withDataModel(model)
              .withCodecFactory(new SnappyCodecs())
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .build();
      return new BulkWriter<>() {
        @Override
        public void addElement(T element) throws IOException {
          writer.write(element);
        }

        @Override
        public void flush() {
          // Parquet buffers a row group in memory; it can only be written out whole, at finish.
        }

        @Override
        public void finish() throws IOException {
          writer.close(); // writes the footer; the stream itself is closed by the sink
        }
      };
    }
  }

  /** Parquet's view of a Flink stream that the sink owns: Parquet may write to it, not close it. */
  static final class FlinkOutputFile implements OutputFile {
    private final FSDataOutputStream out;

    FlinkOutputFile(FSDataOutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        @Override
        public long getPos() throws IOException {
          return out.getPos();
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.flush();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
