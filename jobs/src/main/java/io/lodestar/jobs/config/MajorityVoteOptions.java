package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.TaskKind;
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
 * The majority vote over a closed group's answers (rewards without ground truth), under the prefix
 * {@code majority}; off unless {@code majority.enabled} is true.
 */
public final class MajorityVoteOptions {

  private MajorityVoteOptions() {}

  /** Which groups are voted on ({@code majority.scope}). */
  public enum ScopeChoice implements DescribedEnum {
    NO_GROUND_TRUTH(
        MajorityVote.Scope.NO_GROUND_TRUTH,
        "Only groups whose task has no ground truth; a verifier scores the others."),
    ALL(MajorityVote.Scope.ALL, "Every group, beside any verifier's verdict.");

    private final MajorityVote.Scope scope;
    private final String description;

    ScopeChoice(MajorityVote.Scope scope, String description) {
      this.scope = scope;
      this.description = description;
    }

    public MajorityVote.Scope scope() {
      return scope;
    }

    @Override
    public String toString() {
      return scope.id();
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  private static final MajorityVote.Settings DEFAULTS = MajorityVote.Settings.defaults();

  public static final ConfigOption<Boolean> MAJORITY_ENABLED =
      ConfigOptions.key("majority.enabled")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Score closed groups by the majority of their answers (majority_vote and"
                  + " self_consistency components) before their advantages.");
  public static final ConfigOption<Double> MAJORITY_MIN_SHARE =
      ConfigOptions.key("majority.min-share")
          .doubleType()
          .defaultValue(DEFAULTS.minShare())
          .withDescription(
              "Share of the group, in (0, 1], the largest answer cluster needs to become the"
                  + " pseudo-label; a tie is never a majority.");
  public static final ConfigOption<ScopeChoice> MAJORITY_SCOPE =
      ConfigOptions.key("majority.scope")
          .enumType(ScopeChoice.class)
          .defaultValue(ScopeChoice.NO_GROUND_TRUTH)
          .withDescription("Which groups are voted on.");
  public static final ConfigOption<Integer> MAJORITY_MAX_COMPARISONS =
      ConfigOptions.key("majority.max-comparisons")
          .intType()
          .defaultValue(DEFAULTS.maxComparisons())
          .withDescription("Answer equivalence checks per group, at least 0.");
  public static final ConfigOption<String> MAJORITY_TASK_KINDS =
      ConfigOptions.key("majority.task-kinds")
          .stringType()
          .defaultValue("")
          .withDescription("Comma-separated task kinds voted on (e.g. MATH); empty: all.");

  static void validate(Configuration config) {
    settings(config);
  }

  /**
   * The scorers that run when a group closes, composing with {@code composition}; {@link
   * GroupScoring#NONE} when none is on. Fails naming the key.
   */
  static GroupScoring groupScoring(
      Configuration config, RewardComposition composition, int mathExaminedChars) {
    MajorityVote.Settings settings = settings(config);
    if (!config.get(MAJORITY_ENABLED)) {
      return GroupScoring.NONE;
    }
    MathVerifier.Config math = MathVerifier.Config.defaults().withExaminedChars(mathExaminedChars);
    return new GroupScoring(new MajorityVote(settings, new MathVerifier(math)), composition);
  }

  /** The validated settings, checked even while the vote is off; every message names its key. */
  private static MajorityVote.Settings settings(Configuration config) {
    double share = config.get(MAJORITY_MIN_SHARE);
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(
          MAJORITY_MIN_SHARE.key() + " must be in (0, 1], was " + share);
    }
    int comparisons = config.get(MAJORITY_MAX_COMPARISONS);
    if (comparisons < 0) {
      throw new IllegalArgumentException(
          MAJORITY_MAX_COMPARISONS.key() + " must be at least 0, was " + comparisons);
    }
    Set<TaskKind> kinds = parseTaskKinds(config.get(MAJORITY_TASK_KINDS));
    return new MajorityVote.Settings(share, config.get(MAJORITY_SCOPE).scope(), comparisons, kinds);
  }

  private static Set<TaskKind> parseTaskKinds(String text) {
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
            MAJORITY_TASK_KINDS.key()
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
