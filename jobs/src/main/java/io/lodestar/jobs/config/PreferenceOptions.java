package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.preference.PreferenceSettings;
import io.lodestar.operators.preference.Redactor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How feedback meets its generations, and how feedback and group rewards become pairs. */
public final class PreferenceOptions {

  private PreferenceOptions() {}

  /** Pairs from the rewards of closed groups ({@code preference.group-pairs}). */
  public enum GroupPairsChoice implements DescribedEnum {
    OFF("off", PreferenceSettings.GroupPairMode.OFF, "No pairs from group rewards."),
    BEST_WORST(
        "best-worst",
        PreferenceSettings.GroupPairMode.BEST_WORST,
        "The best member over the worst."),
    BEST_RANDOM(
        "best-random",
        PreferenceSettings.GroupPairMode.BEST_RANDOM,
        "The best member over another, picked from the group id so replays agree."),
    ALL_ABOVE_MARGIN(
        "all-above-margin",
        PreferenceSettings.GroupPairMode.ALL_ABOVE_MARGIN,
        "Every two members further apart than preference.group-margin.");

    private final String id;
    private final PreferenceSettings.GroupPairMode mode;
    private final String description;

    GroupPairsChoice(String id, PreferenceSettings.GroupPairMode mode, String description) {
      this.id = id;
      this.mode = mode;
      this.description = description;
    }

    public PreferenceSettings.GroupPairMode mode() {
      return mode;
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

  public static final ConfigOption<Duration> FEEDBACK_KEEP_GENERATIONS =
      ConfigOptions.key("feedback.keep-generations")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("Event time a generation is kept for feedback that may still arrive.");
  public static final ConfigOption<Duration> FEEDBACK_MAX_WAIT =
      ConfigOptions.key("feedback.max-wait")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Event time feedback waits for its generation before it is routed as unmatched.");

  public static final ConfigOption<Duration> PREFERENCE_PROMPT_WINDOW =
      ConfigOptions.key("preference.prompt-window")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Event time a prompt's thumbs and ratings are collected before they are compared.");
  public static final ConfigOption<Integer> PREFERENCE_MAX_PAIRS =
      ConfigOptions.key("preference.max-pairs-per-prompt")
          .intType()
          .defaultValue(8)
          .withDescription("Most pairs one prompt window, or one group, yields.");
  public static final ConfigOption<Double> PREFERENCE_RATING_GAP =
      ConfigOptions.key("preference.rating-gap")
          .doubleType()
          .defaultValue(0.25)
          .withDescription(
              "Ratings of one prompt pair up when they differ by more than this (0-1 scale when the range is known).");
  public static final ConfigOption<Boolean> PREFERENCE_REGENERATION_PAIRS =
      ConfigOptions.key("preference.regeneration-pairs")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "A regeneration naming its replacement also yields replacement over discarded.");
  public static final ConfigOption<Boolean> PREFERENCE_BOTH_BAD_UNPAIRED =
      ConfigOptions.key("preference.both-bad-unpaired")
          .booleanType()
          .defaultValue(false)
          .withDescription("A both-bad vote yields two undesirable unpaired examples.");
  public static final ConfigOption<GroupPairsChoice> PREFERENCE_GROUP_PAIRS =
      ConfigOptions.key("preference.group-pairs")
          .enumType(GroupPairsChoice.class)
          .defaultValue(GroupPairsChoice.OFF)
          .withDescription("Pairs from the rewards of closed groups.");
  public static final ConfigOption<Double> PREFERENCE_GROUP_MARGIN =
      ConfigOptions.key("preference.group-margin")
          .doubleType()
          .defaultValue(0.0)
          .withDescription("Rewards of one group pair up only when they differ by more than this.");
  public static final ConfigOption<String> PREFERENCE_WEIGHTS =
      ConfigOptions.key("preference.weights")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Confidence per source, each in (0, 1], e.g. vote=1,thumb=0.8,rating=0.8,edit=1,regenerate=0.3,group-reward=0.5;"
                  + " unnamed sources keep these defaults.");
  public static final ConfigOption<String> PREFERENCE_REDACTION =
      ConfigOptions.key("preference.redaction")
          .stringType()
          .defaultValue("none")
          .withDescription(
              "Runs on every pair and unpaired example before it is written: none, pii or class:<Redactor implementation>.");

  static void validate(Configuration config) {
    OptionChecks.requirePositive(config, FEEDBACK_MAX_WAIT);
    OptionChecks.requirePositive(config, FEEDBACK_KEEP_GENERATIONS);
    OptionChecks.requirePositive(config, PREFERENCE_PROMPT_WINDOW);
    preferenceSettings(config);
    redactor(config);
  }

  /** How feedback and group rewards become pairs and unpaired examples; messages name the key. */
  static PreferenceSettings preferenceSettings(Configuration config) {
    PreferenceSettings.Weights weights =
        OptionChecks.parse(config, PREFERENCE_WEIGHTS, PreferenceOptions::preferenceWeights);
    return new PreferenceSettings(
        config.get(PREFERENCE_PROMPT_WINDOW),
        config.get(PREFERENCE_MAX_PAIRS),
        config.get(PREFERENCE_RATING_GAP),
        config.get(PREFERENCE_REGENERATION_PAIRS),
        config.get(PREFERENCE_BOTH_BAD_UNPAIRED),
        config.get(PREFERENCE_GROUP_PAIRS).mode(),
        config.get(PREFERENCE_GROUP_MARGIN),
        weights);
  }

  /** The redaction every training example passes before it is written. */
  static Redactor redactor(Configuration config) {
    return OptionChecks.parse(config, PREFERENCE_REDACTION, Redactor::parse);
  }

  private static PreferenceSettings.Weights preferenceWeights(String text) {
    Map<String, Double> w = new LinkedHashMap<>();
    PreferenceSettings.Weights d = PreferenceSettings.Weights.defaults();
    w.put("vote", d.vote());
    w.put("thumb", d.thumb());
    w.put("rating", d.rating());
    w.put("edit", d.edit());
    w.put("regenerate", d.regenerate());
    w.put("group-reward", d.groupReward());
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.split("=", 2);
      String name = kv[0].trim();
      if (kv.length != 2 || !w.containsKey(name)) {
        throw new IllegalArgumentException(
            "expected <source>=<weight> with source one of "
                + w.keySet()
                + ", was '"
                + part.trim()
                + "'");
      }
      try {
        w.put(name, Double.parseDouble(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "weight of " + name + " is not a number: '" + kv[1].trim() + "'", e);
      }
    }
    return new PreferenceSettings.Weights(
        w.get("vote"),
        w.get("thumb"),
        w.get("rating"),
        w.get("edit"),
        w.get("regenerate"),
        w.get("group-reward"));
  }
}
