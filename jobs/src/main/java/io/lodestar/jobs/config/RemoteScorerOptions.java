package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.reward.remote.CallSettings;
import io.lodestar.operators.reward.remote.FailurePolicy;
import io.lodestar.operators.reward.remote.RateBudget;
import io.lodestar.operators.reward.remote.RetryPolicy;
import io.lodestar.operators.reward.remote.Secret;
import io.lodestar.schema.TaskKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * The option family every remote scorer shares, under one prefix ({@code remote-reward} or {@code
 * judge}): endpoint, credential, patience, concurrency, budget and failure handling. {@link
 * RemoteRewardOptions} and {@link JudgeOptions} expose them with their scorer-specific keys.
 */
public final class RemoteScorerOptions {

  /** What happens to a record whose remote score timed out or failed ({@code failure-policy}). */
  public enum FailurePolicyChoice implements DescribedEnum {
    UNSCORED(
        "unscored",
        FailurePolicy.UNSCORED,
        "The record goes on with a TIMEOUT or ERROR component (never scored 0) and is counted."),
    DEAD_LETTER(
        "dead-letter",
        FailurePolicy.DEAD_LETTER,
        "The record leaves the stream as a dead letter with the failure's reason.");

    private final String id;
    private final FailurePolicy policy;
    private final String description;

    FailurePolicyChoice(String id, FailurePolicy policy, String description) {
      this.id = id;
      this.policy = policy;
      this.description = description;
    }

    public FailurePolicy policy() {
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

  final String prefix;
  final ConfigOption<String> url;
  final ConfigOption<String> model;
  final ConfigOption<String> apiKey;
  final ConfigOption<Duration> timeout;
  final ConfigOption<Duration> deadline;
  final ConfigOption<Integer> maxRetries;
  final ConfigOption<Duration> initialBackoff;
  final ConfigOption<Duration> maxBackoff;
  final ConfigOption<Integer> capacity;
  final ConfigOption<Integer> requestsPerMinute;
  final ConfigOption<Long> tokensPerMinute;
  final ConfigOption<Duration> budgetMaxWait;
  final ConfigOption<FailurePolicyChoice> failurePolicy;
  final ConfigOption<String> taskKinds;
  final ConfigOption<String> componentName;

  RemoteScorerOptions(String prefix, String what, String defaultComponent) {
    this.prefix = prefix;
    RetryPolicy retry = RetryPolicy.defaults();
    RateBudget budget = RateBudget.unlimited();
    url = key("url").stringType().defaultValue("").withDescription(what + "; empty: off.");
    model =
        key("model").stringType().defaultValue("").withDescription("Model name at the endpoint.");
    apiKey =
        key("api-key")
            .stringType()
            .defaultValue("")
            .withDescription("Bearer token; use ${env:NAME} or ${file:/path}. Never printed.");
    timeout =
        key("timeout")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("One attempt.");
    deadline =
        key("deadline")
            .durationType()
            .defaultValue(Duration.ofSeconds(120))
            .withDescription("All attempts of one record.");
    maxRetries =
        key("max-retries")
            .intType()
            .defaultValue(retry.maxRetries())
            .withDescription(
                "Retries after the first attempt (429, 5xx, timeouts, refused connections).");
    initialBackoff =
        key("initial-backoff")
            .durationType()
            .defaultValue(retry.initialBackoff())
            .withDescription("First retry's backoff ceiling; doubles per retry.");
    maxBackoff =
        key("max-backoff")
            .durationType()
            .defaultValue(retry.maxBackoff())
            .withDescription("Largest backoff.");
    capacity =
        key("capacity")
            .intType()
            .defaultValue(32)
            .withDescription("Records in flight per subtask.");
    requestsPerMinute =
        key("rate-budget.requests-per-minute")
            .intType()
            .defaultValue(budget.requestsPerMinute())
            .withDescription("Per subtask; 0: no limit.");
    tokensPerMinute =
        key("rate-budget.tokens-per-minute")
            .longType()
            .defaultValue(budget.tokensPerMinute())
            .withDescription("Per subtask; 0: no limit.");
    budgetMaxWait =
        key("rate-budget.max-wait")
            .durationType()
            .defaultValue(budget.maxWait())
            .withDescription("Longest a call waits for budget before it ends as TIMEOUT.");
    failurePolicy =
        key("failure-policy")
            .enumType(FailurePolicyChoice.class)
            .defaultValue(FailurePolicyChoice.UNSCORED)
            .withDescription("What happens to a record whose score timed out or failed.");
    taskKinds =
        key("task-kinds")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated task kinds to score (e.g. CHAT); empty: all.");
    componentName =
        key("component-name")
            .stringType()
            .defaultValue(defaultComponent)
            .withDescription("Name of the reward component the scorer adds.");
  }

  private ConfigOptions.OptionBuilder key(String name) {
    return ConfigOptions.key(prefix + "." + name);
  }

  boolean enabled(Configuration config) {
    return !config.get(url).isBlank();
  }

  /** The validated call settings; messages name the key under this prefix. */
  CallSettings callSettings(Configuration config) {
    return CallSettings.builder(prefix)
        .url(config.get(url))
        .model(config.get(model))
        .apiKey(Secret.of(config.get(apiKey)))
        .timeout(config.get(timeout))
        .deadline(config.get(deadline))
        .retry(
            new RetryPolicy(
                config.get(maxRetries), config.get(initialBackoff), config.get(maxBackoff)))
        .capacity(config.get(capacity))
        .budget(
            new RateBudget(
                config.get(requestsPerMinute),
                config.get(tokensPerMinute),
                config.get(budgetMaxWait)))
        .failurePolicy(config.get(failurePolicy).policy())
        .taskKinds(parseTaskKinds(config.get(taskKinds)))
        .build();
  }

  private Set<TaskKind> parseTaskKinds(String text) {
    Set<TaskKind> kinds = EnumSet.noneOf(TaskKind.class);
    for (String part : text.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        kinds.add(TaskKind.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            taskKinds.key()
                + ": unknown task kind '"
                + name
                + "'; known: "
                + List.of(TaskKind.values()),
            e);
      }
    }
    return kinds;
  }
}
