package io.lodestar.operators.validate;

import io.lodestar.connectors.RecordValidator;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.io.Serializable;
import java.util.Optional;

/**
 * Rejects generations a trainer could not use or that would poison state: missing ids, empty
 * prompts, absurd sizes, token arrays out of step with their log-probs, non-finite log-probs,
 * upstream reward components with a non-finite value.
 */
public final class GenerationValidator implements RecordValidator<Generation> {

  private static final long serialVersionUID = 1L;

  private final Limits limits;

  /** Upper bounds on what one generation may carry. */
  public record Limits(
      int maxIdChars, int maxPromptChars, int maxResponseChars, int maxGroupSize, int maxTokens)
      implements Serializable {
    public static Limits defaults() {
      return new Limits(256, 200_000, 200_000, 1024, 131_072);
    }
  }

  public GenerationValidator(Limits limits) {
    this.limits = limits;
  }

  @Override
  public Optional<String> firstViolation(Generation g) {
    Optional<String> idProblem =
        firstPresent(
            checkId("generationId", g.getGenerationId()),
            checkId("promptId", g.getPromptId()),
            checkId("groupId", g.getGroupId()));
    if (idProblem.isPresent()) {
      return idProblem;
    }
    if (g.getExpectedGroupSize() != null
        && (g.getExpectedGroupSize() < 1 || g.getExpectedGroupSize() > limits.maxGroupSize())) {
      return Optional.of(
          "expectedGroupSize "
              + g.getExpectedGroupSize()
              + " is outside 1.."
              + limits.maxGroupSize());
    }
    if (g.getPrompt().isEmpty()) {
      return Optional.of("prompt has no messages");
    }
    long promptChars = 0;
    for (ChatMessage m : g.getPrompt()) {
      promptChars += m.getContent().length();
    }
    if (promptChars > limits.maxPromptChars()) {
      return Optional.of(
          "prompt has " + promptChars + " chars, more than " + limits.maxPromptChars());
    }
    if (g.getResponse().length() > limits.maxResponseChars()) {
      return Optional.of(
          "response has "
              + g.getResponse().length()
              + " chars, more than "
              + limits.maxResponseChars());
    }
    if (g.getPolicy().getModelId().isBlank()) {
      return Optional.of("policy.modelId is blank");
    }
    if (g.getPolicy().getPolicyVersion() < 0) {
      return Optional.of("policy.policyVersion is negative");
    }
    if (g.getCreatedAtMs() <= 0) {
      return Optional.of("createdAtMs " + g.getCreatedAtMs() + " is not a valid event time");
    }
    Optional<String> tokenProblem = checkTokens(g);
    return tokenProblem.isPresent() ? tokenProblem : checkUpstreamRewards(g);
  }

  private static Optional<String> checkUpstreamRewards(Generation g) {
    for (RewardComponent c : g.getUpstreamRewards()) {
      // A null value is how an unscored component says so; NaN or infinity would poison the reward.
      if (c.getValue() != null && !Double.isFinite(c.getValue())) {
        return Optional.of(
            "upstreamRewards component "
                + c.getName()
                + " has a non-finite value: "
                + c.getValue());
      }
    }
    return Optional.empty();
  }

  private Optional<String> checkTokens(Generation g) {
    int tokens = g.getResponseTokenIds() == null ? -1 : g.getResponseTokenIds().size();
    if (tokens > limits.maxTokens()
        || (g.getPromptTokenIds() != null && g.getPromptTokenIds().size() > limits.maxTokens())) {
      return Optional.of("token ids exceed " + limits.maxTokens());
    }
    if (g.getResponseLogprobs() != null) {
      if (g.getResponseLogprobs().size() != tokens) {
        return Optional.of(
            "responseLogprobs has "
                + g.getResponseLogprobs().size()
                + " entries but responseTokenIds has "
                + Math.max(tokens, 0));
      }
      for (Float logprob : g.getResponseLogprobs()) {
        if (logprob == null || !Float.isFinite(logprob) || logprob > 0f) {
          return Optional.of(
              "responseLogprobs holds a value that is not a log-probability: " + logprob);
        }
      }
    }
    return Optional.empty();
  }

  private Optional<String> checkId(String field, String value) {
    if (value == null || value.isBlank()) {
      return Optional.of(field + " is missing");
    }
    if (value.length() > limits.maxIdChars()) {
      return Optional.of(
          field + " has " + value.length() + " chars, more than " + limits.maxIdChars());
    }
    return Optional.empty();
  }

  @SafeVarargs
  private static Optional<String> firstPresent(Optional<String>... checks) {
    for (Optional<String> check : checks) {
      if (check.isPresent()) {
        return check;
      }
    }
    return Optional.empty();
  }
}
