package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.ScaleRewards;
import io.lodestar.operators.group.GroupFilter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How generations gather into groups, which groups are kept, and their advantages. */
public final class GroupOptions {

  private GroupOptions() {}

  /** Dynamic sampling ({@code group.filter}). */
  public enum FilterChoice implements DescribedEnum {
    NONE(GroupFilter.NONE, "Keep every group."),
    VERL(
        GroupFilter.VERL,
        "verl / DAPO: keep a group whose reward std is above 0, or of one member."),
    OPENRLHF(GroupFilter.OPENRLHF, "OpenRLHF: keep a group whose mean reward lies inside (0, 1).");

    private final GroupFilter filter;
    private final String description;

    FilterChoice(GroupFilter filter, String description) {
      this.filter = filter;
      this.description = description;
    }

    public GroupFilter filter() {
      return filter;
    }

    @Override
    public String toString() {
      return filter.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  /** How a group's rewards become advantages ({@code advantage.estimator}). */
  public enum EstimatorChoice implements DescribedEnum {
    GRPO(Estimator.GRPO, "(r - mean) / (std + eps) within the group."),
    DR_GRPO(Estimator.DR_GRPO, "r - mean: GRPO without the division by std."),
    RLOO(Estimator.RLOO, "r - mean of the other members."),
    REINFORCE_PP_BASELINE(
        Estimator.REINFORCE_PP_BASELINE,
        "Group mean subtracted, then whitened over the whole RL batch."),
    GRPO_PASS_AT_K(
        Estimator.GRPO_PASS_AT_K,
        "Only the best member gets an advantage: its margin over the next.");

    private final Estimator estimator;
    private final String description;

    EstimatorChoice(Estimator estimator, String description) {
      this.estimator = estimator;
      this.description = description;
    }

    public Estimator estimator() {
      return estimator;
    }

    @Override
    public String toString() {
      return estimator.id();
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  /** Whose arithmetic the advantages follow ({@code advantage.compat}). */
  public enum CompatChoice implements DescribedEnum {
    LODESTAR(CompatMode.LODESTAR, "Lodestar's own specification (docs/advantages.md)."),
    VERL(CompatMode.VERL, "verl's formulas, ddof, eps placement and edge cases."),
    TRL(CompatMode.TRL, "TRL's GRPO trainer."),
    TRL_ASYNC(CompatMode.TRL_ASYNC, "TRL's experimental asynchronous GRPO rollout worker."),
    OPENRLHF(CompatMode.OPENRLHF, "OpenRLHF's formulas.");

    private final CompatMode mode;
    private final String description;

    CompatChoice(CompatMode mode, String description) {
      this.mode = mode;
      this.description = description;
    }

    public CompatMode mode() {
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

  /** TRL's {@code scale_rewards} ({@code advantage.scale-rewards}). */
  public enum ScaleRewardsChoice implements DescribedEnum {
    GROUP(ScaleRewards.GROUP, "Divide by the group's unbiased std (plus eps)."),
    BATCH(ScaleRewards.BATCH, "Divide by the unbiased std of every scored reward in the RL batch."),
    NONE(ScaleRewards.NONE, "Divide by nothing (Dr.GRPO).");

    private final ScaleRewards scale;
    private final String description;

    ScaleRewardsChoice(ScaleRewards scale, String description) {
      this.scale = scale;
      this.description = description;
    }

    public ScaleRewards scale() {
      return scale;
    }

    @Override
    public String toString() {
      return scale.id();
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<Duration> GROUP_TIMEOUT =
      ConfigOptions.key("group.timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription(
              "Event time after a group's first member at which an incomplete group closes.");
  public static final ConfigOption<Duration> GROUP_LATE_RETENTION =
      ConfigOptions.key("group.late-retention")
          .durationType()
          .defaultValue(Duration.ofMinutes(30))
          .withDescription("How long a closed group is remembered so late members are recognised.");
  public static final ConfigOption<FilterChoice> GROUP_FILTER =
      ConfigOptions.key("group.filter")
          .enumType(FilterChoice.class)
          .defaultValue(FilterChoice.NONE)
          .withDescription("Dynamic sampling: which closed groups carry a learning signal.");

  public static final ConfigOption<EstimatorChoice> ADVANTAGE_ESTIMATOR =
      ConfigOptions.key("advantage.estimator")
          .enumType(EstimatorChoice.class)
          .defaultValue(EstimatorChoice.GRPO)
          .withDescription("How a group's rewards become advantages (docs/advantages.md).");
  public static final ConfigOption<CompatChoice> ADVANTAGE_COMPAT =
      ConfigOptions.key("advantage.compat")
          .enumType(CompatChoice.class)
          .defaultValue(CompatChoice.LODESTAR)
          .withDescription("Whose arithmetic the advantages follow.");
  public static final ConfigOption<Double> ADVANTAGE_EPS =
      ConfigOptions.key("advantage.eps")
          .doubleType()
          .noDefaultValue()
          .withDescription("Overrides the compatibility mode's epsilon.");
  public static final ConfigOption<ScaleRewardsChoice> ADVANTAGE_SCALE_REWARDS =
      ConfigOptions.key("advantage.scale-rewards")
          .enumType(ScaleRewardsChoice.class)
          .noDefaultValue()
          .withDescription(
              "TRL's scale_rewards, with advantage.compat=trl and grpo; unset: the mode's own.");

  static void validate(Configuration config) {
    OptionChecks.requirePositive(config, GROUP_TIMEOUT);
    OptionChecks.requirePositive(config, GROUP_LATE_RETENTION);
    advantageSpec(config);
  }

  static GroupFilter groupFilter(Configuration config) {
    return config.get(GROUP_FILTER).filter();
  }

  /** The advantage arithmetic; fails naming the keys when the combination is not available. */
  static AdvantageSpec advantageSpec(Configuration config) {
    String estimator = ADVANTAGE_ESTIMATOR.key() + "=" + config.get(ADVANTAGE_ESTIMATOR);
    String compat = ADVANTAGE_COMPAT.key() + "=" + config.get(ADVANTAGE_COMPAT);
    AdvantageSpec spec;
    try {
      spec =
          AdvantageSpec.of(
              config.get(ADVANTAGE_ESTIMATOR).estimator(), config.get(ADVANTAGE_COMPAT).mode());
      if (config.getOptional(ADVANTAGE_EPS).isPresent()) {
        spec = spec.withEps(config.get(ADVANTAGE_EPS));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(estimator + " with " + compat + ": " + e.getMessage(), e);
    }
    // Batch-wide estimators are finished by the batch operator over each RL batch.
    Optional<ScaleRewardsChoice> scale = config.getOptional(ADVANTAGE_SCALE_REWARDS);
    if (scale.isPresent()) {
      try {
        spec = spec.withScaleRewards(scale.get().scale());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            ADVANTAGE_SCALE_REWARDS.key()
                + "="
                + scale.get()
                + " with "
                + estimator
                + " and "
                + compat
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return spec;
  }
}
