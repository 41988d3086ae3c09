package io.lodestar.jobs;

import io.lodestar.connectors.files.SnappyCodecs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Reads Parquet files back with parquet-avro's reader (which needs Hadoop's API classes on the test
 * class path).
 */
final class ParquetTestFiles {

  private ParquetTestFiles() {}

  static <T extends SpecificRecordBase> List<T> read(Path file, Class<T> type) throws IOException {
    List<T> records = new ArrayList<>();
    try (ParquetReader<T> reader =
        AvroParquetReader.<T>builder(new LocalInputFile(file), new PlainParquetConfiguration())
            .withDataModel(SpecificData.getForClass(type))
            .withCodecFactory(new SnappyCodecs())
            .build()) {
      for (T record = reader.read(); record != null; record = reader.read()) {
        records.add(record);
      }
    }
    return records;
  }

  /**
   * The Parquet schema in the file's footer: column names, physical and logical types, repetition.
   */
  static MessageType schema(Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new LocalInputFile(file),
            ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }
}
