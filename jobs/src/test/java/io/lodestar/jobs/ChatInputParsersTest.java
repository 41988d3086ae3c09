package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.ParseFunction;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.RawEventTime;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The generation and feedback parsers as the pipeline builds them with {@code
 * topics.generations.format=openai-chat} and {@code topics.feedback.format=simple}: the mapping,
 * then the real validators and the clock check, over every generation of a record.
 */
class ChatInputParsersTest {

  private static final long CREATED_S = 1_767_225_600L;
  private static final LodestarOptions OPTIONS =
      LodestarOptions.fromArgs(
          new String[] {
            "--topics.generations.format",
            "openai-chat",
            "--topics.feedback.format",
            "simple",
            "--validate.max-response-chars",
            "20"
          });

  private record Outcome<T>(List<T> passed, List<DeadLetter> dead) {}

  private static <T extends SpecificRecordBase> Outcome<T> parse(
      ParseFunction<T> parser, byte[] value) throws Exception {
    try (OneInputStreamOperatorTestHarness<RawRecord, T> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(parser)) {
      harness.processElement(
          new RawRecord("chat-logs", 0, 9L, CREATED_S * 1000, null, value), CREATED_S * 1000);
      var dead = harness.getSideOutput(Stages.DEAD_LETTERS);
      return new Outcome<>(
          List.copyOf(harness.extractOutputValues()),
          dead == null ? List.of() : dead.stream().map(StreamRecord::getValue).toList());
    }
  }

  private static ObjectNode twoAnswers() {
    return ChatCompletionRecords.mathRecord(
        "chatcmpl-a1", CREATED_S, "What is 6 times 7?", List.of("#### 42", "#### 48"), 5);
  }

  @Test
  void aChatRecordWithTwoChoicesPassesAsTheGroupOfTwoGenerations() throws Exception {
    Outcome<Generation> outcome =
        parse(InputStages.generationParser(OPTIONS), ChatCompletionRecords.bytes(twoAnswers()));

    assertThat(outcome.dead()).isEmpty();
    assertThat(outcome.passed())
        .extracting(Generation::getGenerationId)
        .containsExactly("chatcmpl-a1:0", "chatcmpl-a1:1");
    assertThat(outcome.passed()).extracting(Generation::getGroupId).containsOnly("chatcmpl-a1");
    assertThat(outcome.passed()).extracting(Generation::getExpectedGroupSize).containsOnly(2);
    assertThat(outcome.passed())
        .extracting(g -> g.getResponseLogprobs().size())
        .containsExactly(8, 8);
  }

  @Test
  void aChoiceTheRealValidatorRefusesMakesTheWholeRecordOneDeadLetter() throws Exception {
    ObjectNode record = twoAnswers();
    ObjectNode second = (ObjectNode) record.get("response").get("choices").get(1).get("message");
    second.put("content", "x".repeat(21));
    ((ArrayNode) record.get("response").get("choices").get(1).get("token_ids")).removeAll();
    ((ArrayNode) record.get("response").get("choices").get(1).get("logprobs").get("content"))
        .removeAll();
    ((ObjectNode) record.get("response").get("usage")).put("completion_tokens", 8);

    Outcome<Generation> outcome =
        parse(InputStages.generationParser(OPTIONS), ChatCompletionRecords.bytes(record));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("INVALID");
              assertThat(d.getOrigin()).isEqualTo("parse.generations");
              assertThat(d.getRecordId()).isEqualTo("chatcmpl-a1:1");
              assertThat(d.getReason())
                  .isEqualTo(
                      "chatcmpl-a1:1: response has 21 chars, more than 20 (none of the message's 2 records is used)");
              assertThat(d.getOffset()).isEqualTo(9L);
            });
  }

  @Test
  void anInconsistentChatRecordIsOneDeadLetterNamingTheResponse() throws Exception {
    ObjectNode record = twoAnswers();
    ((ObjectNode) record.get("request")).put("n", 3);

    Outcome<Generation> outcome =
        parse(InputStages.generationParser(OPTIONS), ChatCompletionRecords.bytes(record));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("INVALID");
              assertThat(d.getReason())
                  .isEqualTo("request asked for n=3 but the response has 2 choices");
              assertThat(d.getRecordId()).isEqualTo("chatcmpl-a1");
            });
  }

  @Test
  void aLodestarGenerationOnAnOpenAiChatTopicIsADeadLetterNotAGuess() throws Exception {
    Generation lodestar = InputParsersTest.generation(CREATED_S * 1000);

    Outcome<Generation> avro =
        parse(
            InputStages.generationParser(OPTIONS),
            RecordCodec.of(Generation.class).encode(lodestar, WireFormat.AVRO));
    Outcome<Generation> json =
        parse(
            InputStages.generationParser(OPTIONS),
            RecordCodec.of(Generation.class).encode(lodestar, WireFormat.JSON));

    assertThat(avro.dead())
        .singleElement()
        .satisfies(d -> assertThat(d.getErrorKind()).isEqualTo("UNRECOGNIZED_ENCODING"));
    assertThat(json.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("MALFORMED");
              assertThat(d.getReason())
                  .isEqualTo(
                      "record is a Lodestar Generation (it has generationId), not an OpenAI chat record");
            });
  }

  @Test
  void simpleFeedbackPassesAndTheRealValidatorStillChecksIt() throws Exception {
    String thumb =
        "{\"response_id\": \"chatcmpl-a1\", \"choice_index\": 1, \"kind\": \"thumb\", \"value\": \"down\","
            + " \"created_at_ms\": 1767225660000}";
    String rating =
        "{\"feedback_id\": \"fb-r\", \"generation_id\": \"chatcmpl-a1:0\", \"kind\": \"rating\", \"value\": 7,"
            + " \"rating_min\": 1, \"rating_max\": 5, \"created_at_ms\": 1767225660000}";

    Outcome<Feedback> passed =
        parse(InputStages.feedbackParser(OPTIONS), thumb.getBytes(StandardCharsets.UTF_8));
    Outcome<Feedback> refused =
        parse(InputStages.feedbackParser(OPTIONS), rating.getBytes(StandardCharsets.UTF_8));

    assertThat(passed.passed())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getGenerationId()).isEqualTo("chatcmpl-a1:1");
              assertThat(f.getKind()).isEqualTo(FeedbackKind.THUMB);
              assertThat(f.getThumbUp()).isFalse();
            });
    assertThat(refused.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("INVALID");
              assertThat(d.getOrigin()).isEqualTo("parse.feedback");
              assertThat(d.getRecordId()).isEqualTo("fb-r");
              assertThat(d.getReason())
                  .isEqualTo("RATING feedback rating 7.0 is outside its declared range [1.0, 5.0]");
            });
  }

  @Test
  void theSourceReadsEventTimeInTheConfiguredFormat() {
    byte[] chat = ChatCompletionRecords.bytes(twoAnswers());
    byte[] feedback =
        "{\"generation_id\": \"g\", \"kind\": \"copy\", \"created_at_ms\": 1767225660000}"
            .getBytes(StandardCharsets.UTF_8);

    assertThat(SourceEventTime.Input.GENERATIONS.reader(OPTIONS).read(chat))
        .isEqualTo(CREATED_S * 1000);
    assertThat(SourceEventTime.Input.FEEDBACK.reader(OPTIONS).read(feedback))
        .isEqualTo(1_767_225_660_000L);
    LodestarOptions lodestar = LodestarOptions.fromArgs(new String[0]);
    assertThat(SourceEventTime.Input.GENERATIONS.reader(lodestar).read(chat))
        .isEqualTo(RawEventTime.UNKNOWN);
  }
}
