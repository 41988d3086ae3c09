package io.lodestar.connectors.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.lodestar.schemas.ShippedSchemas;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Reads one top-level {@code long} field, an event time such as {@code createdAtMs}, from a message
 * in either {@link WireFormat} without decoding the record: what a Kafka source needs to stamp each
 * record and generate watermarks per partition, at a fraction of a decode's cost.
 *
 * <p>It vouches for a value only when {@link RecordCodec#decode} would accept the message, as far
 * as the wire structure goes, so that a record that will be dead-lettered as undecodable never
 * moves the watermark:
 *
 * <ul>
 *   <li><b>Avro</b> (single-object encoding): the writer schema must be one this build ships, and
 *       the whole body is walked with that schema: every length, count, union branch and enum index
 *       checked against the message, and the walk must end exactly at its last byte. Strings are
 *       skipped, never decoded, and nothing is allocated.
 *   <li><b>JSON</b> ({@link PlainJson}): the whole message is tokenised (duplicate keys and
 *       trailing content refused) and the field must be a top-level integer in the long range.
 *       Fields are not checked against the schema, so a well-formed JSON object that does not fit
 *       it still gives its event time.
 * </ul>
 *
 * <p>Anything else (empty, oversized, unknown fingerprint, truncated, not JSON, field missing or
 * null) reads as {@link #UNKNOWN}. It never throws for any input. Serializable; the compiled
 * walkers are transient and built on first use. Not thread-safe: one per thread.
 */
public final class EventTimeReader implements RawEventTime {

  private static final long serialVersionUID = 1L;

  /** What {@link #read} returns when it cannot vouch for an event time. */
  public static final long UNKNOWN = RawEventTime.UNKNOWN;

  private static final int AVRO_PREFIX_LENGTH = 10;

  private final Class<? extends SpecificRecordBase> type;
  private final String field;
  private final int maxBytes;

  private transient Map<Long, RecordWalk> walks;
  private transient JsonFactory json;

  private EventTimeReader(Class<? extends SpecificRecordBase> type, String field, int maxBytes) {
    this.type = Objects.requireNonNull(type, "type");
    this.field = Objects.requireNonNull(field, "field");
    this.maxBytes = maxBytes;
  }

  /**
   * A reader of {@code field} of {@code type}, refusing messages over {@link
   * RecordCodec#DEFAULT_MAX_BYTES} as the codec does.
   *
   * @throws IllegalArgumentException if the current schema has no top-level {@code long} field of
   *     that name
   */
  public static EventTimeReader of(Class<? extends SpecificRecordBase> type, String field) {
    EventTimeReader reader = new EventTimeReader(type, field, RecordCodec.DEFAULT_MAX_BYTES);
    reader.initialized();
    return reader;
  }

  /** The field's value, or {@link #UNKNOWN}. */
  @Override
  public long read(byte[] bytes) {
    if (bytes == null || bytes.length == 0 || bytes.length > maxBytes) {
      return UNKNOWN;
    }
    initialized();
    try {
      if (bytes[0] == (byte) 0xC3 && bytes.length > 1 && bytes[1] == 0x01) {
        return readAvro(bytes);
      }
      return readJson(bytes);
    } catch (Malformed | RuntimeException | IOException | StackOverflowError e) {
      return UNKNOWN;
    }
  }

  public String field() {
    return field;
  }

  private long readAvro(byte[] bytes) throws Malformed {
    if (bytes.length < AVRO_PREFIX_LENGTH) {
      return UNKNOWN;
    }
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFFL);
    }
    RecordWalk walk = walks.get(fingerprint);
    if (walk == null || walk.target < 0) {
      return UNKNOWN;
    }
    Cursor in = new Cursor(bytes, AVRO_PREFIX_LENGTH);
    long value = walk.read(in);
    return in.pos == bytes.length ? value : UNKNOWN;
  }

  private long readJson(byte[] bytes) throws IOException {
    long value = UNKNOWN;
    try (JsonParser parser = json.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return UNKNOWN;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        boolean wanted = field.equals(parser.currentName());
        JsonToken valueToken = parser.nextToken();
        if (wanted) {
          if (valueToken != JsonToken.VALUE_NUMBER_INT
              || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return UNKNOWN;
          }
          value = parser.getLongValue();
        } else {
          parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return UNKNOWN;
      }
    }
    return value;
  }

  private void initialized() {
    if (walks != null) {
      return;
    }
    Schema current = SpecificData.get().getSchema(type);
    Schema.Field f = current.getField(field);
    if (f == null || f.schema().getType() != Schema.Type.LONG) {
      throw new IllegalArgumentException(
          current.getFullName() + " has no top-level long field " + field);
    }
    List<Schema> writers = new ArrayList<>();
    writers.add(current);
    for (String version : ShippedSchemas.releasedVersions()) {
      Schema old = ShippedSchemas.released(version).get(current.getFullName());
      if (old != null) {
        writers.add(old);
      }
    }
    Map<Long, RecordWalk> byFingerprint = new HashMap<>();
    for (Schema writer : writers) {
      byFingerprint.put(
          SchemaNormalization.parsingFingerprint64(writer), RecordWalk.of(writer, field));
    }
    walks = byFingerprint;
    json = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  }

  /** The message does not hold what its schema says; thrown without a stack trace. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super("malformed", null, false, false);
    }
  }

  /** A position in a message, reading Avro's binary primitives with every bound checked. */
  private static final class Cursor {
    final byte[] bytes;
    int pos;

    Cursor(byte[] bytes, int pos) {
      this.bytes = bytes;
      this.pos = pos;
    }

    long readLong() throws Malformed {
      long raw = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= bytes.length) {
          throw Malformed.INSTANCE;
        }
        int b = bytes[pos++] & 0xFF;
        raw |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw Malformed.INSTANCE; // more than ten bytes: Avro refuses it too
    }

    int readInt() throws Malformed {
      int raw = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= bytes.length) {
          throw Malformed.INSTANCE;
        }
        int b = bytes[pos++] & 0xFF;
        raw |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw Malformed.INSTANCE;
    }

    void skip(long n) throws Malformed {
      if (n < 0 || n > bytes.length - pos) {
        throw Malformed.INSTANCE;
      }
      pos += (int) n;
    }

    /**
     * A collection's item count, never more than the message has bytes (as the codec bounds it).
     */
    long count(long n) throws Malformed {
      if (n < 0 || n > bytes.length) {
        throw Malformed.INSTANCE;
      }
      return n;
    }
  }

  /** Steps over one value of a schema. */
  private interface Walk {
    void skip(Cursor in) throws Malformed;
  }

  /** The fields of the top-level record: those before the event time, it, and those after. */
  private static final class RecordWalk {
    final Walk[] fields;
    final int target;

    private RecordWalk(Walk[] fields, int target) {
      this.fields = fields;
      this.target = target;
    }

    static RecordWalk of(Schema writer, String field) {
      Map<String, Walk[]> records = new HashMap<>();
      Walk[] fields = fieldWalks(writer, records);
      Schema.Field f = writer.getField(field);
      int target = f != null && f.schema().getType() == Schema.Type.LONG ? f.pos() : -1;
      return new RecordWalk(fields, target);
    }

    long read(Cursor in) throws Malformed {
      for (int i = 0; i < target; i++) {
        fields[i].skip(in);
      }
      long value = in.readLong();
      for (int i = target + 1; i < fields.length; i++) {
        fields[i].skip(in);
      }
      return value;
    }

    /**
     * Walks for a record's fields; {@code records} holds those being built, for recursive schemas.
     */
    private static Walk[] fieldWalks(Schema record, Map<String, Walk[]> records) {
      Walk[] fields = new Walk[record.getFields().size()];
      records.put(record.getFullName(), fields);
      for (Schema.Field f : record.getFields()) {
        fields[f.pos()] = walk(f.schema(), records);
      }
      return fields;
    }

    private static Walk walk(Schema schema, Map<String, Walk[]> records) {
      switch (schema.getType()) {
        case NULL:
          return in -> {};
        case BOOLEAN:
          return in -> in.skip(1);
        case INT:
          return Cursor::readInt;
        case LONG:
          return Cursor::readLong;
        case FLOAT:
          return in -> in.skip(4);
        case DOUBLE:
          return in -> in.skip(8);
        case STRING:
        case BYTES:
          return in -> in.skip(in.readInt());
        case FIXED:
          int size = schema.getFixedSize();
          return in -> in.skip(size);
        case ENUM:
          int symbols = schema.getEnumSymbols().size();
          return in -> {
            int index = in.readInt();
            if (index < 0 || index >= symbols) {
              throw Malformed.INSTANCE;
            }
          };
        case UNION:
          Walk[] branches =
              schema.getTypes().stream().map(s -> walk(s, records)).toArray(Walk[]::new);
          return in -> {
            int index = in.readInt();
            if (index < 0 || index >= branches.length) {
              throw Malformed.INSTANCE;
            }
            branches[index].skip(in);
          };
        case ARRAY:
          Walk item = walk(schema.getElementType(), records);
          return in -> blocks(in, item, null);
        case MAP:
          Walk value = walk(schema.getValueType(), records);
          return in -> blocks(in, value, in2 -> in2.skip(in2.readInt()));
        case RECORD:
          Walk[] existing = records.get(schema.getFullName());
          Walk[] fields = existing != null ? existing : fieldWalks(schema, records);
          return in -> {
            for (Walk f : fields) {
              f.skip(in);
            }
          };
        default:
          throw new IllegalArgumentException("unsupported Avro type " + schema.getType());
      }
    }

    /**
     * An array's or map's blocks: a count (negative: followed by the block's byte size), then
     * items.
     */
    private static void blocks(Cursor in, Walk item, Walk key) throws Malformed {
      long count;
      while ((count = in.readLong()) != 0) {
        if (count < 0) {
          count = -count;
          in.readLong();
        }
        for (long i = in.count(count); i > 0; i--) {
          if (key != null) {
            key.skip(in);
          }
          item.skip(in);
        }
      }
    }
  }
}
