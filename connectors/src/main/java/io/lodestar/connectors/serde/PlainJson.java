package io.lodestar.connectors.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Converts between Avro records and a natural JSON encoding, driven by the record's schema, for
 * producers that cannot write Avro. Unlike Avro's own JSON encoding it has no union wrappers, so a
 * Python {@code json.dumps} of a dict with the right keys is a valid message.
 *
 * <p>Rules, by Avro type:
 *
 * <ul>
 *   <li><b>record</b>: a JSON object with the fields in schema order. On read, a field missing from
 *       the JSON takes the schema default; a missing field without a default is an error naming its
 *       path (e.g. {@code prompt[0].role}). Unknown JSON fields are ignored, so older readers
 *       accept messages from newer producers. An explicit {@code null} is only accepted where the
 *       type allows null.
 *   <li><b>union with null</b>: {@code null} or the bare value, never Avro's {@code {"string": ..}}
 *       wrapper. <b>Other unions</b>: written as the bare value of the branch the value belongs to;
 *       read by trying the branches in schema order, so a value that fits two branches (e.g. int
 *       and long) reads as the first.
 *   <li><b>enum</b>: the symbol as a string. An unknown symbol reads as the enum's default when it
 *       declares one (so producers may add symbols first), otherwise it is an error.
 *   <li><b>int, long</b>: a JSON integer. On read, a number outside the type's range is an error,
 *       and so is any number written with a fraction or exponent, {@code 3.0} included: such
 *       numbers parse as doubles, which cannot tell {@code 3.0000000000000000001} from 3.
 *   <li><b>float, double</b>: a JSON number; NaN and the infinities are the strings {@code "NaN"},
 *       {@code "Infinity"} and {@code "-Infinity"}, since JSON has no literal for them. On read, a
 *       number too large for the type is an error.
 *   <li><b>bytes, fixed</b>: a standard (RFC 4648, with padding) base64 string.
 *   <li><b>array</b>: a JSON array. <b>map</b>: a JSON object. <b>string</b>: a JSON string (a
 *       number is not accepted as a string). <b>boolean</b>: {@code true} or {@code false}.
 * </ul>
 *
 * <p>The parser rejects duplicate keys and anything after the top-level value. Every failure is a
 * {@link ConversionException} whose message names the field path and what was expected, but never
 * quotes the payload, so it is safe to log and to put into a dead letter. All methods are
 * thread-safe.
 */
public final class PlainJson {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String NAN = "NaN";
  private static final String POSITIVE_INFINITY = "Infinity";
  private static final String NEGATIVE_INFINITY = "-Infinity";

  /** A generated-class-aware model per record class, using that class's own class loader. */
  private static final ClassValue<SpecificData> MODELS =
      new ClassValue<>() {
        @Override
        protected SpecificData computeValue(Class<?> type) {
          return modelFor(type);
        }
      };

  private PlainJson() {}

  /** The JSON form of {@code record}, fields in schema order. */
  public static ObjectNode toJson(IndexedRecord record) {
    if (record == null) {
      throw new ConversionException("", "cannot convert a null record");
    }
    return (ObjectNode) write(record, record.getSchema(), Path.ROOT);
  }

