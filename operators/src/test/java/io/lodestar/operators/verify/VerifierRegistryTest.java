package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierRegistryTest {

  @Test
  void mathTasksGetTheMathEquivalenceVerifierByDefaultAndChatGetsNone() {
    VerifierRegistry registry = VerifierRegistry.defaults();

    assertThat(registry.score(generation(TaskKind.MATH, "gsm8k", "#### 42", "42")))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("math_equivalence");
              assertThat(c.getValue()).isEqualTo(1.0);
            });
    assertThat(registry.score(generation(TaskKind.CHAT, "chat-app", "hello", null))).isEmpty();
  }

  @Test
  void aDataSourceRuleWinsOverTheKindRule() {
    VerifierRegistry registry =
        VerifierRegistry.fromRules(Map.of("source.free-form", "", "kind.other", "numeric_answer"));

    assertThat(registry.score(generation(TaskKind.MATH, "free-form", "#### 1", "1"))).isEmpty();
    assertThat(registry.score(generation(TaskKind.OTHER, "puzzles", "#### 7", "7"))).hasSize(1);
  }

  @Test
  void unknownSelectorsAndVerifiersAreNamed() {
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("kind.poetry", "numeric_answer")))
        .hasMessageContaining("kind.poetry");
    assertThatThrownBy(
            () -> VerifierRegistry.fromRules(Map.of("source.gsm8k", "numeric_answer,oracle")))
        .hasMessageContaining("oracle")
        .hasMessageContaining("source.gsm8k");
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("everything", "numeric_answer")))
        .hasMessageContaining("everything");
  }

  @Test
  void formatAndJsonVerifiersCanBeChosenPerDataSource() {
    VerifierRegistry registry =
        VerifierRegistry.fromRules(
            Map.of(
                "source.r1",
                "numeric_answer,format,tag_count",
                "source.api",
                "json_schema,exact_match"));

    Generation r1 =
        generation(TaskKind.MATH, "r1", "<think>\n6*7\n</think>\n<answer>\n42\n</answer>", "42");
    assertThat(registry.score(r1))
        .extracting(RewardComponent::getName)
        .containsExactly("numeric_answer", "format", "tag_count");
    assertThat(registry.score(r1))
        .extracting(RewardComponent::getValue)
        .containsExactly(1.0, 1.0, 1.0);

    Generation api =
        TestRecords.generation("j")
            .setResponse("{\"answer\": 42}")
            .setTask(
                TaskMetadata.newBuilder()
                    .setKind(TaskKind.OTHER)
                    .setDataSource("api")
                    .setGroundTruth("{\"answer\": 42}")
                    .setExtra(
                        Map.of("json_schema", "{\"type\": \"object\", \"required\": [\"answer\"]}"))
                    .build())
            .build();
    assertThat(registry.score(api)).extracting(RewardComponent::getValue).containsExactly(1.0, 1.0);
  }

  @Test
  void regexMatchCanBeChosenAndMatchesEachTasksOwnPattern() {
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.codes", "regex_match"));

    assertThat(registry.score(withPattern("AB-1234", "[A-Z]{2}-\\d{4}", null)))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("regex_match");
              assertThat(c.getVersion()).isEqualTo("regex-match/1");
              assertThat(c.getValue()).isEqualTo(1.0);
            });
    assertThat(
            registry.score(withPattern("code: AB-1234", "[A-Z]{2}-\\d{4}", null)).get(0).getValue())
        .isEqualTo(0.0);
    assertThat(
            registry
                .score(withPattern("code: AB-1234", "[A-Z]{2}-\\d{4}", "find"))
                .get(0)
                .getValue())
        .isEqualTo(1.0);
    assertThat(
            registry.score(generation(TaskKind.OTHER, "codes", "AB-1234", null)).get(0).getStatus())
        .isEqualTo(RewardStatus.UNSCORABLE);
  }

  @Test
  void anUnparseableGroundTruthIsUnscorableNeverZero() {
    RewardComponent c =
        VerifierRegistry.defaults()
            .score(generation(TaskKind.MATH, "math", "#### 3", "\\frac{"))
            .get(0);
    assertThat(c.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(c.getValue()).isNull();
  }

  private static Generation withPattern(String response, String regex, String mode) {
    Map<String, String> extra = new HashMap<>(Map.of("regex", regex));
    if (mode != null) {
      extra.put("regex_mode", mode);
    }
    return TestRecords.generation("r")
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setKind(TaskKind.OTHER)
                .setDataSource("codes")
                .setExtra(extra)
                .build())
        .build();
  }

  private static Generation generation(
      TaskKind kind, String source, String response, String truth) {
    return TestRecords.generation("g")
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setKind(kind)
                .setDataSource(source)
                .setGroundTruth(truth)
                .build())
        .build();
  }
}
