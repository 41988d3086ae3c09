package io.lodestar.operators.validate;

import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationValidatorTest {

  private static final GenerationValidator.Limits LIMITS =
      new GenerationValidator.Limits(16, 100, 50, 8, 10);
  private final GenerationValidator validator = new GenerationValidator(LIMITS);

  private static Generation.Builder valid() {
    return generation("g-1").setGroupId("grp-1").setExpectedGroupSize(4).setSampleIndex(0);
  }

  private Optional<String> violation(Generation.Builder builder) {
    return validator.firstViolation(builder.build());
  }

  private static List<Float> floats(Float... values) {
    return new ArrayList<>(Arrays.asList(values));
  }

  @Test
  void acceptsAValidGeneration() {
    assertThat(violation(valid())).isEmpty();
    assertThat(
            violation(
                valid()
                    .setExpectedGroupSize(null)
                    .setResponseTokenIds(null)
                    .setResponseLogprobs(null)))
        .isEmpty();
    assertThat(violation(valid().setExpectedGroupSize(8))).as("the limit itself").isEmpty();
    assertThat(violation(valid().setResponse("x".repeat(50)))).as("the limit itself").isEmpty();
  }

  @Test
  void acceptsAValidGenerationUnderDefaultLimits() {
    GenerationValidator withDefaults =
        new GenerationValidator(GenerationValidator.Limits.defaults());
    assertThat(withDefaults.firstViolation(valid().build())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void namesABlankGenerationId(String blank) {
    assertThat(violation(valid().setGenerationId(blank)))
        .hasValueSatisfying(r -> assertThat(r).contains("generationId"));
  }

  @Test
  void namesEachMissingOrBlankId() {
    assertThat(violation(valid().setPromptId("")))
        .hasValueSatisfying(r -> assertThat(r).contains("promptId"));
    assertThat(violation(valid().setGroupId(" ")))
        .hasValueSatisfying(r -> assertThat(r).contains("groupId"));
  }

  @Test
  void namesAnIdLongerThanTheLimit() {
    assertThat(violation(valid().setGenerationId("g".repeat(17))))
        .hasValueSatisfying(
            r -> assertThat(r).contains("generationId").contains("17").contains("16"));
    assertThat(violation(valid().setGroupId("g".repeat(17))))
        .hasValueSatisfying(r -> assertThat(r).contains("groupId"));
  }

  @Test
  void namesAnOversizedResponse() {
    assertThat(violation(valid().setResponse("x".repeat(51))))
        .hasValueSatisfying(r -> assertThat(r).contains("response").contains("51").contains("50"));
  }

  @Test
  void namesAnOversizedOrEmptyPrompt() {
    ChatMessage longMessage =
        ChatMessage.newBuilder().setRole("user").setContent("y".repeat(101)).build();
    assertThat(violation(valid().setPrompt(new ArrayList<>(List.of(longMessage)))))
        .hasValueSatisfying(r -> assertThat(r).contains("prompt").contains("101"));
    assertThat(violation(valid().setPrompt(new ArrayList<>())))
        .hasValueSatisfying(r -> assertThat(r).contains("prompt"));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 9, 100_000})
  void namesAGroupSizeOutsideOneToTheLimit(int size) {
    assertThat(violation(valid().setExpectedGroupSize(size)))
        .hasValueSatisfying(
            r -> assertThat(r).contains("expectedGroupSize").contains(Integer.toString(size)));
  }

  @Test
  void namesALogprobCountThatDoesNotMatchTheTokens() {
    assertThat(violation(valid().setResponseLogprobs(floats(-0.1f, -0.2f))))
        .hasValueSatisfying(
            r -> assertThat(r).contains("responseLogprobs").contains("responseTokenIds"));
    assertThat(violation(valid().setResponseTokenIds(null)))
        .hasValueSatisfying(r -> assertThat(r).contains("responseLogprobs"));
  }

  @Test
  void namesAnUpstreamRewardWithANonFiniteValue() {
    for (double bad :
        new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThat(violation(valid().setUpstreamRewards(upstream(0.5, bad))))
          .hasValueSatisfying(
              r ->
                  assertThat(r)
                      .contains("upstreamRewards")
                      .contains("rm_upstream_1")
                      .contains("non-finite"));
    }
  }

  @Test
  void acceptsUpstreamRewardsThatAreFiniteOrUnscored() {
    assertThat(violation(valid().setUpstreamRewards(upstream(0.5, -2.0)))).isEmpty();
    assertThat(violation(valid().setUpstreamRewards(upstream(0.5, null))))
        .as("null means unscored")
        .isEmpty();
    assertThat(violation(valid().setUpstreamRewards(new ArrayList<>()))).isEmpty();
  }

  private static List<RewardComponent> upstream(Double... values) {
    List<RewardComponent> components = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      components.add(
          RewardComponent.newBuilder()
              .setName("rm_upstream_" + i)
              .setValue(values[i])
              .setStatus(values[i] == null ? RewardStatus.ERROR : RewardStatus.OK)
              .setSource(RewardSource.MODEL)
              .setVersion("serving-rm/3")
              .build());
    }
    return components;
  }

  @Test
  void namesAPositiveLogprob() {
    assertThat(violation(valid().setResponseLogprobs(floats(-0.1f, 0.5f, -0.3f))))
        .hasValueSatisfying(r -> assertThat(r).contains("responseLogprobs"));
  }

  @Test
  void namesANaNLogprob() {
    assertThat(violation(valid().setResponseLogprobs(floats(-0.1f, Float.NaN, -0.3f))))
        .hasValueSatisfying(r -> assertThat(r).contains("responseLogprobs"));
  }

  @Test
  void namesANonFiniteLogprob() {
    assertThat(
            violation(valid().setResponseLogprobs(floats(-0.1f, Float.NEGATIVE_INFINITY, -0.3f))))
        .hasValueSatisfying(r -> assertThat(r).contains("responseLogprobs"));
    assertThat(
            violation(valid().setResponseLogprobs(floats(-0.1f, Float.POSITIVE_INFINITY, -0.3f))))
        .hasValueSatisfying(r -> assertThat(r).contains("responseLogprobs"));
  }

  @Test
  void namesTooManyTokens() {
    List<Integer> tokens = new ArrayList<>(Collections.nCopies(11, 5));
    assertThat(violation(valid().setResponseTokenIds(tokens).setResponseLogprobs(null)))
        .hasValueSatisfying(r -> assertThat(r).contains("token ids"));
    assertThat(violation(valid().setPromptTokenIds(tokens)))
        .hasValueSatisfying(r -> assertThat(r).contains("token ids"));
  }

  @Test
  void namesAZeroCreatedAt() {
    assertThat(violation(valid().setCreatedAtMs(0)))
        .hasValueSatisfying(r -> assertThat(r).contains("createdAtMs"));
    assertThat(violation(valid().setCreatedAtMs(-5)))
        .hasValueSatisfying(r -> assertThat(r).contains("createdAtMs"));
  }

  @Test
  void namesABlankModelIdOrNegativePolicyVersion() {
    assertThat(violation(valid().setPolicy(Policy.newBuilder().setModelId(" ").build())))
        .hasValueSatisfying(r -> assertThat(r).contains("policy.modelId"));
    assertThat(
            violation(
                valid()
                    .setPolicy(Policy.newBuilder().setModelId("m").setPolicyVersion(-1).build())))
        .hasValueSatisfying(r -> assertThat(r).contains("policy.policyVersion"));
  }
}
