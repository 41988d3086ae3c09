package io.lodestar.connectors.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schemas.ShippedSchemas;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordCodecTest {

  private static final Set<String> ERROR_KINDS =
      Set.of(
          DecodeErrors.EMPTY,
          DecodeErrors.OVERSIZED,
          DecodeErrors.UNRECOGNIZED_ENCODING,
          DecodeErrors.UNKNOWN_SCHEMA,
          DecodeErrors.MALFORMED);

  private final RecordCodec<Generation> generations = RecordCodec.of(Generation.class);

  static Stream<Arguments> samplesInEveryFormat() {
    List<Arguments> cases = new ArrayList<>();
    SampleRecords.all()
        .forEach(
            record -> {
              for (WireFormat format : WireFormat.values()) {
                cases.add(Arguments.of(format, record));
              }
            });
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samplesInEveryFormat")
  <T extends SpecificRecordBase> void everyRecordTypeRoundTripsInBothFormats(
      WireFormat format, T record) {
    @SuppressWarnings("unchecked")
    RecordCodec<T> codec = RecordCodec.of((Class<T>) record.getClass());

    DecodeResult<T> result = codec.decode(codec.encode(record, format));

    assertThat(result.isOk()).as("%s", result).isTrue();
    assertThat(result.value()).isEqualTo(record).isInstanceOf(record.getClass());
  }

  @Test
  void avroEncodingIsSingleObjectWithTheCurrentSchemaFingerprint() {
    byte[] bytes = generations.encode(SampleRecords.generation(), WireFormat.AVRO);

    assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint)
        .isEqualTo(SchemaNormalization.parsingFingerprint64(Generation.getClassSchema()));
  }

  @Test
  void avroEncodingMatchesAvrosOwnEncoder() throws IOException {
    Generation generation = SampleRecords.generation();

    byte[] ours = generations.encode(generation, WireFormat.AVRO);
    ByteBuffer avros = Generation.getEncoder().encode(generation);

    assertThat(ByteBuffer.wrap(ours)).isEqualTo(avros);
  }

  @Test
  void jsonEncodingIsPlainJsonInUtf8() {
    Generation generation = SampleRecords.generation();

    byte[] bytes = generations.encode(generation, WireFormat.JSON);

    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo(PlainJson.toJsonString(generation));
    assertThat(generations.toJson(generation)).isEqualTo(PlainJson.toJsonString(generation));
    assertThat(generations.fromJson(generations.toJson(generation))).isEqualTo(generation);
  }

  @Test
  void jsonWithLeadingWhitespaceIsRecognised() {
    byte[] bytes =
        (" \t\r\n" + generations.toJson(SampleRecords.generation()))
            .getBytes(StandardCharsets.UTF_8);

    assertThat(generations.decodeOrThrow(bytes)).isEqualTo(SampleRecords.generation());
  }

  @Test
  void jsonMissingOptionalFieldsDecodesWithDefaults() {
    byte[] bytes =
        ("{\"generationId\":\"g\",\"promptId\":\"p\",\"groupId\":\"grp\",\"prompt\":[],"
                + "\"response\":\"r\",\"task\":{},\"policy\":{\"modelId\":\"m\"},\"createdAtMs\":1,"
                + "\"someFutureField\":true}")
            .getBytes(StandardCharsets.UTF_8);

    Generation generation = generations.decodeOrThrow(bytes);

    assertThat(generation.getResponseLogprobs()).isNull();
    assertThat(generation.getConsentToTrain()).isFalse();
    assertThat(generation.getPolicy().getPolicyVersion()).isZero();
  }

  @Test
  void jsonWithAnUnknownEnumSymbolFallsBackToTheEnumDefault() {
    String json =
        generations
            .toJson(SampleRecords.generation())
            .replace("\"finishReason\":\"TOOL_CALLS\"", "\"finishReason\":\"CONTENT_FILTER\"");

    Generation generation = generations.decodeOrThrow(json.getBytes(StandardCharsets.UTF_8));

    assertThat(generation.getFinishReason()).isEqualTo(FinishReason.UNKNOWN);
  }

  @Test
  void jsonMissingARequiredFieldIsMalformedNamingIt() {
    byte[] bytes =
        ("{\"generationId\":\"g\",\"promptId\":\"p\",\"groupId\":\"grp\","
                + "\"prompt\":[{\"content\":\"hi\"}],\"response\":\"r\",\"task\":{},"
                + "\"policy\":{\"modelId\":\"m\"},"
                + "\"createdAtMs\":1}")
            .getBytes(StandardCharsets.UTF_8);

    DecodeResult<Generation> result = generations.decode(bytes);

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(result.reason()).isEqualTo("prompt[0].role: required field is missing");
  }

  @Test
  void emptyAndNullMessagesAreEmpty() {
    assertThat(generations.decode(null).errorKind()).isEqualTo(DecodeErrors.EMPTY);
    assertThat(generations.decode(new byte[0]).errorKind()).isEqualTo(DecodeErrors.EMPTY);
  }

  @Test
  void messagesOverTheLimitAreOversizedWithoutBeingParsed() {
    byte[] avro = generations.encode(SampleRecords.generation(), WireFormat.AVRO);
    RecordCodec<Generation> small = RecordCodec.of(Generation.class, avro.length - 1);

    assertThat(small.decode(avro).errorKind()).isEqualTo(DecodeErrors.OVERSIZED);
    assertThat(small.decode(avro).reason())
        .isEqualTo(
            "message of "
                + avro.length
                + " bytes exceeds the limit of "
                + (avro.length - 1)
                + " bytes");
    assertThat(RecordCodec.of(Generation.class, avro.length).decode(avro).isOk()).isTrue();
  }

  @Test
  void aWriterSchemaThisBuildDoesNotShipIsUnknownSchemaWithItsFingerprintInHex()
      throws IOException {
    Schema newer = generationWithExtraField();
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer)
            .encode(newerGeneration(newer))
            .array();

    DecodeResult<Generation> result = generations.decode(bytes);

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.UNKNOWN_SCHEMA);
    assertThat(result.reason())
        .contains(
            String.format("%016X", SchemaNormalization.parsingFingerprint64(newer)),
            "io.lodestar.schema.Generation");
  }

  @Test
  void aWriterSchemaWithAnExtraFieldResolvesToTheCurrentClassOnceItIsInTheStore()
      throws IOException {
    // The codec's store is fixed to the shipped versions; this drives the same bounded model and
    // message decoder with one more writer version, the way a new release would add it.
    Schema newer = generationWithExtraField();
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer)
            .encode(newerGeneration(newer))
            .array();
    SchemaStore.Cache store = ShippedSchemas.storeFor(Generation.getClassSchema());
    store.addSchema(newer);
    BoundedSpecificData model = new BoundedSpecificData(Generation.class.getClassLoader());
    model.limitTo(bytes.length);
    BinaryMessageDecoder<Generation> decoder =
        new BinaryMessageDecoder<>(model, Generation.getClassSchema(), store);

    Generation generation = decoder.decode(bytes);

    assertThat(generation.getGenerationId()).isEqualTo("g-newer");
    assertThat(generation.getPrompt()).containsExactly(new ChatMessage("user", "hi"));
    assertThat(generation.getResponseTokenIds()).containsExactly(5, 6);
  }

  @Test
  void dataWrittenWithTheReleasedSchemaFileDecodes() throws IOException {
    // A producer using the shipped .avsc with generic records, not the generated classes.
    String latest =
        ShippedSchemas.releasedVersions().get(ShippedSchemas.releasedVersions().size() - 1);
    Schema released = ShippedSchemas.released(latest).get("io.lodestar.schema.ChatMessage");
    GenericRecord message = new GenericData.Record(released);
    message.put("role", "user");
    message.put("content", "hello");
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released)
            .encode(message)
            .array();

    ChatMessage decoded = RecordCodec.of(ChatMessage.class).decodeOrThrow(bytes);

    assertThat(decoded).isEqualTo(new ChatMessage("user", "hello"));
  }

  @Test
  void anotherRecordTypeIsUnknownSchema() {
    byte[] feedback =
        RecordCodec.of(Feedback.class).encode(SampleRecords.feedback(), WireFormat.AVRO);

    assertThat(generations.decode(feedback).errorKind()).isEqualTo(DecodeErrors.UNKNOWN_SCHEMA);
  }

  @Test
  void bytesAfterTheAvroRecordAreMalformed() {
    byte[] valid = generations.encode(SampleRecords.generation(), WireFormat.AVRO);
    byte[] padded = Arrays.copyOf(valid, valid.length + 3);

    DecodeResult<Generation> result = generations.decode(padded);

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(result.reason()).isEqualTo("3 bytes left over after the end of the Avro record");
  }

  @Test
  void aLoneAvroHeaderIsMalformed() {
    DecodeResult<Generation> result = generations.decode(new byte[] {(byte) 0xC3, 0x01});

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(result.reason()).isEqualTo("Avro single-object header is cut short: 2 of 10 bytes");
  }

  @Test
  void aHeaderWithoutABodyIsMalformed() {
    byte[] valid = generations.encode(SampleRecords.generation(), WireFormat.AVRO);

    DecodeResult<Generation> result = generations.decode(Arrays.copyOf(valid, 10));

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(result.reason()).isEqualTo("message ends before the record does (truncated?)");
  }

  @Test
  void aHostileStringLengthFailsWithoutAllocatingIt() {
    // A 2 GiB length prefix in a 20-byte message: Avro alone would allocate it and run out of heap.
    byte[] bytes =
        avroMessage(Generation.getClassSchema(), zigZag(Integer.MAX_VALUE - 16), new byte[8]);

    DecodeResult<Generation> result = generations.decode(bytes);

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(result.reason())
        .contains("length prefix 2147483631 is longer than the " + bytes.length + "-byte message");
  }

  @Test
  void hostileCollectionCountsFailWithoutAllocatingThem() {
    // generationId "g", requestId null, promptId "p", groupId "g", two null ints, then the prompt
    // count.
    byte[] fieldsBeforePrompt = {2, 'g', 0, 2, 'p', 2, 'g', 0, 0};

    for (long count : new long[] {Integer.MAX_VALUE - 16, 1L << 40, -(Integer.MAX_VALUE - 16)}) {
      byte[] body = concat(fieldsBeforePrompt, zigZag(count), zigZag(4), new byte[8]);
      DecodeResult<Generation> result =
          generations.decode(avroMessage(Generation.getClassSchema(), body));

      assertThat(result.errorKind()).as("count %s", count).isEqualTo(DecodeErrors.MALFORMED);
    }
  }

  @Test
  void aHostileMapCountFailsWithoutAllocatingIt() {
    // TaskMetadata: dataSource "d", kind 0, groundTruth null, no unit tests, then the extra map's
    // count.
    byte[] body = concat(new byte[] {2, 'd', 0, 0, 0}, zigZag(Integer.MAX_VALUE - 16), new byte[8]);

    DecodeResult<TaskMetadata> result =
        RecordCodec.of(TaskMetadata.class).decode(avroMessage(TaskMetadata.getClassSchema(), body));

    assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
  }

  @Test
  void theBoundedModelKeepsAvrosFastReader() {
    // Avro switches the fast reader off for subclasses of SpecificData; losing it halves decode
    // speed.
    assertThat(new BoundedSpecificData(getClass().getClassLoader()).isFastReaderEnabled()).isTrue();
  }

  @Test
  void unrecognizedEncodingNamesTheFirstByte() {
    DecodeResult<Generation> text = generations.decode("hello".getBytes(StandardCharsets.UTF_8));
    DecodeResult<Generation> confluent = generations.decode(new byte[] {0, 0, 0, 0, 1, 2});
    DecodeResult<Generation> jsonArray =
        generations.decode("  [1]".getBytes(StandardCharsets.UTF_8));

    assertThat(text.errorKind()).isEqualTo(DecodeErrors.UNRECOGNIZED_ENCODING);
    assertThat(text.reason()).endsWith("first byte is 0x68");
    assertThat(confluent.reason())
        .endsWith("first byte is 0x00 (Confluent Schema Registry framing?)");
    assertThat(jsonArray.errorKind()).isEqualTo(DecodeErrors.UNRECOGNIZED_ENCODING);
  }

  @Test
  void malformedReasonsNeverQuoteThePayload() {
    String secret = "sk-live-" + "x".repeat(40);
    List<String> payloads =
        List.of(
            "{\"generationId\": " + secret + "}",
            "{\"generationId\": \"" + secret + "\", \"" + secret + "\": [}",
            "{\"generationId\":\"g\",\"promptId\":\"p\",\"groupId\":\"g\",\"prompt\":[],"
                + "\"response\":\"r\","
                + "\"task\":{\"extra\":{\""
                + secret
                + "\":1}},\"policy\":{\"modelId\":\"m\"},\"createdAtMs\":1}",
            "{\"generationId\":\"" + secret + "\",\"createdAtMs\":\"" + secret + "\"}");

    for (String payload : payloads) {
      DecodeResult<Generation> result =
          generations.decode(payload.getBytes(StandardCharsets.UTF_8));

      assertThat(result.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
      assertThat(result.reason()).doesNotContain("sk-live").hasSizeLessThanOrEqualTo(300);
    }
  }

  @Test
  void decodeOrThrowNamesTheKindAndReason() {
    assertThatThrownBy(() -> generations.decodeOrThrow(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EMPTY: message has no bytes");
  }

  @Test
  void failedResultsRefuseToHandOutAValueAndViceVersa() {
    DecodeResult<Generation> failure = generations.decode(new byte[0]);
    DecodeResult<Generation> success = DecodeResult.ok(SampleRecords.generation());

    assertThatThrownBy(failure::value).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(success::errorKind).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(success::reason).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
    byte[] avro = generations.encode(SampleRecords.generation(), WireFormat.AVRO);
    RecordCodec<Generation> codec = RecordCodec.of(Generation.class, 1 << 20);
    codec.decode(avro);

    RecordCodec<Generation> copy = javaRoundTrip(codec);

    assertThat(copy.maxBytes()).isEqualTo(1 << 20);
    assertThat(copy.type()).isEqualTo(Generation.class);
    assertThat(copy.decodeOrThrow(avro)).isEqualTo(SampleRecords.generation());
    assertThat(copy.decodeOrThrow(copy.encode(SampleRecords.generation(), WireFormat.JSON)))
        .isEqualTo(SampleRecords.generation());
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> RecordCodec.of(Generation.class, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ fuzzing

  @Test
  void randomBytesAlwaysFailWithAKnownKind() {
    Random random = new Random(20240611L);
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      // Steer a share of the inputs into the Avro and JSON paths, which a random first byte rarely
      // hits.
      if (bytes.length > 2 && i % 3 == 1) {
        bytes[0] = (byte) 0xC3;
        bytes[1] = 0x01;
      } else if (bytes.length > 0 && i % 3 == 2) {
        bytes[0] = '{';
      }

      assertFailsWithAKnownKind(bytes, "random input " + i);
    }
  }

  @Test
  void randomBodiesBehindAValidHeaderNeverThrow() {
    byte[] header =
        Arrays.copyOf(generations.encode(SampleRecords.generation(), WireFormat.AVRO), 10);
    Random random = new Random(42L);
    for (int i = 0; i < 5_000; i++) {
      byte[] body = new byte[random.nextInt(200)];
      random.nextBytes(body);
      byte[] bytes = concat(header, body);

      DecodeResult<Generation> result = decodeWithoutThrowing(bytes, "random body " + i);

      if (!result.isOk()) {
        assertThat(result.errorKind()).as("random body %s", i).isEqualTo(DecodeErrors.MALFORMED);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samplesInEveryFormat")
  <T extends SpecificRecordBase> void everyTruncationIsAFailureOfTheExpectedKind(
      WireFormat format, T record) {
    @SuppressWarnings("unchecked")
    RecordCodec<T> codec = RecordCodec.of((Class<T>) record.getClass());
    byte[] valid = codec.encode(record, format);

    for (int length = 0; length < valid.length; length++) {
      DecodeResult<T> result = codec.decode(Arrays.copyOf(valid, length));

      assertThat(result.isOk()).as("prefix of %s bytes", length).isFalse();
      assertThat(result.errorKind())
          .as("prefix of %s bytes", length)
          .isEqualTo(expectedKindOfPrefix(format, length));
    }
  }

  @Test
  void everySingleByteCorruptionOfAvroIsHandled() {
    byte[] valid = generations.encode(SampleRecords.generation(), WireFormat.AVRO);
    Random random = new Random(3L);
    for (int position = 0; position < valid.length; position++) {
      byte[] corrupt = valid.clone();
      corrupt[position] = (byte) (corrupt[position] ^ (1 + random.nextInt(255)));

      DecodeResult<Generation> result = decodeWithoutThrowing(corrupt, "corrupt byte " + position);

      if (position < 10) {
        assertThat(result.isOk()).as("corrupt header byte %s", position).isFalse();
      }
    }
  }

  @Test
  void everySingleByteCorruptionOfJsonIsHandled() {
    byte[] valid = generations.encode(SampleRecords.generation(), WireFormat.JSON);
    Random random = new Random(4L);
    for (int position = 0; position < valid.length; position++) {
      byte[] corrupt = valid.clone();
      corrupt[position] = (byte) random.nextInt(256);

      decodeWithoutThrowing(corrupt, "corrupt byte " + position);
    }
  }

  @Test
  void edgeCaseInputsFailWithTheirExactKinds() {
    assertThat(generations.decode(null).errorKind()).isEqualTo(DecodeErrors.EMPTY);
    assertThat(generations.decode(new byte[0]).errorKind()).isEqualTo(DecodeErrors.EMPTY);
    assertThat(generations.decode(new byte[9 * 1024 * 1024]).errorKind())
        .isEqualTo(DecodeErrors.OVERSIZED);
    assertThat(generations.decode(new byte[] {(byte) 0xC3, 0x01}).errorKind())
        .isEqualTo(DecodeErrors.MALFORMED);
    assertThat(generations.decode(new byte[] {(byte) 0xC3}).errorKind())
        .isEqualTo(DecodeErrors.UNRECOGNIZED_ENCODING);
    assertThat(generations.decode("   ".getBytes(StandardCharsets.UTF_8)).errorKind())
        .isEqualTo(DecodeErrors.UNRECOGNIZED_ENCODING);
    assertThat(generations.decode("{".getBytes(StandardCharsets.UTF_8)).errorKind())
        .isEqualTo(DecodeErrors.MALFORMED);
    assertThat(generations.decode("{}".getBytes(StandardCharsets.UTF_8)).errorKind())
        .isEqualTo(DecodeErrors.MALFORMED);
    DecodeResult<Generation> deep =
        generations.decode(("{\"prompt\":" + "[".repeat(5_000)).getBytes(StandardCharsets.UTF_8));
    assertThat(deep.errorKind()).isEqualTo(DecodeErrors.MALFORMED);
    assertThat(deep.reason()).startsWith("JSON exceeds a parser limit");
    assertThat(generations.decode(new byte[] {'{', 0, 0, 0}).errorKind())
        .isEqualTo(DecodeErrors.MALFORMED);
  }

  private static String expectedKindOfPrefix(WireFormat format, int length) {
    if (length == 0) {
      return DecodeErrors.EMPTY;
    }
    if (format == WireFormat.AVRO && length == 1) {
      return DecodeErrors.UNRECOGNIZED_ENCODING; // 0xC3 alone is not the two-byte marker
    }
    return DecodeErrors.MALFORMED;
  }

  private void assertFailsWithAKnownKind(byte[] bytes, String description) {
    DecodeResult<Generation> result = decodeWithoutThrowing(bytes, description);

    assertThat(result.isOk()).as(description).isFalse();
    assertThat(result.errorKind()).as(description).isIn(ERROR_KINDS);
    assertThat(result.reason()).as(description).isNotBlank().hasSizeLessThanOrEqualTo(300);
  }

  private DecodeResult<Generation> decodeWithoutThrowing(byte[] bytes, String description) {
    AtomicReference<DecodeResult<Generation>> result = new AtomicReference<>();
    assertThatCode(() -> result.set(generations.decode(bytes)))
        .as(description)
        .doesNotThrowAnyException();
    return result.get();
  }

  // ------------------------------------------------------------------ helpers

  /** Generation as a future release might define it: one extra optional field. */
  private static Schema generationWithExtraField() {
    String current = Generation.getClassSchema().toString();
    String extended =
        current.replace(
            "{\"name\":\"consentToTrain\"",
            "{\"name\":\"reviewScore\",\"type\":[\"null\",\"double\"],\"default\":null},"
                + "{\"name\":\"consentToTrain\"");
    assertThat(extended).isNotEqualTo(current);
    return new Schema.Parser().parse(extended);
  }

  private static GenericRecord newerGeneration(Schema newer) {
    GenericRecord task = new GenericData.Record(newer.getField("task").schema());
    task.put("dataSource", "d");
    task.put(
        "kind", new GenericData.EnumSymbol(task.getSchema().getField("kind").schema(), "MATH"));
    task.put("unitTests", List.of());
    task.put("extra", Map.of());
    GenericRecord policy = new GenericData.Record(newer.getField("policy").schema());
    policy.put("modelId", "m");
    policy.put("policyVersion", 1L);
    policy.put("samplingParams", Map.of("k", "v"));
    GenericRecord message =
        new GenericData.Record(newer.getField("prompt").schema().getElementType());
    message.put("role", "user");
    message.put("content", "hi");

    GenericRecord generation = new GenericData.Record(newer);
    generation.put("generationId", "g-newer");
    generation.put("promptId", "p");
    generation.put("groupId", "grp");
    generation.put("prompt", List.of(message));
    generation.put("response", "r");
    generation.put("task", task);
    generation.put("policy", policy);
    generation.put("responseTokenIds", List.of(5, 6));
    generation.put(
        "finishReason",
        new GenericData.EnumSymbol(newer.getField("finishReason").schema(), "STOP"));
    generation.put("createdAtMs", 1L);
    generation.put("reviewScore", 0.5);
    generation.put("consentToTrain", true);
    generation.put("upstreamRewards", List.of());
    return generation;
  }

  /** A single-object message for {@code schema}'s fingerprint with a hand-made body. */
  private static byte[] avroMessage(Schema schema, byte[]... body) {
    byte[] prefix =
        ByteBuffer.allocate(10)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put((byte) 0xC3)
            .put((byte) 0x01)
            .putLong(SchemaNormalization.parsingFingerprint64(schema))
            .array();
    return concat(prefix, concat(body));
  }

  /** Avro's variable-length zig-zag encoding of a long. */
  private static byte[] zigZag(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long encoded = (value << 1) ^ (value >> 63);
    while ((encoded & ~0x7FL) != 0) {
      out.write((int) ((encoded & 0x7F) | 0x80));
      encoded >>>= 7;
    }
    out.write((int) encoded);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static <C> C javaRoundTrip(C object) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (C) in.readObject();
    }
  }
}
