package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.reward.remote.PromptFormat;
import io.lodestar.operators.reward.remote.RemoteRewardSettings;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * A remote reward model that speaks OpenRLHF's protocol; on when {@code remote-reward.url} is set.
 */
public final class RemoteRewardOptions {

  private RemoteRewardOptions() {}

  /** How chat messages become the prompt string ({@code remote-reward.prompt-format}). */
  public enum PromptFormatChoice implements DescribedEnum {
    PLAIN("plain", PromptFormat.PLAIN, "Message contents joined by a blank line, no roles."),
    CHATML("chatml", PromptFormat.CHATML, "ChatML turns, ending with an open assistant turn.");

    private final String id;
    private final PromptFormat format;
    private final String description;

    PromptFormatChoice(String id, PromptFormat format, String description) {
      this.id = id;
      this.format = format;
      this.description = description;
    }

    public PromptFormat format() {
      return format;
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
          RemoteRewardSettings.PREFIX,
          "OpenRLHF-protocol reward endpoint (full URL)",
          RemoteRewardSettings.DEFAULT_COMPONENT);

  public static final ConfigOption<String> REMOTE_REWARD_URL = SCORER.url;
  public static final ConfigOption<String> REMOTE_REWARD_MODEL = SCORER.model;
  public static final ConfigOption<String> REMOTE_REWARD_API_KEY = SCORER.apiKey;
  public static final ConfigOption<Duration> REMOTE_REWARD_TIMEOUT = SCORER.timeout;
  public static final ConfigOption<Duration> REMOTE_REWARD_DEADLINE = SCORER.deadline;
  public static final ConfigOption<Integer> REMOTE_REWARD_MAX_RETRIES = SCORER.maxRetries;
  public static final ConfigOption<Duration> REMOTE_REWARD_INITIAL_BACKOFF = SCORER.initialBackoff;
  public static final ConfigOption<Duration> REMOTE_REWARD_MAX_BACKOFF = SCORER.maxBackoff;
  public static final ConfigOption<Integer> REMOTE_REWARD_CAPACITY = SCORER.capacity;
  public static final ConfigOption<Integer> REMOTE_REWARD_REQUESTS_PER_MINUTE =
      SCORER.requestsPerMinute;
  public static final ConfigOption<Long> REMOTE_REWARD_TOKENS_PER_MINUTE = SCORER.tokensPerMinute;
  public static final ConfigOption<Duration> REMOTE_REWARD_BUDGET_MAX_WAIT = SCORER.budgetMaxWait;
  public static final ConfigOption<RemoteScorerOptions.FailurePolicyChoice>
      REMOTE_REWARD_FAILURE_POLICY = SCORER.failurePolicy;
  public static final ConfigOption<String> REMOTE_REWARD_TASK_KINDS = SCORER.taskKinds;
  public static final ConfigOption<String> REMOTE_REWARD_COMPONENT_NAME = SCORER.componentName;

  public static final ConfigOption<PromptFormatChoice> REMOTE_REWARD_PROMPT_FORMAT =
      ConfigOptions.key("remote-reward.prompt-format")
          .enumType(PromptFormatChoice.class)
          .defaultValue(PromptFormatChoice.PLAIN)
          .withDescription(
              "How chat messages become the prompt string; pick what the reward server expects.");

  /** The remote reward model's settings, or empty when {@code remote-reward.url} is not set. */
  static Optional<RemoteRewardSettings> remoteReward(Configuration config) {
    if (!SCORER.enabled(config)) {
      return Optional.empty();
    }
    return Optional.of(
        new RemoteRewardSettings(
            SCORER.callSettings(config),
            config.get(REMOTE_REWARD_COMPONENT_NAME),
            config.get(REMOTE_REWARD_PROMPT_FORMAT).format()));
  }
}
