package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierRegistryTest {

  @Test
  void mathTasksGetTheNumericVerifierByDefaultAndChatGetsNone() {
    VerifierRegistry registry = VerifierRegistry.defaults();

    assertThat(registry.score(generation(TaskKind.MATH, "gsm8k", "#### 42", "42")))
        .singleElement()
        .satisfies(c -> {
          assertThat(c.getName()).isEqualTo(NumericAnswerVerifier.NAME);
          assertThat(c.getValue()).isEqualTo(1.0);
        });
    assertThat(registry.score(generation(TaskKind.CHAT, "chat-app", "hello", null))).isEmpty();
  }

  @Test
  void aDataSourceRuleWinsOverTheKindRule() {
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.free-form", "", "kind.other", "numeric_answer"));

    assertThat(registry.score(generation(TaskKind.MATH, "free-form", "#### 1", "1"))).isEmpty();
    assertThat(registry.score(generation(TaskKind.OTHER, "puzzles", "#### 7", "7"))).hasSize(1);
  }

  @Test
  void unknownSelectorsAndVerifiersAreNamed() {
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("kind.poetry", "numeric_answer")))
        .hasMessageContaining("kind.poetry");
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("source.gsm8k", "numeric_answer,oracle")))
        .hasMessageContaining("oracle")
        .hasMessageContaining("source.gsm8k");
    assertThatThrownBy(() -> VerifierRegistry.fromRules(Map.of("everything", "numeric_answer")))
        .hasMessageContaining("everything");
  }

  @Test
  void anUnparseableGroundTruthIsUnscorableNeverZero() {
    RewardComponent c = VerifierRegistry.defaults().score(generation(TaskKind.MATH, "math", "#### 3", "x^2")).get(0);
    assertThat(c.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(c.getValue()).isNull();
  }

  private static Generation generation(TaskKind kind, String source, String response, String truth) {
    return TestRecords.generation("g")
        .setResponse(response)
        .setTask(TaskMetadata.newBuilder().setKind(kind).setDataSource(source).setGroundTruth(truth).build())
        .build();
  }
}
