package io.lodestar.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.TaskMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every outcome of decoding and validating one raw record, for each input the pipeline reads: the
 * record goes on, or exactly one dead letter names its kind, its reason, where it came from (topic,
 * partition, offset, key, Kafka timestamp) and keeps its bytes, cut to the configured maximum with
 * the original size.
 */
class ParseFunctionTest {

  private static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  /** The wall clock every function here reads; records are stamped one second before it. */
  private static final long NOW_MS = 1_718_000_000_000L;

  private static final long CREATED_AT_MS = NOW_MS - 1_000;
  private static final long MAX_CLOCK_SKEW_MS = 300_000;
  private static final int MAX_PAYLOAD_BYTES = 48;

  private static final int PARTITION = 3;
  private static final long OFFSET = 1_234_567_890_123L;
  private static final long KAFKA_TIMESTAMP_MS = NOW_MS - 500;
  private static final byte[] KEY = "key-7".getBytes(StandardCharsets.UTF_8);

  /** One input of the pipeline: how its parser is built and what its records look like. */
  record Input<T extends SpecificRecordBase>(
      String origin,
      String topic,
      Class<T> type,
      ParseFunction.SerializableIdOf<T> idOf,
      String timeField,
      EventTimeCheck.EventTimeOf<T> eventTimeOf,
      LongFunction<T> recordAt,
      RecordValidator<T> validator,
      T invalid,
      String violation) {

    T valid() {
      return recordAt.apply(CREATED_AT_MS);
    }

    String validId() {
      return idOf.apply(valid());
    }

    RecordCodec<T> codec() {
      return RecordCodec.of(type);
    }

    byte[] avro(T record) {
      return codec().encode(record, WireFormat.AVRO);
    }

    byte[] json(T record) {
      return codec().encode(record, WireFormat.JSON);
    }

    ParseFunction<T> parser(RecordValidator<T> validator, int maxPayloadBytes) {
      return new ParseFunction<>(
          origin,
          codec(),
          validator,
          idOf,
          DEAD_LETTERS,
          maxPayloadBytes,
          new EventTimeCheck<>(
              timeField, eventTimeOf, MAX_CLOCK_SKEW_MS, "validate.max-clock-skew"),
          () -> NOW_MS);
    }
  }

  static Stream<Named<Input<?>>> inputs() {
    return Stream.of(
        Named.of("generations", generations()),
        Named.of("feedback", feedback()),
        Named.of("policy updates", policyUpdates()));
  }

  static Input<Generation> generations() {
    return new Input<>(
        "parse.generations",
        "lodestar.generations",
        Generation.class,
        Generation::getGenerationId,
        "createdAtMs",
        Generation::getCreatedAtMs,
        ParseFunctionTest::generation,
        g -> g.getPrompt().isEmpty() ? Optional.of("prompt has no messages") : Optional.empty(),
        Generation.newBuilder(generation(CREATED_AT_MS)).setPrompt(List.of()).build(),
        "prompt has no messages");
  }

  static Input<Feedback> feedback() {
    return new Input<>(
        "parse.feedback",
        "lodestar.feedback",
        Feedback.class,
        Feedback::getFeedbackId,
        "createdAtMs",
        Feedback::getCreatedAtMs,
        ParseFunctionTest::thumb,
        f ->
            f.getKind() == FeedbackKind.THUMB && f.getThumbUp() == null
                ? Optional.of("THUMB feedback needs thumbUp")
                : Optional.empty(),
        Feedback.newBuilder(thumb(CREATED_AT_MS)).setThumbUp(null).build(),
        "THUMB feedback needs thumbUp");
  }

