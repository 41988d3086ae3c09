package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.batch.BatchLimits;
import io.lodestar.operators.batch.Staleness;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How groups fill RL batches, and how far behind the newest policy a group may be. */
public final class BatchOptions {

  private BatchOptions() {}

  /** What happens to a stale group ({@code staleness.action}). */
  public enum StalenessChoice implements DescribedEnum {
    DROP("drop", Staleness.Action.DROP, "Set it aside (to topics.filtered-groups)."),
    DOWNWEIGHT(
        "downweight",
        Staleness.Action.DOWNWEIGHT,
        "Keep it, with every advantage multiplied by staleness.weight.");

    private final String id;
    private final Staleness.Action action;
    private final String description;

    StalenessChoice(String id, Staleness.Action action, String description) {
      this.id = id;
      this.action = action;
      this.description = description;
    }

    public Staleness.Action action() {
      return action;
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

  public static final ConfigOption<Integer> BATCH_GROUPS =
      ConfigOptions.key("batch.groups")
          .intType()
          .defaultValue(8)
          .withDescription("Groups per RL batch.");
  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      ConfigOptions.key("batch.max-wait")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "Event time a partial batch waits for more groups before it is emitted.");
  public static final ConfigOption<Boolean> BATCH_MIX_POLICY_VERSIONS =
      ConfigOptions.key("batch.mix-policy-versions")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Let one RL batch hold groups of several policy versions of its model; off: each version fills batches of its own, with its own wait.");
  public static final ConfigOption<Boolean> BATCH_REQUIRE_CONSENT =
      ConfigOptions.key("batch.require-consent")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "RL batches take a group only when every member consents to training (consentToTrain); "
                  + "other groups go to topics.filtered-groups. false: every group, each sample carrying its flag.");
  public static final ConfigOption<Long> BATCH_MAX_TOKENS =
      ConfigOptions.key("batch.max-tokens")
          .longType()
          .defaultValue(0L)
          .withDescription(
              "Token budget per RL batch: prompt plus response tokens of every sample (token ids, else 4 characters per token); 0: none.");

  public static final ConfigOption<Long> STALENESS_MAX_LAG =
      ConfigOptions.key("staleness.max-lag")
          .longType()
          .defaultValue(-1L)
          .withDescription(
              "Largest allowed lag (newest policy version of a group's model minus the group's oldest); negative: no check.");
  public static final ConfigOption<StalenessChoice> STALENESS_ACTION =
      ConfigOptions.key("staleness.action")
          .enumType(StalenessChoice.class)
          .defaultValue(StalenessChoice.DROP)
          .withDescription("What happens to a stale group.");
  public static final ConfigOption<Double> STALENESS_WEIGHT =
      ConfigOptions.key("staleness.weight")
          .doubleType()
          .defaultValue(0.5)
          .withDescription(
              "Factor on a stale group's advantages when staleness.action=downweight, in (0, 1].");

  static void validate(Configuration config) {
    OptionChecks.requireAtLeastOne(config, BATCH_GROUPS);
    OptionChecks.requirePositive(config, BATCH_MAX_WAIT);
    batchLimits(config);
    staleness(config);
  }

  /** When an RL batch is full; fails naming the key. */
  static BatchLimits batchLimits(Configuration config) {
    long maxTokens = config.get(BATCH_MAX_TOKENS);
    if (maxTokens < 0) {
      throw new IllegalArgumentException(
          BATCH_MAX_TOKENS.key() + " must be 0 (no budget) or positive, was " + maxTokens);
    }
    return new BatchLimits(config.get(BATCH_GROUPS), maxTokens);
  }

  /** The staleness bound of RL batches; fails naming the key. */
  static Staleness staleness(Configuration config) {
    try {
      return new Staleness(
          config.get(STALENESS_MAX_LAG),
          config.get(STALENESS_ACTION).action(),
          config.get(STALENESS_WEIGHT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(STALENESS_WEIGHT.key() + ": " + e.getMessage(), e);
    }
  }
}
