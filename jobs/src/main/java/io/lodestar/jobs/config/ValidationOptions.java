package io.lodestar.jobs.config;

import io.lodestar.operators.validate.GenerationValidator;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Limits on inputs (larger ones become dead letters) and on what a dead letter keeps. */
public final class ValidationOptions {

  private ValidationOptions() {}

  public static final ConfigOption<Integer> MAX_RESPONSE_CHARS =
      ConfigOptions.key("validate.max-response-chars")
          .intType()
          .defaultValue(200_000)
          .withDescription("Longer responses are dead-lettered.");
  public static final ConfigOption<Integer> MAX_PROMPT_CHARS =
      ConfigOptions.key("validate.max-prompt-chars")
          .intType()
          .defaultValue(200_000)
          .withDescription("Longer prompts are dead-lettered.");
  public static final ConfigOption<Integer> MAX_GROUP_SIZE =
      ConfigOptions.key("validate.max-group-size")
          .intType()
          .defaultValue(1024)
          .withDescription("Larger declared group sizes are dead-lettered.");
  public static final ConfigOption<Duration> MAX_CLOCK_SKEW =
      ConfigOptions.key("validate.max-clock-skew")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "Inputs whose event time (createdAtMs, publishedAtMs) is further ahead of the wall clock than this "
                  + "are dead-lettered as FUTURE_EVENT_TIME (a clock set wrong, a time in microseconds), and never move the watermark.");
  public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD =
      ConfigOptions.key("dead-letter.max-payload-bytes")
          .intType()
          .defaultValue(1 << 20)
          .withDescription(
              "Raw bytes kept in a dead letter; longer payloads are truncated (the size is recorded),"
                  + " and cut further when the dead-letter topic's limit needs it.");

  static void validate(Configuration config) {
    OptionChecks.requireAtLeastOne(config, MAX_RESPONSE_CHARS);
    OptionChecks.requireAtLeastOne(config, MAX_PROMPT_CHARS);
    OptionChecks.requireAtLeastOne(config, MAX_GROUP_SIZE);
    OptionChecks.requireAtLeastOne(config, DEAD_LETTER_MAX_PAYLOAD);
    if (config.get(MAX_CLOCK_SKEW).isNegative()) {
      throw new IllegalArgumentException(
          MAX_CLOCK_SKEW.key() + " must not be negative, was " + config.get(MAX_CLOCK_SKEW));
    }
    OptionChecks.requirePositive(config, MAX_CLOCK_SKEW);
  }

  static GenerationValidator.Limits generationLimits(Configuration config) {
    GenerationValidator.Limits defaults = GenerationValidator.Limits.defaults();
    return new GenerationValidator.Limits(
        defaults.maxIdChars(),
        config.get(MAX_PROMPT_CHARS),
        config.get(MAX_RESPONSE_CHARS),
        config.get(MAX_GROUP_SIZE),
        defaults.maxTokens());
  }
}
