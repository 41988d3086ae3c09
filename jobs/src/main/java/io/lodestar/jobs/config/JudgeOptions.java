package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.reward.remote.GuardPolicy;
import io.lodestar.operators.reward.remote.JudgeRubric;
import io.lodestar.operators.reward.remote.JudgeSettings;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * An LLM judge behind an OpenAI-compatible chat-completions API; on when {@code judge.url} is set.
 */
public final class JudgeOptions {

  private JudgeOptions() {}

  /** What content-free responses get without a judge call ({@code judge.guard}). */
  public enum GuardChoice implements DescribedEnum {
    ZERO("zero", GuardPolicy.ZERO, "An OK component of value 0: such answers pay nothing."),
    UNSCORED("unscored", GuardPolicy.UNSCORED, "An UNSCORABLE component (no value).");

    private final String id;
    private final GuardPolicy policy;
    private final String description;

    GuardChoice(String id, GuardPolicy policy, String description) {
      this.id = id;
      this.policy = policy;
      this.description = description;
    }

    public GuardPolicy policy() {
      return policy;
    }

    @Override
    public String toString() {
      return id;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  static final RemoteScorerOptions SCORER =
      new RemoteScorerOptions(
          JudgeSettings.PREFIX,
          "Base URL of an OpenAI-compatible chat-completions judge",
          JudgeSettings.DEFAULT_COMPONENT);

  public static final ConfigOption<String> JUDGE_URL = SCORER.url;
  public static final ConfigOption<String> JUDGE_MODEL = SCORER.model;
  public static final ConfigOption<String> JUDGE_API_KEY = SCORER.apiKey;
  public static final ConfigOption<Duration> JUDGE_TIMEOUT = SCORER.timeout;
  public static final ConfigOption<Duration> JUDGE_DEADLINE = SCORER.deadline;
  public static final ConfigOption<Integer> JUDGE_MAX_RETRIES = SCORER.maxRetries;
  public static final ConfigOption<Duration> JUDGE_INITIAL_BACKOFF = SCORER.initialBackoff;
  public static final ConfigOption<Duration> JUDGE_MAX_BACKOFF = SCORER.maxBackoff;
  public static final ConfigOption<Integer> JUDGE_CAPACITY = SCORER.capacity;
  public static final ConfigOption<Integer> JUDGE_REQUESTS_PER_MINUTE = SCORER.requestsPerMinute;
  public static final ConfigOption<Long> JUDGE_TOKENS_PER_MINUTE = SCORER.tokensPerMinute;
  public static final ConfigOption<Duration> JUDGE_BUDGET_MAX_WAIT = SCORER.budgetMaxWait;
  public static final ConfigOption<RemoteScorerOptions.FailurePolicyChoice> JUDGE_FAILURE_POLICY =
      SCORER.failurePolicy;
  public static final ConfigOption<String> JUDGE_TASK_KINDS = SCORER.taskKinds;
  public static final ConfigOption<String> JUDGE_COMPONENT_NAME = SCORER.componentName;

  public static final ConfigOption<GuardChoice> JUDGE_GUARD =
      ConfigOptions.key("judge.guard")
          .enumType(GuardChoice.class)
          .defaultValue(GuardChoice.ZERO)
          .withDescription("What content-free responses get without a judge call.");
  public static final ConfigOption<String> JUDGE_SYSTEM_PROMPT =
      ConfigOptions.key("judge.system-prompt")
          .stringType()
          .defaultValue(JudgeRubric.DEFAULT_SYSTEM)
          .withDescription("The judge's system message.");
  public static final ConfigOption<String> JUDGE_RUBRIC =
      ConfigOptions.key("judge.rubric")
          .stringType()
          .defaultValue(JudgeRubric.DEFAULT_TEMPLATE)
          .withDescription(
              "User message template with {prompt}, {response} (required) and {reference}.");
  public static final ConfigOption<Integer> JUDGE_MAX_TOKENS =
      ConfigOptions.key("judge.max-tokens")
          .intType()
          .noDefaultValue()
          .withDescription("max_tokens of each judge request; unset: not sent.");

  /** The LLM judge's settings, or empty when {@code judge.url} is not set. */
  static Optional<JudgeSettings> judge(Configuration config) {
    if (!SCORER.enabled(config)) {
      return Optional.empty();
    }
    return Optional.of(
        new JudgeSettings(
            SCORER.callSettings(config),
            config.get(JUDGE_COMPONENT_NAME),
            config.get(JUDGE_GUARD).policy(),
            config.get(JUDGE_SYSTEM_PROMPT),
            config.get(JUDGE_RUBRIC),
            config.getOptional(JUDGE_MAX_TOKENS).orElse(null)));
  }
}
