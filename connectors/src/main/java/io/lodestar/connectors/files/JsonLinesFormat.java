package io.lodestar.connectors.files;

import io.lodestar.connectors.RawRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a JSON Lines file as raw records whose offset is the 1-based line number, so a bad line's
 * dead letter says exactly where it is. Blank lines are skipped. Files are read whole, not split.
 */
public class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {

  private static final long serialVersionUID = 1L;

  private final String sourceName;

  /** @param sourceName stands in the raw record's topic field, e.g. {@code file:generations.jsonl} */
  public JsonLinesFormat(String sourceName) {
    this.sourceName = sourceName;
  }

  @Override
  public StreamFormat.Reader<RawRecord> createReader(Configuration config, FSDataInputStream stream) {
    BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    return new StreamFormat.Reader<>() {
      private long lineNumber;

      @Override
      public RawRecord read() throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
          lineNumber++;
          if (!line.isBlank()) {
            return new RawRecord(sourceName, 0, lineNumber, -1, null, line.getBytes(StandardCharsets.UTF_8));
          }
        }
        return null;
      }

      @Override
      public void close() throws IOException {
        lines.close();
      }
    };
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