  static Input<PolicyUpdate> policyUpdates() {
    return new Input<>(
        "parse.policy-updates",
        "lodestar.policy-updates",
        PolicyUpdate.class,
        PolicyUpdate::getModelId,
        "publishedAtMs",
        PolicyUpdate::getPublishedAtMs,
        ParseFunctionTest::policyUpdate,
        u ->
            u.getPolicyVersion() < 0
                ? Optional.of("policyVersion is negative: " + u.getPolicyVersion())
                : Optional.empty(),
        PolicyUpdate.newBuilder(policyUpdate(CREATED_AT_MS)).setPolicyVersion(-3L).build(),
        "policyVersion is negative: -3");
  }

  static Generation generation(long createdAtMs) {
    return Generation.newBuilder()
        .setGenerationId("gen-17")
        .setPromptId("prompt-4")
        .setGroupId("group-4")
        .setExpectedGroupSize(4)
        .setSampleIndex(1)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 x 7?")))
        .setResponse("42")
        .setTask(TaskMetadata.newBuilder().setDataSource("gsm8k").setGroundTruth("42").build())
        .setPolicy(Policy.newBuilder().setModelId("qwen-7b").setPolicyVersion(5L).build())
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  static Feedback thumb(long createdAtMs) {
    return Feedback.newBuilder()
        .setFeedbackId("fb-9")
        .setGenerationId("gen-17")
        .setKind(FeedbackKind.THUMB)
        .setThumbUp(true)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  static PolicyUpdate policyUpdate(long publishedAtMs) {
    return PolicyUpdate.newBuilder()
        .setModelId("qwen-7b")
        .setPolicyVersion(6L)
        .setPublishedAtMs(publishedAtMs)
        .setTrainerId("trainer-1")
        .build();
  }

  // ---------------------------------------------------------------- harness

  /** What one record did: the records that went on and the dead letters. */
  record Outcome<T>(List<T> passed, List<DeadLetter> deadLetters) {
    DeadLetter onlyDeadLetter() {
      assertThat(passed).as("records that went on").isEmpty();
      assertThat(deadLetters).as("dead letters").hasSize(1);
      return deadLetters.get(0);
    }
  }

  private static <T extends SpecificRecordBase> Outcome<T> parse(
      ParseFunction<T> parser, RawRecord... raws) throws Exception {
    try (OneInputStreamOperatorTestHarness<RawRecord, T> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(parser)) {
      for (RawRecord raw : raws) {
        harness.processElement(raw, raw.timestampMs);
      }
      List<DeadLetter> dead =
          harness.getSideOutput(DEAD_LETTERS) == null
              ? List.of()
              : harness.getSideOutput(DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
      return new Outcome<>(List.copyOf(harness.extractOutputValues()), dead);
    }
  }

  private static <T extends SpecificRecordBase> Outcome<T> parse(Input<T> input, byte[] value)
      throws Exception {
    return parse(input.parser(input.validator(), MAX_PAYLOAD_BYTES), raw(input, OFFSET, value));
  }

  private static RawRecord raw(Input<?> input, long offset, byte[] value) {
    return new RawRecord(input.topic(), PARTITION, offset, KAFKA_TIMESTAMP_MS, KEY, value);
  }

  /** The dead letter expected for the record at {@link #OFFSET}, every field spelled out. */
  private static DeadLetter expected(
      Input<?> input,
      String kind,
      String reason,
      String recordId,
      byte[] keptPayload,
      int payloadSize) {
    return DeadLetter.newBuilder()
        .setOrigin(input.origin())
        .setTopic(input.topic())
        .setPartition(PARTITION)
        .setOffset(OFFSET)
        .setKey(ByteBuffer.wrap("key-7".getBytes(StandardCharsets.UTF_8)))
        .setPayload(keptPayload == null ? null : ByteBuffer.wrap(keptPayload))
        .setPayloadSize(payloadSize)
        .setErrorKind(kind)
        .setReason(reason)
        .setRecordId(recordId)
        .setRecordTimestampMs(KAFKA_TIMESTAMP_MS)
        .setDeadAtMs(NOW_MS)
        .build();
  }

  /** What a dead letter keeps of {@code payload}: its first {@link #MAX_PAYLOAD_BYTES} bytes. */
  private static byte[] kept(byte[] payload) {
    return Arrays.copyOf(payload, Math.min(payload.length, MAX_PAYLOAD_BYTES));
  }

  private static byte[] bytes(DeadLetter d) {
    ByteBuffer payload = d.getPayload().duplicate();
    byte[] out = new byte[payload.remaining()];
    payload.get(out);
    return out;
  }

  // ---------------------------------------------------------------- records that go on

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldPassAValidAvroRecordOnUnchanged(Input<T> input)
      throws Exception {
    Outcome<T> outcome = parse(input, input.avro(input.valid()));

    assertThat(outcome.passed()).containsExactly(input.valid());
    assertThat(outcome.deadLetters()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldPassAValidJsonRecordOnUnchanged(Input<T> input)
      throws Exception {
    Outcome<T> outcome = parse(input, input.json(input.valid()));

    assertThat(outcome.passed()).containsExactly(input.valid());
    assertThat(outcome.deadLetters()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldPassAnEventTimeExactlyTheClockSkewAhead(Input<T> input)
      throws Exception {
    T atTheLimit = input.recordAt().apply(NOW_MS + MAX_CLOCK_SKEW_MS);

    Outcome<T> outcome = parse(input, input.avro(atTheLimit));

    assertThat(outcome.passed()).containsExactly(atTheLimit);
    assertThat(outcome.deadLetters()).isEmpty();
  }

  // ---------------------------------------------------------------- payloads that cannot be
  // decoded

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterRandomBytesAsUnrecognizedEncoding(Input<?> input) throws Exception {
    byte[] random = HexFormat.of().parseHex("8e2f00ff41137c9ab0d35e6621f4c8077a");

    DeadLetter dead = parse(input, random).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "UNRECOGNIZED_ENCODING",
                "neither Avro single-object encoding (C3 01) nor a JSON object; first byte is 0x8E",
                null,
                random,
                17));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterSchemaRegistryFramingAsUnrecognizedEncodingNamingIt(Input<?> input)
      throws Exception {
    // Confluent framing: a zero magic byte, a 4-byte schema id, then the body.
    byte[] framed = HexFormat.of().parseHex("000000002a0c67656e2d3137");

    DeadLetter dead = parse(input, framed).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "UNRECOGNIZED_ENCODING",
                "neither Avro single-object encoding (C3 01) nor a JSON object; first byte is 0x00"
                    + " (Confluent Schema Registry framing?)",
                null,
                framed,
                12));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldDeadLetterTruncatedAvroAsMalformed(Input<T> input)
      throws Exception {
    byte[] avro = input.avro(input.valid());
    byte[] truncated = Arrays.copyOf(avro, 20);

    DeadLetter dead = parse(input, truncated).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "MALFORMED",
                "message ends before the record does (truncated?)",
                null,
                truncated,
                20));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldDeadLetterAnAvroHeaderCutShortAsMalformed(
      Input<T> input) throws Exception {
    byte[] header = Arrays.copyOf(input.avro(input.valid()), 6);

    DeadLetter dead = parse(input, header).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "MALFORMED",
                "Avro single-object header is cut short: 6 of 10 bytes",
                null,
                header,
                6));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterAnUnknownSchemaFingerprintNamingIt(Input<?> input) throws Exception {
    // C3 01, the fingerprint 0x0123456789ABCDEF little-endian, then a body.
    byte[] unknown = HexFormat.of().parseHex("c301efcdab8967452301020304");

    DeadLetter dead = parse(input, unknown).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "UNKNOWN_SCHEMA",
                "no shipped version of "
                    + input.type().getName()
                    + " has writer schema fingerprint 0x0123456789ABCDEF",
                null,
                unknown,
                13));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterAnEmptyPayloadAsEmpty(Input<?> input) throws Exception {
    DeadLetter dead = parse(input, new byte[0]).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(expected(input, "EMPTY", "message has no bytes", null, new byte[0], 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterATombstoneWithoutAPayload(Input<?> input) throws Exception {
    DeadLetter dead = parse(input, null).onlyDeadLetter();

    assertThat(dead).isEqualTo(expected(input, "EMPTY", "message has no bytes", null, null, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterMalformedJsonAsMalformed(Input<?> input) throws Exception {
    byte[] json = "{\"modelId\": \"qwen-7b\", \"policyVersion\": ".getBytes(StandardCharsets.UTF_8);

    DeadLetter dead = parse(input, json).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(input, "MALFORMED", "not valid JSON at line 1, column 41", null, json, 40));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterInvalidUtf8AsMalformed(Input<?> input) throws Exception {
    // A JSON object whose string value holds a lone continuation byte.
    byte[] json = HexFormat.of().parseHex("7b226964223a2261" + "80" + "62227d");

    DeadLetter dead = parse(input, json).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(input, "MALFORMED", "not valid JSON at line 1, column 10", null, json, 12));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void shouldDeadLetterAPayloadOverTheCodecLimitAsOversizedKeepingItsStart(Input<?> input)
      throws Exception {
    byte[] oversized = new byte[RecordCodec.DEFAULT_MAX_BYTES + 1];
    Arrays.fill(oversized, (byte) '{');

    DeadLetter dead = parse(input, oversized).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "OVERSIZED",
                "message of 8388609 bytes exceeds the limit of 8388608 bytes",
                null,
                "{".repeat(MAX_PAYLOAD_BYTES).getBytes(StandardCharsets.US_ASCII),
                8_388_609));
  }

  // ---------------------------------------------------------------- records that decode but cannot
  // be used

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase>
      void shouldDeadLetterARecordTheValidatorRefusesAsInvalidWithItsReason(Input<T> input)
          throws Exception {
    byte[] json = input.json(input.invalid());

    DeadLetter dead = parse(input, json).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "INVALID",
                input.violation(),
                input.idOf().apply(input.invalid()),
                kept(json),
                json.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldDeadLetterARecordWhoseValidatorThrowsAndKeepGoing(
      Input<T> input) throws Exception {
    long boomAt = CREATED_AT_MS - 7;
    RecordValidator<T> buggy =
        record -> {
          if (input.eventTimeOf().applyAsLong(record) == boomAt) {
            throw new NullPointerException("a validator bug");
          }
          return Optional.empty();
        };
    byte[] boom = input.avro(input.recordAt().apply(boomAt));

    Outcome<T> outcome =
        parse(
            input.parser(buggy, MAX_PAYLOAD_BYTES),
            raw(input, OFFSET, boom),
            raw(input, OFFSET + 1, input.avro(input.valid())));

    assertThat(outcome.passed()).as("the next record").containsExactly(input.valid());
    assertThat(outcome.deadLetters())
        .containsExactly(
            expected(
                input,
                "INVALID",
                "validator failed: NullPointerException",
                input.validId(),
                kept(boom),
                boom.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase>
      void shouldDeadLetterAnEventTimeBeyondTheClockSkewAsFutureEventTime(Input<T> input)
          throws Exception {
    byte[] ahead = input.avro(input.recordAt().apply(NOW_MS + MAX_CLOCK_SKEW_MS + 1));

    DeadLetter dead = parse(input, ahead).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input,
                "FUTURE_EVENT_TIME",
                input.timeField()
                    + " 1718000300001 is 300001 ms ahead of the wall clock (1718000000000), more than"
                    + " validate.max-clock-skew = 300000 ms",
                input.validId(),
                kept(ahead),
                ahead.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  <T extends SpecificRecordBase> void shouldDeadLetterAnEventTimeInMicrosecondsNamingTheUnit(
      Input<T> input) throws Exception {
    byte[] micros = input.json(input.recordAt().apply(CREATED_AT_MS * 1_000));

    DeadLetter dead = parse(input, micros).onlyDeadLetter();

    assertThat(dead.getErrorKind()).isEqualTo("FUTURE_EVENT_TIME");
    assertThat(dead.getReason())
        .isEqualTo(
            input.timeField()
                + " 1717999999000000 is 1716281999000000 ms ahead of the wall clock (1718000000000),"
                + " more than validate.max-clock-skew = 300000 ms; it reads as a time in microseconds");
    assertThat(dead.getOffset()).isEqualTo(OFFSET);
  }

  // ---------------------------------------------------------------- where the record came from

  @Test
  void shouldKeepTheKeyAndPositionOfEachRecordApart() throws Exception {
    Input<Generation> input = generations();
    RawRecord noKey = new RawRecord("lodestar.generations", 0, 0L, -1L, null, new byte[] {'x'});
    RawRecord keyed =
        new RawRecord("lodestar.generations-b", 11, 99L, 1_700_000_000_000L, KEY, new byte[] {'y'});

    Outcome<Generation> outcome =
        parse(input.parser(input.validator(), MAX_PAYLOAD_BYTES), noKey, keyed);

    assertThat(outcome.deadLetters())
        .extracting(
            DeadLetter::getTopic,
            DeadLetter::getPartition,
            DeadLetter::getOffset,
            DeadLetter::getKey,
            DeadLetter::getRecordTimestampMs,
            d -> bytes(d)[0])
        .containsExactly(
            Tuple.tuple("lodestar.generations", 0, 0L, null, null, (byte) 'x'),
            Tuple.tuple(
                "lodestar.generations-b",
                11,
                99L,
                ByteBuffer.wrap(KEY),
                1_700_000_000_000L,
                (byte) 'y'));
  }

  @Test
  void shouldLeaveTheRecordIdEmptyWhenItCannotBeRead() throws Exception {
    Input<Generation> input = generations();
    ParseFunction<Generation> parser =
        new ParseFunction<>(
            input.origin(),
            input.codec(),
            input.validator(),
            g -> {
              throw new IllegalStateException("no id");
            },
            DEAD_LETTERS,
            MAX_PAYLOAD_BYTES,
            null,
            () -> NOW_MS);
    byte[] invalid = input.avro(input.invalid());

    DeadLetter dead = parse(parser, raw(input, OFFSET, invalid)).onlyDeadLetter();

    assertThat(dead)
        .isEqualTo(
            expected(
                input, "INVALID", "prompt has no messages", null, kept(invalid), invalid.length));
  }

  @Test
  void shouldNameTheIdOfAMalformedRecordWhenTheParserKnowsTheIdField() throws Exception {
    Input<Feedback> input = feedback();
    ParseFunction<Feedback> parser =
        input.parser(input.validator(), MAX_PAYLOAD_BYTES).withRawIdField("feedbackId");
    String json = new String(input.json(input.valid()), StandardCharsets.UTF_8);
    // Well-formed JSON whose event time is not a number: the id after it is still readable.
    byte[] wrongType =
        json.replace("\"createdAtMs\":" + CREATED_AT_MS, "\"createdAtMs\":\"soon\"")
            .getBytes(StandardCharsets.UTF_8);
    byte[] truncatedAvro = Arrays.copyOf(input.avro(input.valid()), 20);

    Outcome<Feedback> outcome =
        parse(parser, raw(input, OFFSET, wrongType), raw(input, OFFSET + 1, truncatedAvro));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.deadLetters())
        .extracting(DeadLetter::getErrorKind, DeadLetter::getRecordId)
        .containsExactly(Tuple.tuple("MALFORMED", "fb-9"), Tuple.tuple("MALFORMED", "fb-9"));
  }

  @Test
  void shouldNameNoIdWhenItComesAfterTheBreakOrIsNotAString() throws Exception {
    Input<Feedback> input = feedback();
    ParseFunction<Feedback> parser =
        input.parser(input.validator(), MAX_PAYLOAD_BYTES).withRawIdField("feedbackId");
    byte[] afterTheBreak =
        "{\"generationId\": \"gen-17\", \"kind\": , \"feedbackId\": \"fb-9\"}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] notAString =
        "{\"feedbackId\": 9, \"generationId\": \"gen-17\"}".getBytes(StandardCharsets.UTF_8);
    byte[] cutInTheId = Arrays.copyOf(input.avro(input.valid()), 13);

    Outcome<Feedback> outcome =
        parse(
            parser,
            raw(input, OFFSET, afterTheBreak),
            raw(input, OFFSET + 1, notAString),
            raw(input, OFFSET + 2, cutInTheId));

    assertThat(outcome.deadLetters())
        .hasSize(3)
        .allSatisfy(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("MALFORMED");
              assertThat(d.getRecordId()).isNull();
            });
  }

  // ---------------------------------------------------------------- dead-letter.max-payload-bytes

  @Test
  void shouldKeepAPayloadOfExactlyTheMaximumWhole() throws Exception {
    byte[] payload = new byte[MAX_PAYLOAD_BYTES];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (0x80 + i);
    }

    DeadLetter dead = parse(generations(), payload).onlyDeadLetter();

    assertThat(bytes(dead)).isEqualTo(payload);
    assertThat(dead.getPayloadSize()).isEqualTo(48);
  }

  @Test
  void shouldCutAPayloadOneByteOverTheMaximumToItsFirstBytesAndKeepTheOriginalSize()
      throws Exception {
    byte[] payload = new byte[MAX_PAYLOAD_BYTES + 1];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (0x80 + i);
    }

    DeadLetter dead = parse(generations(), payload).onlyDeadLetter();

    assertThat(bytes(dead)).hasSize(48).isEqualTo(Arrays.copyOf(payload, 48));
    assertThat(bytes(dead)[47]).isEqualTo((byte) 0xAF);
    assertThat(dead.getPayloadSize()).isEqualTo(49);
    assertThat(dead.getErrorKind()).isEqualTo("UNRECOGNIZED_ENCODING");
  }

  @Test
  void shouldCutEveryKindOfDeadLetterToTheConfiguredMaximum() throws Exception {
    Input<Feedback> input = feedback();
    byte[] invalid = input.avro(input.invalid());
    byte[] ahead = input.avro(input.recordAt().apply(NOW_MS + MAX_CLOCK_SKEW_MS + 1));
    byte[] garbage = new byte[300];
    Arrays.fill(garbage, (byte) 0x7F);
    ParseFunction<Feedback> parser = input.parser(input.validator(), 5);

    Outcome<Feedback> outcome =
        parse(parser, raw(input, 1, invalid), raw(input, 2, ahead), raw(input, 3, garbage));

    assertThat(outcome.deadLetters())
        .extracting(
            DeadLetter::getErrorKind,
            DeadLetter::getOffset,
            d -> bytes(d).length,
            DeadLetter::getPayloadSize)
        .containsExactly(
            Tuple.tuple("INVALID", 1L, 5, invalid.length),
            Tuple.tuple("FUTURE_EVENT_TIME", 2L, 5, ahead.length),
            Tuple.tuple("UNRECOGNIZED_ENCODING", 3L, 5, 300));
    assertThat(bytes(outcome.deadLetters().get(0))).isEqualTo(Arrays.copyOf(invalid, 5));
    assertThat(bytes(outcome.deadLetters().get(1))).isEqualTo(Arrays.copyOf(ahead, 5));
    assertThat(bytes(outcome.deadLetters().get(2)))
        .isEqualTo(new byte[] {0x7F, 0x7F, 0x7F, 0x7F, 0x7F});
  }
}
