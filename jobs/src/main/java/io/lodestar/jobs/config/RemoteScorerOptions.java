package io.lodestar.jobs.config;

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

/**
 * The option family every remote scorer shares, under one prefix ({@code remote-reward} or {@code
 * judge}): endpoint, credential, patience, concurrency, budget and failure handling. The
 * scorer-specific keys live in {@link LodestarOptions}.
 */
final class RemoteScorerOptions {

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
  final ConfigOption<String> failurePolicy;
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
            .stringType()
            .defaultValue("unscored")
            .withDescription("unscored (TIMEOUT/ERROR component, never 0) or dead-letter.");
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

  List<ConfigOption<?>> all() {
    return List.of(
        url,
        model,
        apiKey,
        timeout,
        deadline,
        maxRetries,
        initialBackoff,
        maxBackoff,
        capacity,
        requestsPerMinute,
        tokensPerMinute,
        budgetMaxWait,
        failurePolicy,
        taskKinds,
        componentName);
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
        .failurePolicy(parseFailurePolicy(config.get(failurePolicy)))
        .taskKinds(parseTaskKinds(config.get(taskKinds)))
        .build();
  }

  private FailurePolicy parseFailurePolicy(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "unscored":
        return FailurePolicy.UNSCORED;
      case "dead-letter":
        return FailurePolicy.DEAD_LETTER;
      default:
        throw new IllegalArgumentException(
            failurePolicy.key() + " must be unscored or dead-letter, was " + text);
    }
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
