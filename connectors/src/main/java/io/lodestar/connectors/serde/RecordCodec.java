package io.lodestar.connectors.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.lodestar.schemas.ShippedSchemas;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes and decodes one generated record type on the wire, in either {@link WireFormat}.
 *
 * <p>{@link #decode} tells the formats apart by their first bytes: {@code 0xC3 0x01} is Avro
 * single-object encoding (header, 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, binary body), resolved against every schema version this build ships (see {@link
 * ShippedSchemas}), so data from any released producer reads as the current class; a first
 * non-whitespace byte {@code '{'} is {@link PlainJson}. Decoding never throws for any input: every
 * problem is a {@link DecodeResult#failure failure} with a {@link DecodeErrors} kind and a short
 * reason that never quotes the payload.
 *
 * <p>The codec is {@link Serializable} so it can travel inside Flink functions; its Avro machinery
 * is transient and built on first use. An instance is <b>not</b> thread-safe: use one per thread
 * (one per parallel Flink subtask is the natural fit).
 *
 * @param <T> the generated record class
 */
public final class RecordCodec<T extends SpecificRecordBase> implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The largest message {@link #decode} parses unless told otherwise: 8 MiB. */
  public static final int DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

  private static final int MAX_REASON_LENGTH = 300;
  private static final byte AVRO_MAGIC_0 = (byte) 0xC3;
  private static final byte AVRO_MAGIC_1 = 0x01;
  // Two magic bytes, then the 8-byte fingerprint.
  private static final int AVRO_PREFIX_LENGTH = 10;

  private final Class<T> type;
  private final int maxBytes;

  private transient Schema schema;
  private transient BoundedSpecificData model;
  private transient SchemaStore store;
  private transient BinaryMessageEncoder<T> encoder;
  private transient BinaryMessageDecoder<T> decoder;
  private transient ByteArrayOutputStream encodeBuffer;

  private RecordCodec(Class<T> type, int maxBytes) {
    this.type = Objects.requireNonNull(type, "type");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** A codec for {@code type} that refuses messages over {@link #DEFAULT_MAX_BYTES}. */
  public static <T extends SpecificRecordBase> RecordCodec<T> of(Class<T> type) {
    return of(type, DEFAULT_MAX_BYTES);
  }

  /**
   * A codec for {@code type} that refuses messages over {@code maxBytes}.
   *
   * @throws IllegalStateException if Avro may not instantiate {@code type} in this JVM (its package
   *     must be listed in {@code org.apache.avro.SERIALIZABLE_PACKAGES})
   */
  public static <T extends SpecificRecordBase> RecordCodec<T> of(Class<T> type, int maxBytes) {
    RecordCodec<T> codec = new RecordCodec<>(type, maxBytes);
    // Fail where the job is built rather than on the first record.
    codec.initialized();
    return codec;
  }

  public Class<T> type() {
    return type;
  }

  /** The current (reader) schema, as compiled into the generated class. */
  public Schema schema() {
    return initialized().schema;
  }

  public int maxBytes() {
    return maxBytes;
  }

  /** {@code record} in {@code format}: Avro single-object bytes, or UTF-8 {@link PlainJson}. */
  public byte[] encode(T record, WireFormat format) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(format, "format");
    initialized();
    switch (format) {
      case AVRO:
        encodeBuffer.reset();
        try {
          encoder.encode(record, encodeBuffer);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot encode " + schema.getFullName(), e);
        }
        return encodeBuffer.toByteArray();
      case JSON:
        return PlainJson.toJsonString(record).getBytes(StandardCharsets.UTF_8);
      default:
        throw new IllegalArgumentException("unsupported wire format " + format);
    }
  }

  /**
   * Decodes one message; never throws for any input, null and empty included.
   *
   * <p>The one exception is a codec that cannot set itself up in this JVM (see {@link #of(Class,
   * int)}): that is not a property of the message and would fail every record the same way, so it
   * is thrown as {@link IllegalStateException} instead of being reported per message.
   */
  public DecodeResult<T> decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return DecodeResult.failure(DecodeErrors.EMPTY, "message has no bytes");
    }
    if (bytes.length > maxBytes) {
      return DecodeResult.failure(
          DecodeErrors.OVERSIZED,
          "message of " + bytes.length + " bytes exceeds the limit of " + maxBytes + " bytes");
    }
    initialized();
    try {
      if (bytes[0] == AVRO_MAGIC_0 && bytes.length > 1 && bytes[1] == AVRO_MAGIC_1) {
        return decodeAvro(bytes);
      }
      if (firstNonWhitespace(bytes) == '{') {
        return decodeJson(bytes);
      }
      return DecodeResult.failure(
          DecodeErrors.UNRECOGNIZED_ENCODING,
          String.format(
              "neither Avro single-object encoding (C3 01) nor a JSON object; first byte is"
                  + " 0x%02X%s",
              bytes[0], bytes[0] == 0 ? " (Confluent Schema Registry framing?)" : ""));
    } catch (StackOverflowError e) {
      return DecodeResult.failure(DecodeErrors.MALFORMED, "message is nested too deeply to decode");
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      return DecodeResult.failure(DecodeErrors.MALFORMED, describe(e));
    }
  }

  /** Longest id {@link #readableId} reports; longer values are not ids a validator would accept. */
  static final int MAX_READABLE_ID_CHARS = 256;

  /**
   * The top-level string {@code field} of a message that may not decode as a whole, read as far as
   * the message allows: in JSON, its first occurrence before any syntax error; in Avro, when the
   * writer schema is shipped and has the field first, as a string. Null when it cannot be read, is
   * blank, or is longer than {@value #MAX_READABLE_ID_CHARS} characters. Never throws for any
   * input: it only names the record in a dead letter.
   */
  public String readableId(byte[] bytes, String field) {
    if (bytes == null || bytes.length == 0 || bytes.length > maxBytes || field == null) {
      return null;
    }
    try {
      String id;
      if (bytes[0] == AVRO_MAGIC_0 && bytes.length > 1 && bytes[1] == AVRO_MAGIC_1) {
        id = firstAvroString(bytes, field);
      } else if (firstNonWhitespace(bytes) == '{') {
        id = jsonTopLevelString(bytes, field);
      } else {
        id = null;
      }
      return id == null || id.isBlank() || id.length() > MAX_READABLE_ID_CHARS ? null : id;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      return null;
    }
  }

  private String firstAvroString(byte[] bytes, String field) {
    if (bytes.length < AVRO_PREFIX_LENGTH) {
      return null;
    }
    initialized();
    Schema writer = store.findByFingerprint(littleEndianLong(bytes, 2));
    if (writer == null
        || writer.getFields().isEmpty()
        || !writer.getFields().get(0).name().equals(field)
        || writer.getFields().get(0).schema().getType() != Schema.Type.STRING) {
      return null;
    }
    // A string is a zig-zag varint length, then that many UTF-8 bytes.
    int at = AVRO_PREFIX_LENGTH;
    long raw = 0;
    int shift = 0;
    while (true) {
      if (at >= bytes.length || shift > 63) {
        return null;
      }
      int b = bytes[at++] & 0xFF;
      raw |= (long) (b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    long length = (raw >>> 1) ^ -(raw & 1);
    if (length < 0 || length > 4L * MAX_READABLE_ID_CHARS || length > bytes.length - at) {
      return null;
    }
    return new String(bytes, at, (int) length, StandardCharsets.UTF_8);
  }

  private static String jsonTopLevelString(byte[] bytes, String field) throws IOException {
    try (JsonParser parser = JSON_IDS.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken token;
      while ((token = parser.nextToken()) != null && token != JsonToken.END_OBJECT) {
        // Here token is a field name of the top-level object.
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals(name)) {
          return value == JsonToken.VALUE_STRING ? parser.getText() : null;
        }
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
        }
      }
      return null;
    }
  }

  private static final JsonFactory JSON_IDS = new JsonFactory();

  /** The decoded record, or an {@link IllegalArgumentException} naming the kind and reason. */
  public T decodeOrThrow(byte[] bytes) {
    DecodeResult<T> result = decode(bytes);
    if (!result.isOk()) {
      throw new IllegalArgumentException(result.errorKind() + ": " + result.reason());
    }
    return result.value();
  }

  /** {@code record} as one line of {@link PlainJson}. */
  public String toJson(T record) {
    return PlainJson.toJsonString(record);
  }

  /**
   * Parses {@link PlainJson}; throws {@link PlainJson.ConversionException} when it does not fit.
   */
  public T fromJson(String json) {
    return PlainJson.fromJson(json, type);
  }

  @Override
  public String toString() {
    return "RecordCodec[" + type.getName() + ", maxBytes=" + maxBytes + "]";
  }

  private DecodeResult<T> decodeAvro(byte[] bytes) throws IOException {
    if (bytes.length < AVRO_PREFIX_LENGTH) {
      String reason =
          String.format(
              "Avro single-object header is cut short: %d of %d bytes",
              bytes.length, AVRO_PREFIX_LENGTH);
      return DecodeResult.failure(DecodeErrors.MALFORMED, reason);
    }
    long fingerprint = littleEndianLong(bytes, 2);
    if (store.findByFingerprint(fingerprint) == null) {
      return unknownSchema(fingerprint);
    }
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    model.limitTo(bytes.length);
    T record;
    try {
      record = decoder.decode(in, null);
    } catch (MissingSchemaException e) {
      return unknownSchema(fingerprint);
    }
    // The decoder reads the stream unbuffered, so anything left over was not part of the record.
    if (in.available() > 0) {
      return DecodeResult.failure(
          DecodeErrors.MALFORMED,
          in.available() + " bytes left over after the end of the Avro record");
    }
    return DecodeResult.ok(record);
  }

  private DecodeResult<T> unknownSchema(long fingerprint) {
    return DecodeResult.failure(
        DecodeErrors.UNKNOWN_SCHEMA,
        String.format(
            "no shipped version of %s has writer schema fingerprint 0x%016X",
            schema.getFullName(), fingerprint));
  }

  private DecodeResult<T> decodeJson(byte[] bytes) {
    Object record = PlainJson.fromJson(PlainJson.parse(bytes), schema, model);
    return DecodeResult.ok(type.cast(record));
  }

  private RecordCodec<T> initialized() {
    if (decoder == null) {
      BoundedSpecificData avro = new BoundedSpecificData(type.getClassLoader());
      SpecificData.getForClass(type).getConversions().forEach(avro::addLogicalTypeConversion);
      Schema readerSchema = avro.getSchema(type);
      requireInstantiable(avro, readerSchema);
      SchemaStore shipped = ShippedSchemas.storeFor(readerSchema);

      schema = readerSchema;
      model = avro;
      store = shipped;
      encoder = new BinaryMessageEncoder<>(avro, readerSchema);
      encodeBuffer = new ByteArrayOutputStream(512);
      decoder = new BinaryMessageDecoder<>(avro, readerSchema, shipped);
    }
    return this;
  }

  private void requireInstantiable(SpecificData avro, Schema readerSchema) {
    Class<?> generated;
    try {
      generated = avro.getClass(readerSchema);
    } catch (SecurityException e) {
      String advice =
          "add its package to the system property org.apache.avro.SERIALIZABLE_PACKAGES";
      throw new IllegalStateException(
          "Avro may not instantiate " + type.getName() + ": " + advice, e);
    }
    if (generated != type) {
      throw new IllegalStateException(
          String.format(
              "Avro resolves %s to %s, not %s",
              readerSchema.getFullName(), generated, type.getName()));
    }
  }

  private static int firstNonWhitespace(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b;
      }
    }
    return -1;
  }

  private static long littleEndianLong(byte[] bytes, int offset) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (bytes[offset + i] & 0xFFL);
    }
    return value;
  }

  /** A one-line reason from the root cause; messages from Avro and PlainJson never quote data. */
  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason;
    if (root instanceof EOFException) {
      reason = "message ends before the record does (truncated?)";
    } else if (root instanceof PlainJson.ConversionException) {
      reason = root.getMessage();
    } else {
      String message = root.getMessage();
      reason = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
    reason = reason.replaceAll("\\s+", " ").trim();
    return reason.length() <= MAX_REASON_LENGTH
        ? reason
        : reason.substring(0, MAX_REASON_LENGTH - 3) + "...";
  }
}
