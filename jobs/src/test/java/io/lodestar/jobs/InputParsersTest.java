package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.ParseFunction;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.VoteOutcome;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three input parsers as the pipeline builds them: the real validators' reasons reach the dead
 * letters, {@code dead-letter.max-payload-bytes} cuts their payloads, and {@code
 * validate.max-clock-skew} refuses event times ahead of the wall clock.
 */
class InputParsersTest {

  private static final long CREATED_AT_MS = 1_718_000_000_000L;
  private static final int MAX_PAYLOAD_BYTES = 32;
  private static final LodestarOptions OPTIONS =
      LodestarOptions.fromArgs(
          new String[] {"--dead-letter.max-payload-bytes", String.valueOf(MAX_PAYLOAD_BYTES)});

  /**
   * A parser as the pipeline builds it, a usable record of its input, and one its validator
   * refuses.
   */
  record Parser<T extends SpecificRecordBase>(
      Function<LodestarOptions, ParseFunction<T>> build,
      Class<T> type,
      String origin,
      String timeField,
      LongFunction<T> validAt,
      T invalid,
      String violation,
      String invalidId) {}

  static Stream<Named<Parser<?>>> parsers() {
    return Stream.of(
        Named.of(
            "generations",
            new Parser<>(
                InputStages::generationParser,
                Generation.class,
                "parse.generations",
                "createdAtMs",
                InputParsersTest::generation,
                Generation.newBuilder(generation(CREATED_AT_MS)).setExpectedGroupSize(0).build(),
                "expectedGroupSize 0 is outside 1..1024",
                "gen-17")),
        Named.of(
            "feedback",
            new Parser<>(
                InputStages::feedbackParser,
                Feedback.class,
                "parse.feedback",
                "createdAtMs",
                InputParsersTest::vote,
                Feedback.newBuilder(vote(CREATED_AT_MS)).setOtherGenerationId(null).build(),
                "PAIRWISE feedback needs otherGenerationId",
                "fb-9")),
        Named.of(
            "policy updates",
            new Parser<>(
                InputStages::policyUpdateParser,
                PolicyUpdate.class,
                "parse.policy-updates",
                "publishedAtMs",
                InputParsersTest::policyUpdate,
                PolicyUpdate.newBuilder(policyUpdate(CREATED_AT_MS)).setPolicyVersion(-1L).build(),
                "policyVersion is negative: -1",
                "qwen-7b")));
  }

