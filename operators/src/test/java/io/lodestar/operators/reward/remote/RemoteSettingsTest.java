package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.TaskKind;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemoteSettingsTest {

  private static final String CANARY = "sk-canary-7f3a91";

  private static CallSettings.Builder judge() {
    return CallSettings.builder(JudgeSettings.PREFIX)
        .url("https://judge.example/")
        .model("grader")
        .apiKey(Secret.of(CANARY));
  }

  @Test
  void defaultsAreValid() {
    CallSettings call = judge().build();
    assertThat(call.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(call.failurePolicy()).isEqualTo(FailurePolicy.UNSCORED);
    assertThat(call.appliesTo(TaskKind.CHAT)).isTrue();
    assertThat(call.asyncTimeout()).isGreaterThan(call.deadline().plus(call.budget().maxWait()));
  }

  @Test
  void messagesNameTheBadKey() {
    assertThatThrownBy(() -> CallSettings.builder("remote-reward").build())
        .hasMessageContaining("remote-reward.url is required");
    assertThatThrownBy(() -> CallSettings.builder("remote-reward").url("ftp://host/x").build())
        .hasMessageContaining("remote-reward.url must be an absolute http or https URL");
    assertThatThrownBy(() -> CallSettings.builder("remote-reward").url("localhost:5000").build())
        .hasMessageContaining("remote-reward.url");
    assertThatThrownBy(() -> judge().timeout(Duration.ZERO).build())
        .hasMessageContaining("judge.timeout must be positive");
    assertThatThrownBy(
            () -> judge().timeout(Duration.ofSeconds(10)).deadline(Duration.ofSeconds(5)).build())
        .hasMessageContaining("judge.deadline must be >= judge.timeout");
    assertThatThrownBy(
            () ->
                judge()
                    .retry(new RetryPolicy(-1, Duration.ofMillis(1), Duration.ofMillis(2)))
                    .build())
        .hasMessageContaining("judge.max-retries");
    assertThatThrownBy(
            () ->
                judge()
                    .retry(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(2)))
                    .build())
        .hasMessageContaining("judge.max-backoff");
    assertThatThrownBy(() -> judge().capacity(0).build())
        .hasMessageContaining("judge.capacity must be >= 1");
    assertThatThrownBy(() -> judge().budget(new RateBudget(-5, 0, Duration.ZERO)).build())
        .hasMessageContaining("judge.rate-budget.requests-per-minute");
    assertThatThrownBy(() -> judge().budget(new RateBudget(0, -5, Duration.ZERO)).build())
        .hasMessageContaining("judge.rate-budget.tokens-per-minute");
    assertThatThrownBy(() -> new JudgeSettings(judge().model("").build()))
        .hasMessageContaining("judge.model is required");
    assertThatThrownBy(
            () ->
                new JudgeSettings(
                    judge().build(), "judge", GuardPolicy.ZERO, "", "Rate {prompt}", null))
        .hasMessageContaining("judge.rubric must contain the placeholder {response}");
    assertThatThrownBy(
            () ->
                new JudgeSettings(judge().build(), "judge", GuardPolicy.ZERO, "", "{response}", 0))
        .hasMessageContaining("judge.max-tokens");
    assertThatThrownBy(
            () ->
                new RemoteRewardSettings(
                    CallSettings.builder("remote-reward").url("http://rm:5000/get_reward").build(),
                    "bad name",
                    PromptFormat.PLAIN))
        .hasMessageContaining("remote-reward.component-name");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(
            () ->
                CallSettings.builder("judge")
                    .url("https://user:" + CANARY + "@judge.example/")
                    .build())
        .hasMessageContaining("judge.url must not carry credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CANARY));
  }

  @Test
  void theApiKeyNeverPrints() throws Exception {
    CallSettings call = judge().taskKinds(Set.of(TaskKind.CHAT)).build();
    JudgeSettings settings = new JudgeSettings(call);
    assertThat(call.toString()).doesNotContain(CANARY).contains("apiKey=****");
    assertThat(settings.toString()).doesNotContain(CANARY);
    assertThat(Secret.of(CANARY).toString()).isEqualTo("****");
    assertThat(Secret.of("").isPresent()).isFalse();
    // Serializable for shipping in the job graph.
    new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(new JudgeClient(settings));
  }

  @Test
  void requestIdsAreDeterministicPerGenerationComponentEndpointAndModel() {
    String id = RequestIds.of("g-1", "judge", "https://judge.example/v1", "grader");
    assertThat(RequestIds.of("g-1", "judge", "https://judge.example/v1", "grader")).isEqualTo(id);
    assertThat(RequestIds.of("g-2", "judge", "https://judge.example/v1", "grader"))
        .isNotEqualTo(id);
    assertThat(RequestIds.of("g-1", "judge2", "https://judge.example/v1", "grader"))
        .isNotEqualTo(id);
    assertThat(RequestIds.of("g-1", "judge", "https://other.example/v1", "grader"))
        .isNotEqualTo(id);
    assertThat(RequestIds.of("g-1", "judge", "https://judge.example/v1", "grader-2"))
        .isNotEqualTo(id);
    assertThat(RequestIds.of("g-1j", "udge", "https://judge.example/v1", "grader"))
        .isNotEqualTo(id);
  }
}
