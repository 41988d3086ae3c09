package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The format, tag-count and code-fence cases transcribed from open-r1's reward tests. Other kinds
 * in the file are out of scope here: {@code accuracy} needs Math-Verify style answer equivalence (a
 * math verifier's job) and {@code reasoning_steps} is a heuristic step counter, not a format check.
 */
class OpenR1RewardCasesTest {

  private static final String CASES = "format/openr1_reward_cases.jsonl";
  private static final Set<String> FORMAT_KINDS =
      Set.of("format_think_answer", "tag_count", "code_format");
  private static final Set<String> OUT_OF_SCOPE_KINDS = Set.of("accuracy", "reasoning_steps");

  static Stream<Arguments> formatCases() {
    return TestDataFiles.jsonLines(CASES).stream()
        .filter(c -> FORMAT_KINDS.contains(c.get("kind").asText()))
        .map(c -> Arguments.of(c.get("source").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatCases")
  void matchesOpenR1(String source, JsonNode testCase) {
    String completion = testCase.get("completion").asText();
    TagFormatVerifier verifier =
        switch (testCase.get("kind").asText()) {
          case "format_think_answer" -> TagFormatVerifier.strict(TagFormatVerifier.THINK_ANSWER);
          case "tag_count" -> TagFormatVerifier.tagCount(TagFormatVerifier.THINK_ANSWER);
          default ->
              TagFormatVerifier.strictWithCodeFence(
                  TagFormatVerifier.THINK_ANSWER, testCase.get("language").asText());
        };

    RewardComponent reward = verifier.verify(completion);

    assertThat(reward.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(reward.getValue())
        .as(reward.getDetail())
        .isEqualTo(testCase.get("expected_reward").asDouble());
  }

  @Test
  void everyCaseKindIsEitherCheckedOrDeliberatelySkipped() {
    List<JsonNode> cases = TestDataFiles.jsonLines(CASES);
    assertThat(cases)
        .extracting(c -> c.get("kind").asText())
        .allMatch(kind -> FORMAT_KINDS.contains(kind) || OUT_OF_SCOPE_KINDS.contains(kind));
    assertThat(formatCases()).hasSize(23);
  }
}