  /** The JSON form of {@code record} as one line, without a trailing newline. */
  public static String toJsonString(IndexedRecord record) {
    ObjectNode json = toJson(record);
    try {
      return MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      // Only reachable through a Jackson bug: the tree holds nothing but plain nodes.
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /** Parses {@code json} into an instance of the generated class {@code type}. */
  public static <T extends SpecificRecord> T fromJson(String json, Class<T> type) {
    if (json == null) {
      throw new ConversionException("", "no JSON text (null)");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    }
    return fromJson(tree, type);
  }

  /** Converts a JSON tree into an instance of the generated class {@code type}. */
  public static <T extends SpecificRecord> T fromJson(JsonNode json, Class<T> type) {
    SpecificData model = MODELS.get(type);
    return type.cast(fromJson(json, model.getSchema(type), model));
  }

  /**
   * Converts a JSON tree into the generated class of the record {@code schema}, found through
   * Avro's default class lookup.
   *
   * @throws IllegalArgumentException if no generated class exists for {@code schema}
   */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> T fromJson(JsonNode json, Schema schema) {
    Object record = fromJson(json, schema, SpecificData.getForSchema(schema));
    if (!(record instanceof SpecificRecord)) {
      throw new IllegalArgumentException("no generated class for " + schema.getFullName());
    }
    return (T) record;
  }

  /** Converts a JSON tree into a record of {@code schema} as {@code model} represents it. */
  static Object fromJson(JsonNode json, Schema schema, GenericData model) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("not a record schema: " + schema.getFullName());
    }
    if (json == null) {
      throw new ConversionException("", "no JSON value (null)");
    }
    return read(json, schema, Path.ROOT, model);
  }

  /** Parses UTF-8 JSON text, with the same strictness as {@link #fromJson(String, Class)}. */
  static JsonNode parse(byte[] utf8) {
    try {
      return MAPPER.readTree(utf8);
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    } catch (IOException e) {
      throw new ConversionException(
          "", "cannot read the JSON text: " + e.getClass().getSimpleName());
    }
  }

  /** A model that finds generated classes through {@code type}'s class loader. */
  static SpecificData modelFor(Class<?> type) {
    SpecificData model = new SpecificData(type.getClassLoader());
    // Keep any logical-type conversions the generated class registers for itself.
    SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
    return model;
  }

