package io.lodestar.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.TaskMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * A message that holds several records (a chat completion with n choices): all of them go on, or
 * the whole message is one dead letter naming the record at fault, never a part of its group.
 */
class ParseFunctionMessagesTest {

  private static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
  private static final long NOW_MS = 1_718_000_000_000L;
  private static final byte[] MESSAGE = "three answers".getBytes(StandardCharsets.UTF_8);

  /** A format whose every message holds the given records, or the given failure. */
  private static InputFormat<Generation> holding(List<Generation> records) {
    return message -> DecodedMessage.ok(records);
  }

  private static List<Generation> group(long createdAtMs, String... responses) {
    List<Generation> out = new ArrayList<>();
    for (int i = 0; i < responses.length; i++) {
      out.add(
          Generation.newBuilder()
              .setGenerationId("resp-1:" + i)
              .setPromptId("p")
              .setGroupId("resp-1")
              .setExpectedGroupSize(responses.length)
              .setSampleIndex(i)
              .setPrompt(List.of(new ChatMessage("user", "6 x 7?")))
              .setResponse(responses[i])
              .setTask(TaskMetadata.newBuilder().build())
              .setPolicy(Policy.newBuilder().setModelId("m").build())
              .setCreatedAtMs(createdAtMs)
              .build());
    }
    return out;
  }

  private record Outcome(List<Generation> passed, List<DeadLetter> dead) {}

  private static Outcome parse(InputFormat<Generation> format) throws Exception {
    ParseFunction<Generation> parser =
        new ParseFunction<>(
            "parse.generations",
            format,
            g -> g.getResponse().isEmpty() ? Optional.of("response is empty") : Optional.empty(),
            Generation::getGenerationId,
            DEAD_LETTERS,
            1024,
            new EventTimeCheck<Generation>(
                "createdAtMs", Generation::getCreatedAtMs, 300_000, "validate.max-clock-skew"),
            () -> NOW_MS);
    try (OneInputStreamOperatorTestHarness<RawRecord, Generation> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(parser)) {
      harness.processElement(new RawRecord("chat", 1, 40L, NOW_MS, null, MESSAGE), NOW_MS);
      var dead = harness.getSideOutput(DEAD_LETTERS);
      return new Outcome(
          List.copyOf(harness.extractOutputValues()),
          dead == null ? List.of() : dead.stream().map(StreamRecord::getValue).toList());
    }
  }

  @Test
  void everyRecordOfAUsableMessageGoesOnInOrder() throws Exception {
    List<Generation> records = group(NOW_MS - 1_000, "42", "48", "42");

    Outcome outcome = parse(holding(records));

    assertThat(outcome.dead()).isEmpty();
    assertThat(outcome.passed()).isEqualTo(records);
  }

  @Test
  void oneRecordTheValidatorRefusesMakesTheWholeMessageOneDeadLetterNamingIt() throws Exception {
    Outcome outcome = parse(holding(group(NOW_MS - 1_000, "42", "", "42")));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("INVALID");
              assertThat(d.getRecordId()).isEqualTo("resp-1:1");
              assertThat(d.getReason())
                  .isEqualTo(
                      "resp-1:1: response is empty (none of the message's 3 records is used)");
              assertThat(d.getOffset()).isEqualTo(40L);
              assertThat(d.getPayloadSize()).isEqualTo(MESSAGE.length);
            });
  }

  @Test
  void anEventTimeAheadOfTheClockMakesTheWholeMessageOneDeadLetter() throws Exception {
    Outcome outcome = parse(holding(group(NOW_MS + 3_600_000, "42", "48")));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("FUTURE_EVENT_TIME");
              assertThat(d.getRecordId()).isEqualTo("resp-1:0");
              assertThat(d.getReason()).endsWith("(none of the message's 2 records is used)");
            });
  }

  @Test
  void aMessageTheFormatRefusesIsOneDeadLetterWithTheFormatsKindReasonAndId() throws Exception {
    Outcome outcome =
        parse(
            message ->
                DecodedMessage.failure(
                    "INVALID", "request asked for n=4 but the response has 3 choices", "resp-9"));

    assertThat(outcome.passed()).isEmpty();
    assertThat(outcome.dead())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo("INVALID");
              assertThat(d.getReason())
                  .isEqualTo("request asked for n=4 but the response has 3 choices");
              assertThat(d.getRecordId()).isEqualTo("resp-9");
              assertThat(d.getOrigin()).isEqualTo("parse.generations");
            });
  }
}
