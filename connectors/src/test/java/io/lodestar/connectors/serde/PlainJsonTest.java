package io.lodestar.connectors.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.TaskKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PlainJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A Generation with only its required fields, as a minimal JSON producer would send it. */
  private static final String MINIMAL_GENERATION =
      "{"
          + "\"generationId\":\"g\",\"promptId\":\"p\",\"groupId\":\"grp\","
          + "\"prompt\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response\":\"hello\","
          + "\"task\":{},\"policy\":{\"modelId\":\"m\"},\"createdAtMs\":5}";

  static Stream<Named<SpecificRecordBase>> samples() {
    return SampleRecords.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void everyRecordTypeRoundTrips(SpecificRecordBase record) {
    String json = PlainJson.toJsonString(record);

    assertThat(PlainJson.fromJson(json, record.getClass())).isEqualTo(record);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writesFieldsInSchemaOrder(SpecificRecordBase record) {
    ObjectNode json = PlainJson.toJson(record);

    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactlyElementsOf(
            record.getSchema().getFields().stream().map(Schema.Field::name).toList());
  }

  @Test
  void writesOneLineWithoutTrailingNewline() {
    String json = PlainJson.toJsonString(SampleRecords.generation());

    assertThat(json).doesNotContain("\n").doesNotEndWith(" ").startsWith("{").endsWith("}");
  }

  @Test
  void writesNullableFieldsAsNullOrTheBareValue() throws Exception {
    Generation generation = SampleRecords.generation();
    generation.setTenant(null);

    JsonNode json = JSON.readTree(PlainJson.toJsonString(generation));

    assertThat(json.get("requestId").textValue()).isEqualTo("req-1");
    assertThat(json.get("expectedGroupSize").intValue()).isEqualTo(8);
    assertThat(json.get("responseTokenIds").isArray()).isTrue();
    assertThat(json.get("tenant").isNull()).isTrue();
    assertThat(json.get("finishReason").textValue()).isEqualTo("TOOL_CALLS");
    assertThat(json.get("policy").get("samplingParams").get("top_k").textValue()).isEqualTo("40");
  }

  @Test
  void writesNonFiniteNumbersAsStrings() throws Exception {
    JsonNode feedback = JSON.readTree(PlainJson.toJsonString(SampleRecords.feedback()));
    JsonNode generation = JSON.readTree(PlainJson.toJsonString(SampleRecords.generation()));

    assertThat(feedback.get("rating").textValue()).isEqualTo("NaN");
    assertThat(feedback.get("ratingMin").textValue()).isEqualTo("-Infinity");
    assertThat(feedback.get("ratingMax").textValue()).isEqualTo("Infinity");
    assertThat(generation.get("responseLogprobs").get(4).textValue()).isEqualTo("-Infinity");
    assertThat(generation.get("responseLogprobs").get(5).textValue()).isEqualTo("NaN");
    assertThat(generation.get("responseLogprobs").get(0).isNumber()).isTrue();
  }

  @Test
  void readsNonFiniteStringsAndIntegersIntoFloatingPointFields() {
    Feedback feedback =
        PlainJson.fromJson(
            "{\"feedbackId\":\"f\",\"generationId\":\"g\","
                + "\"kind\":\"RATING\",\"rating\":\"NaN\",\"ratingMin\":1,"
                + "\"ratingMax\":\"Infinity\","
                + "\"createdAtMs\":1}",
            Feedback.class);

    assertThat(feedback.getRating()).isNaN();
    assertThat(feedback.getRatingMin()).isEqualTo(1.0);
    assertThat(feedback.getRatingMax()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void rejectsOtherStringsInFloatingPointFields() {
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    "{\"feedbackId\":\"f\",\"generationId\":\"g\","
                        + "\"kind\":\"RATING\",\"rating\":\"nan\",\"createdAtMs\":1}",
                    Feedback.class))
        .isInstanceOf(PlainJson.ConversionException.class)
        .hasMessageStartingWith("rating: ")
        .hasMessageContaining("\"NaN\"");
  }

  @Test
  void floatsSurviveTheRoundTripBitForBit() {
    Random random = new Random(7);
    List<Float> logprobs = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      float candidate = Float.intBitsToFloat(random.nextInt());
      logprobs.add(Float.isNaN(candidate) ? -random.nextFloat() : candidate);
    }
    logprobs.addAll(
        List.of(
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MIN_NORMAL,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            -0.0f,
            0.0f,
            0.1f,
            1.0f / 3.0f));
    Generation generation = SampleRecords.generation();
    generation.setResponseLogprobs(logprobs);

    Generation back = PlainJson.fromJson(PlainJson.toJsonString(generation), Generation.class);

    for (int i = 0; i < logprobs.size(); i++) {
      assertThat(Float.floatToRawIntBits(back.getResponseLogprobs().get(i)))
          .as("logprob %s", logprobs.get(i))
          .isEqualTo(Float.floatToRawIntBits(logprobs.get(i)));
    }
  }

  @Test
  void missingOptionalFieldsTakeTheirSchemaDefaults() {
    Generation generation = PlainJson.fromJson(MINIMAL_GENERATION, Generation.class);

    assertThat(generation.getRequestId()).isNull();
    assertThat(generation.getExpectedGroupSize()).isNull();
    assertThat(generation.getPromptTokenIds()).isNull();
    assertThat(generation.getFinishReason()).isEqualTo(FinishReason.UNKNOWN);
    assertThat(generation.getConsentToTrain()).isFalse();
    assertThat(generation.getTask().getDataSource()).isEqualTo("unknown");
    assertThat(generation.getTask().getKind()).isEqualTo(TaskKind.OTHER);
    assertThat(generation.getTask().getUnitTests()).isEmpty();
    assertThat(generation.getTask().getExtra()).isEmpty();
    assertThat(generation.getPolicy().getPolicyVersion()).isZero();
    assertThat(generation.getPolicy().getSamplingParams()).isEmpty();
  }

  @Test
  void defaultsAreFreshCopiesNotSharedBetweenRecords() {
    Generation first = PlainJson.fromJson(MINIMAL_GENERATION, Generation.class);
    Generation second = PlainJson.fromJson(MINIMAL_GENERATION, Generation.class);

    first.getTask().getUnitTests().add("mutated");
    first.getPolicy().getSamplingParams().put("mutated", "yes");

    assertThat(second.getTask().getUnitTests()).isEmpty();
    assertThat(second.getPolicy().getSamplingParams()).isEmpty();
  }

  @Test
  void missingRequiredFieldFailsNamingItsPath() {
    String json = MINIMAL_GENERATION.replace("{\"role\":\"user\",", "{");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .isInstanceOf(PlainJson.ConversionException.class)
        .hasMessage("prompt[0].role: required field is missing")
        .extracting(e -> ((PlainJson.ConversionException) e).path())
        .isEqualTo("prompt[0].role");
  }

  @Test
  void missingRequiredTopLevelFieldFailsNamingIt() {
    String json = MINIMAL_GENERATION.replace(",\"createdAtMs\":5", "");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("createdAtMs: required field is missing");
  }

  @Test
  void unknownFieldsAreIgnored() {
    String json =
        MINIMAL_GENERATION.replace(
            "\"response\":\"hello\",",
            "\"response\":\"hello\",\"addedInAFutureVersion\":{\"deep\":[1,2,{\"x\":null}]},");

    assertThat(PlainJson.fromJson(json, Generation.class))
        .isEqualTo(PlainJson.fromJson(MINIMAL_GENERATION, Generation.class));
  }

  @Test
  void unknownEnumSymbolFallsBackToTheEnumDefault() {
    String json =
        MINIMAL_GENERATION
            .replace("\"task\":{}", "\"task\":{\"kind\":\"POETRY\"}")
            .replace("\"createdAtMs\":5", "\"createdAtMs\":5,\"finishReason\":\"CONTENT_FILTER\"");

    Generation generation = PlainJson.fromJson(json, Generation.class);

    assertThat(generation.getFinishReason()).isEqualTo(FinishReason.UNKNOWN);
    assertThat(generation.getTask().getKind()).isEqualTo(TaskKind.OTHER);
  }

  @Test
  void unknownEnumSymbolFallsBackToTheEnumDefaultNotTheFieldDefault() {
    // raterKind's field default is USER, but an unknown symbol means "unknown", the enum's default.
    Feedback feedback =
        PlainJson.fromJson(
            "{\"feedbackId\":\"f\",\"generationId\":\"g\","
                + "\"kind\":\"EMOJI_REACTION\",\"raterKind\":\"ROBOT\",\"createdAtMs\":1}",
            Feedback.class);

    assertThat(feedback.getKind()).isEqualTo(FeedbackKind.UNKNOWN);
    assertThat(feedback.getRaterKind()).isEqualTo(RaterKind.UNKNOWN);
  }

  @Test
  void unknownEnumSymbolWithoutAnEnumDefaultFails() {
    String json =
        PlainJson.toJsonString(SampleRecords.preferencePair())
            .replace("\"source\":\"EDIT\"", "\"source\":\"CROWD\"");

    assertThatThrownBy(() -> PlainJson.fromJson(json, PreferencePair.class))
        .hasMessage(
            "source: unknown symbol for enum io.lodestar.schema.PairSource, which has no"
                + " default symbol");
  }

  @Test
  void unknownEnumSymbolInsideANullableUnionFails() {
    String json =
        PlainJson.toJsonString(SampleRecords.feedback())
            .replace("\"outcome\":\"BOTH_BAD\"", "\"outcome\":\"NEITHER\"");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Feedback.class))
        .hasMessageStartingWith("outcome: unknown symbol for enum io.lodestar.schema.VoteOutcome");
  }

  @Test
  void bytesAreBase64() throws Exception {
    DeadLetter deadLetter = SampleRecords.deadLetter();

    JsonNode json = JSON.readTree(PlainJson.toJsonString(deadLetter));

    assertThat(json.get("payload").textValue()).isEqualTo("wwEA/3sK");
    assertThat(json.get("key").textValue()).isEqualTo("a2V5LTE=");
    DeadLetter back = PlainJson.fromJson(json, DeadLetter.class);
    assertThat(back.getPayload())
        .isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 1, 0, -1, 0x7B, 10}));
  }

  @Test
  void writingBytesLeavesTheBufferPositionAlone() {
    DeadLetter deadLetter = SampleRecords.deadLetter();
    ByteBuffer payload = deadLetter.getPayload();
    payload.position(2);

    PlainJson.toJsonString(deadLetter);

    assertThat(payload.position()).isEqualTo(2);
  }

  @Test
  void invalidBase64FailsNamingTheField() {
    String json =
        PlainJson.toJsonString(SampleRecords.deadLetter())
            .replace("\"payload\":\"wwEA/3sK\"", "\"payload\":\"not base64!\"");

    assertThatThrownBy(() -> PlainJson.fromJson(json, DeadLetter.class))
        .hasMessageStartingWith("payload: expected base64 text");
  }

  @Test
  void integersRejectFractionsAndOutOfRangeValues() {
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    MINIMAL_GENERATION.replace("\"createdAtMs\":5", "\"createdAtMs\":5.5"),
                    Generation.class))
        .hasMessageStartingWith("createdAtMs: expected an integer for long");
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    MINIMAL_GENERATION.replace(
                        "\"createdAtMs\":5", "\"createdAtMs\":5,\"sampleIndex\":2147483648"),
                    Generation.class))
        .hasMessage("sampleIndex: integer out of range for int");
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    MINIMAL_GENERATION.replace(
                        "\"createdAtMs\":5", "\"createdAtMs\":9223372036854775808"),
                    Generation.class))
        .hasMessage("createdAtMs: integer out of range for long");
  }

  @Test
  void integersRejectFractionAndExponentNotationEvenWhenIntegral() {
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    MINIMAL_GENERATION.replace("\"createdAtMs\":5", "\"createdAtMs\":1.718e12"),
                    Generation.class))
        .hasMessage(
            "createdAtMs: expected an integer for long, found a number with a fraction or"
                + " exponent");
    assertThatThrownBy(
            () ->
                PlainJson.fromJson(
                    MINIMAL_GENERATION.replace(
                        "\"createdAtMs\":5", "\"createdAtMs\":5,\"sampleIndex\":3.0"),
                    Generation.class))
        .hasMessageStartingWith("sampleIndex: expected an integer for int");
  }

  @Test
  void integersAtTheEdgesOfTheirRangeAreAccepted() {
    Generation generation =
        PlainJson.fromJson(
            MINIMAL_GENERATION.replace(
                "\"createdAtMs\":5",
                "\"createdAtMs\":-9223372036854775808,\"sampleIndex\":2147483647,"
                    + "\"expectedGroupSize\":-2147483648"),
            Generation.class);

    assertThat(generation.getCreatedAtMs()).isEqualTo(Long.MIN_VALUE);
    assertThat(generation.getSampleIndex()).isEqualTo(Integer.MAX_VALUE);
    assertThat(generation.getExpectedGroupSize()).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void tokenIdsMustBeIntegers() {
    String json =
        MINIMAL_GENERATION.replace(
            "\"createdAtMs\":5", "\"createdAtMs\":5,\"responseTokenIds\":[1,2,\"3\"]");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("responseTokenIds[2]: expected an integer for int, found a string");
  }

  @Test
  void floatsTooLargeForTheirTypeAreRejected() {
    String json =
        MINIMAL_GENERATION.replace(
            "\"createdAtMs\":5", "\"createdAtMs\":5,\"responseLogprobs\":[-1.5,1e39]");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("responseLogprobs[1]: number out of range for float");
  }

  @Test
  void wrongJsonTypeFailsNamingThePathAndTheExpectedType() {
    String json = MINIMAL_GENERATION.replace("\"content\":\"hi\"", "\"content\":42");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("prompt[0].content: expected a string for string, found a number");
  }

  @Test
  void explicitNullIsRejectedWhereTheTypeIsNotNullable() {
    String json = MINIMAL_GENERATION.replace("\"response\":\"hello\"", "\"response\":null");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("response: expected a string for string, found null");
  }

  @Test
  void explicitNullIsAcceptedWhereTheTypeIsNullable() {
    String json =
        MINIMAL_GENERATION.replace(
            "\"response\":\"hello\"",
            "\"response\":\"hello\",\"requestId\":null,\"promptTokenIds\":null");

    Generation generation = PlainJson.fromJson(json, Generation.class);

    assertThat(generation.getRequestId()).isNull();
    assertThat(generation.getPromptTokenIds()).isNull();
  }

  @Test
  void mapValueErrorsDoNotQuoteTheMapKey() {
    String json =
        MINIMAL_GENERATION.replace("\"task\":{}", "\"task\":{\"extra\":{\"secret-key\":5}}");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessage("task.extra[*]: expected a string for string, found a number")
        .message()
        .doesNotContain("secret-key");
  }

  @Test
  void invalidJsonFailsWithoutQuotingTheInput() {
    assertThatThrownBy(
            () -> PlainJson.fromJson("{\"generationId\": hunter2-secret}", Generation.class))
        .isInstanceOf(PlainJson.ConversionException.class)
        .hasMessageStartingWith("not valid JSON at line 1, column")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void duplicateKeysAreRejected() {
    String json =
        MINIMAL_GENERATION.replace(
            "\"response\":\"hello\"", "\"response\":\"hello\",\"response\":\"other\"");

    assertThatThrownBy(() -> PlainJson.fromJson(json, Generation.class))
        .hasMessageStartingWith("not valid JSON");
  }

  @Test
  void contentAfterTheObjectIsRejected() {
    assertThatThrownBy(() -> PlainJson.fromJson(MINIMAL_GENERATION + " {}", Generation.class))
        .hasMessageStartingWith("not valid JSON");
  }

  @Test
  void aTopLevelValueOtherThanAnObjectIsRejected() {
    assertThatThrownBy(() -> PlainJson.fromJson("[1,2]", Generation.class))
        .hasMessage("expected an object for record io.lodestar.schema.Generation, found an array");
  }

  @Test
  void writingANullRequiredFieldFailsNamingIt() {
    Generation generation = SampleRecords.generation();
    generation.getPrompt().get(1).setContent(null);

    assertThatThrownBy(() -> PlainJson.toJson(generation))
        .isInstanceOf(PlainJson.ConversionException.class)
        .hasMessage("prompt[1].content: null is not allowed for a non-nullable string");
  }

  @Test
  void readsFromASchemaIntoTheGeneratedClass() throws Exception {
    JsonNode json = JSON.readTree(PlainJson.toJsonString(SampleRecords.rlGroup()));

    SpecificRecord record = PlainJson.fromJson(json, SampleRecords.rlGroup().getSchema());

    assertThat(record).isEqualTo(SampleRecords.rlGroup());
  }

  @Test
  void otherUnionsTryTheirBranchesInOrder() throws Exception {
    Schema schema =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":["
                    + "{\"name\":\"value\",\"type\":[\"null\",\"int\",\"string\","
                    + "{\"type\":\"array\",\"items\":\"long\"}]}]}");

    assertThat(readProbe(schema, "{\"value\":7}").get("value")).isEqualTo(7);
    assertThat(readProbe(schema, "{\"value\":\"seven\"}").get("value")).isEqualTo("seven");
    assertThat(readProbe(schema, "{\"value\":[7]}").get("value")).isEqualTo(List.of(7L));
    assertThat(readProbe(schema, "{\"value\":null}").get("value")).isNull();
    assertThatThrownBy(() -> readProbe(schema, "{\"value\":true}"))
        .hasMessage("value: a boolean fits no branch of union [null, int, string, array of long]");
  }

  @Test
  void otherUnionsAreWrittenAsTheBareValueOfTheirBranch() {
    Schema schema =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":["
                    + "{\"name\":\"value\",\"type\":[\"int\",\"string\"]}]}");
    GenericRecord record = new GenericData.Record(schema);
    record.put("value", "seven");

    assertThat(PlainJson.toJsonString(record)).isEqualTo("{\"value\":\"seven\"}");
  }

  private static GenericRecord readProbe(Schema schema, String json) throws Exception {
    return (GenericRecord) PlainJson.fromJson(JSON.readTree(json), schema, GenericData.get());
  }

  @Test
  void mapsKeepTheirEntries() {
    Generation back =
        PlainJson.fromJson(PlainJson.toJsonString(SampleRecords.generation()), Generation.class);

    assertThat(back.getPolicy().getSamplingParams()).isEqualTo(Map.of("top_k", "40", "seed", "-1"));
    assertThat(back.getTask().getExtra()).containsEntry("split", "train");
  }

  @Test
  void nonAsciiTextSurvivesAsUtf8() {
    String json = PlainJson.toJsonString(SampleRecords.generation());

    Generation back =
        PlainJson.fromJson(
            new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
            Generation.class);

    assertThat(back.getPrompt().get(1).getContent()).contains("Ünïcödé", "🚀", "\n");
  }
}
