package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The regex and JSON Schema verifiers as the registry runs them: on a generation, with the task's
 * own check.
 */
class TaskSuppliedChecksTest {

  private final RegexMatchVerifier regex = RegexMatchVerifier.fromTask();
  private final JsonSchemaVerifier json = JsonSchemaVerifier.anyJson();

  @Test
  void aTaskPatternMustCoverTheWholeResponseUnlessTheTaskAsksToFindIt() {
    assertThat(regex.score(task("B", Map.of("regex", "[A-D]"))).getValue()).isEqualTo(1.0);
    assertThat(regex.score(task("The answer is B", Map.of("regex", "[A-D]"))).getValue())
        .isEqualTo(0.0);
    assertThat(
            regex
                .score(task("The answer is B", Map.of("regex", "\\b[A-D]$", "regex_mode", "find")))
                .getValue())
        .isEqualTo(1.0);
    assertThat(
            regex
                .score(task("The answer is B", Map.of("regex", "[A-D]", "regex_mode", " FULL ")))
                .getValue())
        .isEqualTo(0.0);
  }

  @Test
  void aMissingOrUnusableTaskPatternIsUnscorableNeverZero() {
    assertUnscorable(regex.score(task("B", Map.of())), "task.extra.regex missing");
    assertUnscorable(
        regex.score(task("B", Map.of("regex", "[A-D"))), "not a valid regular expression");
    assertUnscorable(regex.score(task("B", Map.of("regex", "x".repeat(2_001)))), "over 2000 chars");
    assertUnscorable(
        regex.score(task("B", Map.of("regex", "[A-D]", "regex_mode", "anywhere"))), "full or find");
    assertUnscorable(regex.verify("B"), "no pattern");
  }

  @Test
  void aTaskPatternWinsOverTheVerifiersOwnAndAResponseWithoutOneUsesTheVerifiers() {
    RegexMatchVerifier digits = RegexMatchVerifier.fullMatch("\\d+");

    assertThat(digits.score(task("42", Map.of())).getValue()).isEqualTo(1.0);
    assertThat(digits.score(task("42", Map.of("regex", "[a-z]+"))).getValue()).isEqualTo(0.0);
  }

  @Test
  void aTaskPatternIsStillMatchedAfterTheVerifierIsSerialised() throws Exception {
    Generation generation = task("B", Map.of("regex", "[A-D]"));
    regex.score(generation);

    RegexMatchVerifier copy = roundTrip(regex);

    assertThat(copy.score(generation).getValue()).isEqualTo(1.0);
  }

  @Test
  void aTaskSchemaWinsOverTheVerifiersAndOneThatDoesNotCompileIsUnscorable() {
    String needsAnswer = "{\"type\": \"object\", \"required\": [\"answer\"]}";

    assertThat(json.score(task("{\"answer\": 1}", Map.of("json_schema", needsAnswer))).getValue())
        .isEqualTo(1.0);
    assertThat(json.score(task("{\"other\": 1}", Map.of("json_schema", needsAnswer))).getValue())
        .isEqualTo(0.0);
    assertThat(json.score(task("{\"other\": 1}", Map.of())).getValue()).isEqualTo(1.0);
    assertUnscorable(
        json.score(task("{}", Map.of("json_schema", "{not json"))), "task.extra.json_schema");
  }

  private static void assertUnscorable(RewardComponent component, String detail) {
    assertThat(component.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(component.getValue()).isNull();
    assertThat(component.getDetail()).contains(detail);
  }

  private static Generation task(String response, Map<String, String> extra) {
    return TestRecords.generation("g")
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setKind(TaskKind.OTHER)
                .setDataSource("d")
                .setExtra(extra)
                .build())
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
