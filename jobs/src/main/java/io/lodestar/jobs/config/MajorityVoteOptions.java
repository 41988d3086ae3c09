package io.lodestar.jobs.config;

import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.schema.TaskKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * The majority vote over a closed group's answers (rewards without ground truth), under the prefix
 * {@code majority}; off unless {@code majority.enabled} is true.
 */
final class MajorityVoteOptions {

  static final String PREFIX = "majority";

  final ConfigOption<Boolean> enabled;
  final ConfigOption<Double> minShare;
  final ConfigOption<String> scope;
  final ConfigOption<Integer> maxComparisons;
  final ConfigOption<String> taskKinds;

  MajorityVoteOptions() {
    MajorityVote.Settings defaults = MajorityVote.Settings.defaults();
    enabled =
        key("enabled")
            .booleanType()
            .defaultValue(false)
            .withDescription(
                "Score closed groups by the majority of their answers (majority_vote and"
                    + " self_consistency components) before their advantages.");
    minShare =
        key("min-share")
            .doubleType()
            .defaultValue(defaults.minShare())
            .withDescription(
                "Share of the group, in (0, 1], the largest answer cluster needs to become the"
                    + " pseudo-label; a tie is never a majority.");
    scope =
        key("scope")
            .stringType()
            .defaultValue(defaults.scope().id())
            .withDescription(
                "no-ground-truth (only groups whose task has no ground truth) or all.");
    maxComparisons =
        key("max-comparisons")
            .intType()
            .defaultValue(defaults.maxComparisons())
            .withDescription("Answer equivalence checks per group, at least 0.");
    taskKinds =
        key("task-kinds")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated task kinds voted on (e.g. MATH); empty: all.");
  }

  private static ConfigOptions.OptionBuilder key(String name) {
    return ConfigOptions.key(PREFIX + "." + name);
  }

  List<ConfigOption<?>> all() {
    return List.of(enabled, minShare, scope, maxComparisons, taskKinds);
  }

  /** The validated settings when the vote is on; every message names its key. */
  Optional<MajorityVote.Settings> settings(Configuration config) {
    double share = config.get(minShare);
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(minShare.key() + " must be in (0, 1], was " + share);
    }
    MajorityVote.Scope parsedScope;
    try {
      parsedScope = MajorityVote.Scope.fromId(config.get(scope));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope.key() + " " + e.getMessage(), e);
    }
    int comparisons = config.get(maxComparisons);
    if (comparisons < 0) {
      throw new IllegalArgumentException(
          maxComparisons.key() + " must be at least 0, was " + comparisons);
    }
    Set<TaskKind> kinds = parseTaskKinds(config.get(taskKinds));
    if (!config.get(enabled)) {
      return Optional.empty();
    }
    return Optional.of(new MajorityVote.Settings(share, parsedScope, comparisons, kinds));
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
