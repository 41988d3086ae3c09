package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.reward.compose.Gate;
import io.lodestar.operators.reward.compose.OverlongShaping;
import io.lodestar.operators.reward.compose.RewardComposition;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How reward components combine into the reward, and overlong shaping (docs/rewards.md). */
public final class RewardOptions {

  private RewardOptions() {}

  /** Overlong reward shaping ({@code reward.overlong.mode}). */
  public enum OverlongModeChoice implements DescribedEnum {
    NONE(OverlongShaping.Mode.NONE, "No shaping."),
    DAPO(OverlongShaping.Mode.DAPO, "The DAPO paper's rule."),
    VERL(OverlongShaping.Mode.VERL, "verl's overlong_buffer, with its penalty factor.");

    private final OverlongShaping.Mode mode;
    private final String description;

    OverlongModeChoice(OverlongShaping.Mode mode, String description) {
      this.mode = mode;
      this.description = description;
    }

    public OverlongShaping.Mode mode() {
      return mode;
    }

    @Override
    public String toString() {
      return mode.id();
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<String> REWARD_WEIGHTS =
      ConfigOptions.key("reward.weights")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Weights of the reward's weighted mean, name:weight,... (*:w for every other name; default 1).");
  public static final ConfigOption<String> REWARD_GATES =
      ConfigOptions.key("reward.gates")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Gates in order, e.g. format>=1.0 else -1.0;...: a failing gate sets the reward to its penalty.");
  public static final ConfigOption<String> REWARD_MISSING =
      ConfigOptions.key("reward.missing")
          .stringType()
          .defaultValue("skip")
          .withDescription(
              "Missing or unscored components: skip, unscored or substitute:<v>, plus name=<policy> entries.");
  public static final ConfigOption<OverlongModeChoice> REWARD_OVERLONG_MODE =
      ConfigOptions.key("reward.overlong.mode")
          .enumType(OverlongModeChoice.class)
          .defaultValue(OverlongModeChoice.NONE)
          .withDescription("Overlong reward shaping.");
  public static final ConfigOption<Integer> REWARD_OVERLONG_MAX_LENGTH =
      ConfigOptions.key("reward.overlong.max-length")
          .intType()
          .noDefaultValue()
          .withDescription("L_max in tokens (verl: data.max_response_length).");
  public static final ConfigOption<Integer> REWARD_OVERLONG_BUFFER_LENGTH =
      ConfigOptions.key("reward.overlong.buffer-length")
          .intType()
          .noDefaultValue()
          .withDescription(
              "L_cache in tokens (verl: overlong_buffer.len): shaping starts at max-length minus this.");
  public static final ConfigOption<Double> REWARD_OVERLONG_PENALTY_FACTOR =
      ConfigOptions.key("reward.overlong.penalty-factor")
          .doubleType()
          .noDefaultValue()
          .withDescription(
              "verl's overlong_buffer.penalty_factor (mode verl only; 1.0 when unset).");
  public static final ConfigOption<String> REWARD_OVERLONG_LENGTH_FALLBACK =
      ConfigOptions.key("reward.overlong.length-fallback")
          .stringType()
          .defaultValue("unscorable")
          .withDescription(
              "Without responseTokenIds: unscorable (no shaping) or estimate:<chars per token>.");

  /** How reward components combine into the reward; fails naming the key that is wrong. */
  static RewardComposition rewardComposition(Configuration config) {
    RewardComposition.Weights weights =
        OptionChecks.parse(config, REWARD_WEIGHTS, RewardComposition.Weights::parse);
    RewardComposition.MissingRules missing =
        OptionChecks.parse(config, REWARD_MISSING, RewardComposition.MissingRules::parse);
    List<Gate> gates = OptionChecks.parse(config, REWARD_GATES, Gate::parseAll);
    OverlongShaping overlong = overlongShaping(config);
    try {
      return RewardComposition.of(weights, missing, gates, overlong);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_WEIGHTS.key()
              + ", "
              + REWARD_MISSING.key()
              + " or "
              + REWARD_GATES.key()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static OverlongShaping overlongShaping(Configuration config) {
    OverlongShaping.Mode mode = config.get(REWARD_OVERLONG_MODE).mode();
    Optional<Integer> max = config.getOptional(REWARD_OVERLONG_MAX_LENGTH);
    Optional<Integer> buffer = config.getOptional(REWARD_OVERLONG_BUFFER_LENGTH);
    Optional<Double> factor = config.getOptional(REWARD_OVERLONG_PENALTY_FACTOR);
    if (mode == OverlongShaping.Mode.NONE) {
      for (ConfigOption<?> o :
          List.of(
              REWARD_OVERLONG_MAX_LENGTH,
              REWARD_OVERLONG_BUFFER_LENGTH,
              REWARD_OVERLONG_PENALTY_FACTOR)) {
        if (config.getOptional(o).isPresent()) {
          throw new IllegalArgumentException(
              o.key()
                  + " is set but "
                  + REWARD_OVERLONG_MODE.key()
                  + " is none; set the mode to dapo or verl");
        }
      }
      return OverlongShaping.NONE;
    }
    for (ConfigOption<Integer> o :
        List.of(REWARD_OVERLONG_MAX_LENGTH, REWARD_OVERLONG_BUFFER_LENGTH)) {
      if (config.getOptional(o).isEmpty()) {
        throw new IllegalArgumentException(
            o.key() + " is required when " + REWARD_OVERLONG_MODE.key() + "=" + mode.id());
      }
    }
    if (mode == OverlongShaping.Mode.DAPO && factor.isPresent()) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_PENALTY_FACTOR.key()
              + " applies only to "
              + REWARD_OVERLONG_MODE.key()
              + "=verl (the paper's rule has none)");
    }
    OverlongShaping.LengthFallback fallback =
        OptionChecks.parse(
            config, REWARD_OVERLONG_LENGTH_FALLBACK, OverlongShaping.LengthFallback::parse);
    try {
      return mode == OverlongShaping.Mode.DAPO
          ? OverlongShaping.dapo(max.get(), buffer.get(), fallback)
          : OverlongShaping.verl(max.get(), buffer.get(), factor.orElse(1.0), fallback);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_MAX_LENGTH.key()
              + "="
              + max.get()
              + ", "
              + REWARD_OVERLONG_BUFFER_LENGTH.key()
              + "="
              + buffer.get()
              + factor.map(f -> ", " + REWARD_OVERLONG_PENALTY_FACTOR.key() + "=" + f).orElse("")
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
