package io.lodestar.connectors.files;

import io.lodestar.connectors.RawRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a JSON Lines file as raw records whose offset is the 1-based line number, so a bad line's
 * dead letter says exactly where it is. Blank lines are skipped. Files are read whole, not split.
 *
 * <p>Each line's bytes are passed on exactly as they are in the file (without the line end), never
 * decoded here: invalid UTF-8 then reaches the same decoder as a Kafka record with the same bytes
 * and is dead-lettered the same way ({@code MALFORMED}), instead of being replaced with U+FFFD and
 * scored. Splitting on the byte 0x0A is safe in UTF-8, where it never occurs inside a character.
 */
public class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {

  private static final long serialVersionUID = 1L;

  private final String sourceName;

  /**
   * @param sourceName stands in the raw record's topic field, e.g. {@code file:generations.jsonl}
   */
  public JsonLinesFormat(String sourceName) {
    this.sourceName = sourceName;
  }

  @Override
  public StreamFormat.Reader<RawRecord> createReader(
      Configuration config, FSDataInputStream stream) {
    BufferedInputStream in = new BufferedInputStream(stream, 64 * 1024);
    return new StreamFormat.Reader<>() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();
      private long lineNumber;
      private boolean atEnd;

      @Override
      public RawRecord read() throws IOException {
        while (!atEnd) {
          byte[] bytes = nextLine();
          if (bytes == null) {
            return null;
          }
          lineNumber++;
          if (!isBlank(bytes)) {
            return new RawRecord(sourceName, 0, lineNumber, -1, null, bytes);
          }
        }
        return null;
      }

      /** The next line without its end (LF or CR LF); null at the end of the file. */
      private byte[] nextLine() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
          line.write(b);
        }
        if (b == -1) {
          atEnd = true;
          if (line.size() == 0) {
            return null;
          }
        }
        byte[] bytes = line.toByteArray();
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r'
            ? Arrays.copyOf(bytes, bytes.length - 1)
            : bytes;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /** Only ASCII white space (as {@link Character#isWhitespace} counts it below 0x80). */
  static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b < 0 || !Character.isWhitespace((char) b)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
