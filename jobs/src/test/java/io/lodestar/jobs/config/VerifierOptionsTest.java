package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.verify.ScoreFunction;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verifier rules from the job's options, run by the same function as the pipeline's Verify step.
 */
class VerifierOptionsTest {

  @Test
  void aDataSourceRuleNamingRegexMatchScoresThroughTheVerifyStep() throws Exception {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"--verifiers.source.codes", "regex_match,exact_match"});
    ScoreFunction verify = new ScoreFunction(options.verifierRegistry());

    ScoredGeneration scored =
        verify.map(generation("codes", "AB-1234", Map.of("regex", "[A-Z]{2}-\\d{4}")));

    assertThat(scored.getComponents())
        .extracting(RewardComponent::getName)
        .containsExactly("regex_match", "exact_match");
    assertThat(scored.getComponents())
        .extracting(RewardComponent::getValue)
        .containsExactly(1.0, 1.0);
    assertThat(scored.getReward()).isNull();
  }

  @Test
  void anUnknownVerifierFailsStartUpNamingTheRuleAndEveryAvailableVerifier() {
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--verifiers.kind.OTHER", "regex"}))
        .hasMessageContaining("verifiers.*")
        .hasMessageContaining("kind.OTHER")
        .hasMessageContaining("regex_match");
  }

  private static Generation generation(
      String dataSource, String response, Map<String, String> extra) {
    return Generation.newBuilder()
        .setGenerationId("g")
        .setPromptId("p")
        .setGroupId("grp")
        .setPrompt(List.of(new ChatMessage("user", "code?")))
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setKind(TaskKind.OTHER)
                .setDataSource(dataSource)
                .setGroundTruth(response)
                .setExtra(extra)
                .build())
        .setPolicy(Policy.newBuilder().setModelId("m").build())
        .setCreatedAtMs(1_000)
        .build();
  }
}
