package io.lodestar.jobs.config;

import java.time.Duration;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** Checks shared by the options classes; every message starts with, or names, the key. */
final class OptionChecks {

  private OptionChecks() {}

  /** Parses a free-form option, prefixing the parser's message with the key. */
  static <T> T parse(
      Configuration config, ConfigOption<String> option, Function<String, T> parser) {
    try {
      return parser.apply(config.get(option));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option.key() + ": " + e.getMessage(), e);
    }
  }

  static void requireAtLeastOne(Configuration config, ConfigOption<Integer> option) {
    if (config.get(option) < 1) {
      throw new IllegalArgumentException(
          option.key() + " must be at least 1, was " + config.get(option));
    }
  }

  static void requirePositive(Configuration config, ConfigOption<Duration> option) {
    Duration value = config.get(option);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          option.key() + " must be a positive duration, was " + value);
    }
  }
}