  private static ConversionException invalidJson(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      // Says which limit (nesting depth, number length, ...) was hit, without quoting the input.
      return new ConversionException("", "JSON exceeds a parser limit: " + e.getOriginalMessage());
    }
    // Jackson's other messages quote the offending text; keep only where it went wrong.
    JsonLocation where = e.getLocation();
    String position =
        where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    return new ConversionException("", "not valid JSON" + position);
  }

  // ---------------------------------------------------------------- Avro -> JSON

  private static JsonNode write(Object value, Schema schema, Path path) {
    if (value == null
        && schema.getType() != Schema.Type.NULL
        && schema.getType() != Schema.Type.UNION) {
      throw new ConversionException(
          path, "null is not allowed for a non-nullable " + describe(schema));
    }
    switch (schema.getType()) {
      case RECORD:
        return writeRecord(require(value, IndexedRecord.class, schema, path), schema, path);
      case ENUM:
        return writeEnum(value, schema, path);
      case ARRAY:
        {
          ArrayNode array = NODES.arrayNode();
          int index = 0;
          Collection<?> elements = require(value, Collection.class, schema, path);
          for (Object element : elements) {
            array.add(write(element, schema.getElementType(), path.index(index++)));
          }
          return array;
        }
      case MAP:
        {
          ObjectNode object = NODES.objectNode();
          Map<?, ?> map = require(value, Map.class, schema, path);
          for (Map.Entry<?, ?> entry : map.entrySet()) {
            object.set(
                String.valueOf(entry.getKey()),
                write(entry.getValue(), schema.getValueType(), path.mapValue()));
          }
          return object;
        }
      case UNION:
        return write(value, schema.getTypes().get(unionBranch(value, schema, path)), path);
      case FIXED:
        return NODES.textNode(
            Base64.getEncoder()
                .encodeToString(require(value, GenericFixed.class, schema, path).bytes()));
      case STRING:
        return NODES.textNode(require(value, CharSequence.class, schema, path).toString());
      case BYTES:
        {
          ByteBuffer buffer = require(value, ByteBuffer.class, schema, path).duplicate();
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
      case INT:
        return NODES.numberNode(require(value, Number.class, schema, path).intValue());
      case LONG:
        return NODES.numberNode(require(value, Number.class, schema, path).longValue());
      case FLOAT:
        {
          float number = require(value, Number.class, schema, path).floatValue();
          return Float.isFinite(number)
              ? NODES.numberNode(number)
              : NODES.textNode(nonFiniteName(number));
        }
      case DOUBLE:
        {
          double number = require(value, Number.class, schema, path).doubleValue();
          return Double.isFinite(number)
              ? NODES.numberNode(number)
              : NODES.textNode(nonFiniteName(number));
        }
      case BOOLEAN:
        return NODES.booleanNode(require(value, Boolean.class, schema, path));
      case NULL:
        if (value != null) {
          throw new ConversionException(path, "expected null for a null type");
        }
        return NODES.nullNode();
      default:
        throw new ConversionException(path, "unsupported Avro type " + schema.getType());
    }
  }

  private static ObjectNode writeRecord(IndexedRecord record, Schema schema, Path path) {
    ObjectNode object = NODES.objectNode();
    for (Schema.Field field : schema.getFields()) {
      object.set(
          field.name(), write(record.get(field.pos()), field.schema(), path.field(field.name())));
    }
    return object;
  }

  private static JsonNode writeEnum(Object value, Schema schema, Path path) {
    if (!(value instanceof GenericEnumSymbol
        || value instanceof Enum
        || value instanceof CharSequence)) {
      throw wrongJavaType(value, schema, path);
    }
    String symbol = value.toString();
    if (!schema.hasEnumSymbol(symbol)) {
      throw new ConversionException(path, "not a symbol of enum " + schema.getFullName());
    }
    return NODES.textNode(symbol);
  }

  private static int unionBranch(Object value, Schema union, Path path) {
    try {
      return SpecificData.get().resolveUnion(union, value);
    } catch (UnresolvedUnionException e) {
      String found = value == null ? "null" : "a " + value.getClass().getSimpleName();
      throw new ConversionException(path, found + " fits no branch of " + describe(union));
    }
  }

  private static String nonFiniteName(double number) {
    if (Double.isNaN(number)) {
      return NAN;
    }
    return number > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
  }

  private static <V> V require(Object value, Class<V> javaType, Schema schema, Path path) {
    if (!javaType.isInstance(value)) {
      throw wrongJavaType(value, schema, path);
    }
    return javaType.cast(value);
  }

  private static ConversionException wrongJavaType(Object value, Schema schema, Path path) {
    return new ConversionException(
        path, "a " + value.getClass().getName() + " cannot be written as " + describe(schema));
  }

  // ---------------------------------------------------------------- JSON -> Avro

  private static Object read(JsonNode node, Schema schema, Path path, GenericData model) {
    switch (schema.getType()) {
      case RECORD:
        return readRecord(node, schema, path, model);
      case ENUM:
        return readEnum(node, schema, path, model);
      case ARRAY:
        {
          expect(node.isArray(), node, schema, path);
          List<Object> list = new ArrayList<>(node.size());
          for (int i = 0; i < node.size(); i++) {
            list.add(read(node.get(i), schema.getElementType(), path.index(i), model));
          }
          return list;
        }
      case MAP:
        {
          expect(node.isObject(), node, schema, path);
          Map<String, Object> map = new LinkedHashMap<>();
          for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            map.put(
                entry.getKey(),
                read(entry.getValue(), schema.getValueType(), path.mapValue(), model));
          }
          return map;
        }
      case UNION:
        return readUnion(node, schema, path, model);
      case FIXED:
        {
          byte[] bytes = readBase64(node, schema, path);
          if (bytes.length != schema.getFixedSize()) {
            String problem =
                String.format(
                    "expected %d bytes for %s, found %d",
                    schema.getFixedSize(), describe(schema), bytes.length);
            throw new ConversionException(path, problem);
          }
          return model.createFixed(null, bytes, schema);
        }
      case STRING:
        expect(node.isTextual(), node, schema, path);
        return node.textValue();
      case BYTES:
        return ByteBuffer.wrap(readBase64(node, schema, path));
      case INT:
        return (int) readIntegral(node, schema, Integer.MIN_VALUE, Integer.MAX_VALUE, path);
      case LONG:
        return readIntegral(node, schema, Long.MIN_VALUE, Long.MAX_VALUE, path);
      case FLOAT:
        return readFloat(node, schema, path);
      case DOUBLE:
        return readDouble(node, schema, path);
      case BOOLEAN:
        expect(node.isBoolean(), node, schema, path);
        return node.booleanValue();
      case NULL:
        expect(node.isNull(), node, schema, path);
        return null;
      default:
        throw new ConversionException(path, "unsupported Avro type " + schema.getType());
    }
  }

  private static Object readRecord(JsonNode node, Schema schema, Path path, GenericData model) {
    expect(node.isObject(), node, schema, path);
    IndexedRecord record = (IndexedRecord) model.newRecord(null, schema);
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = node.get(field.name());
      Object converted;
      if (value != null) {
        converted = read(value, field.schema(), path.field(field.name()), model);
      } else if (field.hasDefaultValue()) {
        // Avro caches one default per field: copy it, or records would share a mutable list.
        converted = model.deepCopy(field.schema(), model.getDefaultValue(field));
      } else {
        throw new ConversionException(path.field(field.name()), "required field is missing");
      }
      record.put(field.pos(), converted);
    }
    return record;
  }

  private static Object readEnum(JsonNode node, Schema schema, Path path, GenericData model) {
    expect(node.isTextual(), node, schema, path);
    String symbol = node.textValue();
    if (schema.hasEnumSymbol(symbol)) {
      return model.createEnum(symbol, schema);
    }
    if (schema.getEnumDefault() != null) {
      return model.createEnum(schema.getEnumDefault(), schema);
    }
    throw new ConversionException(
        path, "unknown symbol for enum " + schema.getFullName() + ", which has no default symbol");
  }

  private static Object readUnion(JsonNode node, Schema union, Path path, GenericData model) {
    List<Schema> candidates = new ArrayList<>(union.getTypes().size());
    for (Schema branch : union.getTypes()) {
      if (branch.getType() == Schema.Type.NULL) {
        if (node.isNull()) {
          return null;
        }
      } else {
        candidates.add(branch);
      }
    }
    if (candidates.size() == 1) {
      // The common ["null", T] case: T's own error is the most useful message.
      return read(node, candidates.get(0), path, model);
    }
    for (Schema branch : candidates) {
      try {
        return read(node, branch, path, model);
      } catch (ConversionException notThisBranch) {
        // try the next branch
      }
    }
    throw new ConversionException(path, jsonType(node) + " fits no branch of " + describe(union));
  }

  private static long readIntegral(JsonNode node, Schema schema, long min, long max, Path path) {
    expect(node.isNumber(), node, schema, path);
    if (!node.isIntegralNumber()) {
      // Parsed as a double, "3.0000000000000000001" is already 3.0: only integer syntax is exact.
      String problem = "expected an integer for %s, found a number with a fraction or exponent";
      throw new ConversionException(path, String.format(problem, describe(schema)));
    }
    if (node.canConvertToLong()) {
      long value = node.longValue();
      if (value >= min && value <= max) {
        return value;
      }
    }
    throw new ConversionException(path, "integer out of range for " + describe(schema));
  }

  private static float readFloat(JsonNode node, Schema schema, Path path) {
    if (node.isTextual()) {
      return (float) readNonFinite(node, schema, path);
    }
    expect(node.isNumber(), node, schema, path);
    float value = node.floatValue();
    if (!Float.isFinite(value)) {
      throw new ConversionException(path, "number out of range for " + describe(schema));
    }
    return value;
  }

  private static double readDouble(JsonNode node, Schema schema, Path path) {
    if (node.isTextual()) {
      return readNonFinite(node, schema, path);
    }
    expect(node.isNumber(), node, schema, path);
    double value = node.doubleValue();
    if (!Double.isFinite(value)) {
      throw new ConversionException(path, "number out of range for " + describe(schema));
    }
    return value;
  }

  private static double readNonFinite(JsonNode node, Schema schema, Path path) {
    switch (node.textValue()) {
      case NAN:
        return Double.NaN;
      case POSITIVE_INFINITY:
        return Double.POSITIVE_INFINITY;
      case NEGATIVE_INFINITY:
        return Double.NEGATIVE_INFINITY;
      default:
        String problem =
            "expected a number or one of \"NaN\", \"Infinity\", \"-Infinity\" for %s,"
                + " found another string";
        throw new ConversionException(path, String.format(problem, describe(schema)));
    }
  }

  private static byte[] readBase64(JsonNode node, Schema schema, Path path) {
    expect(node.isTextual(), node, schema, path);
    try {
      return Base64.getDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new ConversionException(
          path,
          "expected base64 text for " + describe(schema) + ", found a string that is not base64");
    }
  }

  private static void expect(boolean matches, JsonNode node, Schema schema, Path path) {
    if (!matches) {
      String problem =
          String.format(
              "expected %s for %s, found %s",
              expectedJson(schema), describe(schema), jsonType(node));
      throw new ConversionException(path, problem);
    }
  }

  private static String expectedJson(Schema schema) {
    switch (schema.getType()) {
      case RECORD:
      case MAP:
        return "an object";
      case ARRAY:
        return "an array";
      case ENUM:
        return "a symbol string";
      case STRING:
        return "a string";
      case BYTES:
      case FIXED:
        return "a base64 string";
      case INT:
      case LONG:
        return "an integer";
      case FLOAT:
      case DOUBLE:
        return "a number";
      case BOOLEAN:
        return "true or false";
      default:
        return "null";
    }
  }

  private static String jsonType(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      case STRING:
        return "a string";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case NULL:
        return "null";
      default:
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
  }

  private static String describe(Schema schema) {
    switch (schema.getType()) {
      case RECORD:
      case ENUM:
      case FIXED:
        return schema.getType().getName() + " " + schema.getFullName();
      case ARRAY:
        return "array of " + describe(schema.getElementType());
      case MAP:
        return "map of " + describe(schema.getValueType());
      case UNION:
        {
          List<String> branches = new ArrayList<>();
          for (Schema branch : schema.getTypes()) {
            branches.add(describe(branch));
          }
          return "union " + branches;
        }
      default:
        return schema.getType().getName();
    }
  }

  /**
   * Where in the record a value sits, built as a chain so a path is only rendered when an error
   * needs it. Map keys are payload, so a map value renders as {@code [*]}.
   */
  private static final class Path {
    private static final int NOT_AN_ELEMENT = -1;
    private static final int MAP_VALUE = -2;

    static final Path ROOT = new Path(null, null, NOT_AN_ELEMENT);

    private final Path parent;
    private final String field;
    private final int index;

    private Path(Path parent, String field, int index) {
      this.parent = parent;
      this.field = field;
      this.index = index;
    }

    Path field(String name) {
      return new Path(this, name, NOT_AN_ELEMENT);
    }

    Path index(int position) {
      return new Path(this, null, position);
    }

    Path mapValue() {
      return new Path(this, null, MAP_VALUE);
    }

    @Override
    public String toString() {
      if (parent == null) {
        return "";
      }
      String prefix = parent.toString();
      if (field != null) {
        return prefix.isEmpty() ? field : prefix + "." + field;
      }
      return prefix + (index == MAP_VALUE ? "[*]" : "[" + index + "]");
    }
  }

  /** A value that does not fit the schema, or JSON that cannot be parsed. */
  public static final class ConversionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String path;

    ConversionException(Path path, String problem) {
      this(path.toString(), problem);
    }

    ConversionException(String path, String problem) {
      super(path.isEmpty() ? problem : path + ": " + problem);
      this.path = path;
    }

    /** Where the problem is, e.g. {@code prompt[0].role}; empty for the message as a whole. */
    public String path() {
      return path;
    }
  }
}
