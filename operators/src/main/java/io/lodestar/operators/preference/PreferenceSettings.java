package io.lodestar.operators.preference;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;

/**
 * How feedback and group rewards become preference pairs and unpaired examples. Confidence weights
 * are per source, so a trainer can weigh a deliberate vote above a regeneration.
 *
 * @param promptWindow event time a prompt's thumbs and ratings are collected before they are paired
 * @param maxPairsPerPrompt most pairs one prompt window (or one group) yields
 * @param ratingGap two ratings of one prompt make a pair only when they differ by more than this
 *     (on the 0-1 scale when the rating carries its range, else in the rating's own units)
 * @param regenerationPairs whether a regeneration naming its replacement yields replacement over
 *     discarded
 * @param bothBadUnpaired whether a both-bad vote yields two undesirable unpaired examples
 * @param groupPairs how pairs are mined from the rewards of a closed group
 * @param groupMargin two rewards of one group make a pair only when they differ by more than this
 */
public record PreferenceSettings(
    Duration promptWindow,
    int maxPairsPerPrompt,
    double ratingGap,
    boolean regenerationPairs,
    boolean bothBadUnpaired,
    GroupPairMode groupPairs,
    double groupMargin,
    Weights weights)
    implements Serializable {

  /** Confidence given to the examples of each source, each in (0, 1]. */
  public record Weights(
      double vote, double thumb, double rating, double edit, double regenerate, double groupReward)
      implements Serializable {

    public static Weights defaults() {
      return new Weights(1.0, 0.8, 0.8, 1.0, 0.3, 0.5);
    }

    public Weights {
      check("vote", vote);
      check("thumb", thumb);
      check("rating", rating);
      check("edit", edit);
      check("regenerate", regenerate);
      check("group-reward", groupReward);
    }

    private static void check(String name, double w) {
      if (!(w > 0 && w <= 1)) {
        throw new IllegalArgumentException("weight of " + name + " must be in (0, 1], was " + w);
      }
    }
  }

  /** Which pairs a closed group's rewards yield. */
  public enum GroupPairMode {
    OFF,
    BEST_WORST,
    BEST_RANDOM,
    ALL_ABOVE_MARGIN;

    public static GroupPairMode parse(String text) {
      String id = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (GroupPairMode m : values()) {
        if (m.name().equals(id)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "must be off, best-worst, best-random or all-above-margin, was " + text);
    }
  }

  public PreferenceSettings {
    if (promptWindow == null || promptWindow.isNegative() || promptWindow.isZero()) {
      throw new IllegalArgumentException(
          "preference.prompt-window must be positive, was " + promptWindow);
    }
    if (maxPairsPerPrompt < 1) {
      throw new IllegalArgumentException(
          "preference.max-pairs-per-prompt must be at least 1, was " + maxPairsPerPrompt);
    }
    if (!(ratingGap >= 0) || Double.isInfinite(ratingGap)) {
      throw new IllegalArgumentException(
          "preference.rating-gap must be a finite number >= 0, was " + ratingGap);
    }
    if (!(groupMargin >= 0) || Double.isInfinite(groupMargin)) {
      throw new IllegalArgumentException(
          "preference.group-margin must be a finite number >= 0, was " + groupMargin);
    }
  }

  public static PreferenceSettings defaults() {
    return new PreferenceSettings(
        Duration.ofMinutes(10), 8, 0.25, false, false, GroupPairMode.OFF, 0.0, Weights.defaults());
  }
}