  static Generation generation(long createdAtMs) {
    return Generation.newBuilder()
        .setGenerationId("gen-17")
        .setPromptId("prompt-4")
        .setGroupId("group-4")
        .setExpectedGroupSize(4)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 x 7?")))
        .setResponse("42")
        .setTask(TaskMetadata.newBuilder().setDataSource("gsm8k").setGroundTruth("42").build())
        .setPolicy(Policy.newBuilder().setModelId("qwen-7b").setPolicyVersion(5L).build())
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  static Feedback vote(long createdAtMs) {
    return Feedback.newBuilder()
        .setFeedbackId("fb-9")
        .setGenerationId("gen-17")
        .setKind(FeedbackKind.PAIRWISE)
        .setOtherGenerationId("gen-18")
        .setOutcome(VoteOutcome.A)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  static PolicyUpdate policyUpdate(long publishedAtMs) {
    return PolicyUpdate.newBuilder()
        .setModelId("qwen-7b")
        .setPolicyVersion(6L)
        .setPublishedAtMs(publishedAtMs)
        .build();
  }

  private record Outcome<T>(List<T> passed, List<DeadLetter> deadLetters) {}

  private static <T extends SpecificRecordBase> Outcome<T> parse(Parser<T> parser, byte[] value)
      throws Exception {
    RawRecord raw = new RawRecord("in." + parser.origin(), 2, 77L, CREATED_AT_MS, null, value);
    try (OneInputStreamOperatorTestHarness<RawRecord, T> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(parser.build().apply(OPTIONS))) {
      harness.processElement(raw, CREATED_AT_MS);
      var dead = harness.getSideOutput(Stages.DEAD_LETTERS);
      return new Outcome<>(
          List.copyOf(harness.extractOutputValues()),
          dead == null ? List.of() : dead.stream().map(StreamRecord::getValue).toList());
    }
  }

  private static <T extends SpecificRecordBase> byte[] encode(
      Parser<T> parser, T record, WireFormat format) {
    return RecordCodec.of(parser.type()).encode(record, format);
  }

  private static byte[] payload(DeadLetter d) {
    byte[] out = new byte[d.getPayload().remaining()];
    d.getPayload().duplicate().get(out);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  <T extends SpecificRecordBase> void shouldPassARecordTheRealValidatorAccepts(Parser<T> parser)
      throws Exception {
    T valid = parser.validAt().apply(CREATED_AT_MS);

    Outcome<T> outcome = parse(parser, encode(parser, valid, WireFormat.AVRO));

    assertThat(outcome.deadLetters()).isEmpty();
    assertThat(outcome.passed()).containsExactly(valid);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  <T extends SpecificRecordBase>
      void shouldDeadLetterWithTheRealValidatorsReasonCutToTheConfiguredMaximum(Parser<T> parser)
          throws Exception {
    byte[] json = encode(parser, parser.invalid(), WireFormat.JSON);

    Outcome<T> outcome = parse(parser, json);

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.deadLetters()).hasSize(1);
    DeadLetter dead = outcome.deadLetters().get(0);
    assertThat(dead.getOrigin()).isEqualTo(parser.origin());
    assertThat(dead.getErrorKind()).isEqualTo("INVALID");
    assertThat(dead.getReason()).isEqualTo(parser.violation());
    assertThat(dead.getRecordId()).isEqualTo(parser.invalidId());
    assertThat(dead.getTopic()).isEqualTo("in." + parser.origin());
    assertThat(dead.getPartition()).isEqualTo(2);
    assertThat(dead.getOffset()).isEqualTo(77L);
    assertThat(dead.getKey()).isNull();
    assertThat(json.length).isGreaterThan(MAX_PAYLOAD_BYTES);
    assertThat(payload(dead)).isEqualTo(Arrays.copyOf(json, MAX_PAYLOAD_BYTES));
    assertThat(dead.getPayloadSize()).isEqualTo(json.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  <T extends SpecificRecordBase> void shouldDeadLetterAnEventTimeADayAheadOfTheWallClock(
      Parser<T> parser) throws Exception {
    long aDayAhead = System.currentTimeMillis() + 86_400_000L;
    byte[] avro = encode(parser, parser.validAt().apply(aDayAhead), WireFormat.AVRO);

    Outcome<T> outcome = parse(parser, avro);

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.deadLetters()).hasSize(1);
    DeadLetter dead = outcome.deadLetters().get(0);
    assertThat(dead.getErrorKind()).isEqualTo("FUTURE_EVENT_TIME");
    assertThat(dead.getReason())
        .matches(
            parser.timeField()
                + " "
                + aDayAhead
                + " is \\d+ ms ahead of the wall clock \\(\\d+\\), more than"
                + " validate.max-clock-skew = 300000 ms");
    assertThat(dead.getOffset()).isEqualTo(77L);
    assertThat(dead.getPayloadSize()).isEqualTo(avro.length);
    assertThat(payload(dead))
        .isEqualTo(Arrays.copyOf(avro, Math.min(avro.length, MAX_PAYLOAD_BYTES)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  <T extends SpecificRecordBase>
      void shouldNameTheIdOfARecordThatCannotBeDecodedWhenTheIdWasReadable(Parser<T> parser)
          throws Exception {
    T valid = parser.validAt().apply(CREATED_AT_MS);
    String id = parser.invalidId();
    byte[] json = encode(parser, valid, WireFormat.JSON);
    byte[] cutShort =
        Arrays.copyOf(json, json.length - 3); // the id comes first, the break at the end
    byte[] avro = encode(parser, valid, WireFormat.AVRO);
    byte[] avroCutShort = Arrays.copyOf(avro, 20);

    for (byte[] broken : List.of(cutShort, avroCutShort)) {
      Outcome<T> outcome = parse(parser, broken);

      assertThat(outcome.passed()).isEmpty();
      assertThat(outcome.deadLetters())
          .singleElement()
          .satisfies(
              dead -> {
                assertThat(dead.getErrorKind()).isEqualTo("MALFORMED");
                assertThat(dead.getRecordId()).isEqualTo(id);
              });
    }
  }

  /** The feedback parser exactly as the pipeline builds it. */
  private static final Parser<Feedback> FEEDBACK =
      new Parser<>(
          InputStages::feedbackParser,
          Feedback.class,
          "parse.feedback",
          "createdAtMs",
          InputParsersTest::vote,
          null,
          null,
          "fb-9");

  @org.junit.jupiter.api.Test
  void shouldDeadLetterAMisspeltFeedbackKindInsteadOfDroppingItQuietly() throws Exception {
    byte[] json =
        new String(encode(FEEDBACK, vote(CREATED_AT_MS), WireFormat.JSON), StandardCharsets.UTF_8)
            .replace("\"PAIRWISE\"", "\"PAIRWYSE\"")
            .getBytes(StandardCharsets.UTF_8);

    Outcome<Feedback> outcome = parse(FEEDBACK, json);

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.deadLetters())
        .singleElement()
        .satisfies(
            dead -> {
              assertThat(dead.getErrorKind()).isEqualTo("INVALID");
              assertThat(dead.getRecordId()).isEqualTo("fb-9");
              assertThat(dead.getReason())
                  .isEqualTo(
                      "kind is not one of THUMB, RATING, PAIRWISE, EDIT, REGENERATE, COPY, ACCEPT"
                          + " (an unknown or misspelt kind reads as UNKNOWN)");
            });
  }

  @org.junit.jupiter.api.Test
  void shouldDeadLetterARatingOutsideItsDeclaredRangeInsteadOfClampingIt() throws Exception {
    Feedback rating =
        Feedback.newBuilder(vote(CREATED_AT_MS))
            .setKind(FeedbackKind.RATING)
            .setOtherGenerationId(null)
            .setOutcome(null)
            .setRating(7.0)
            .setRatingMin(1.0)
            .setRatingMax(5.0)
            .build();

    Outcome<Feedback> outcome = parse(FEEDBACK, encode(FEEDBACK, rating, WireFormat.AVRO));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.deadLetters())
        .singleElement()
        .satisfies(
            dead -> {
              assertThat(dead.getErrorKind()).isEqualTo("INVALID");
              assertThat(dead.getReason())
                  .isEqualTo("RATING feedback rating 7.0 is outside its declared range [1.0, 5.0]");
              assertThat(dead.getRecordId()).isEqualTo("fb-9");
            });
    Feedback inRange = Feedback.newBuilder(rating).setRating(5.0).build();
    assertThat(parse(FEEDBACK, encode(FEEDBACK, inRange, WireFormat.AVRO)).passed())
        .containsExactly(inRange);
  }
}
