package io.lodestar.operators.preference;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.operators.preference.PreferenceSettings.GroupPairMode;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Preference pairs from the rewards inside one closed group (online DPO over sampled responses):
 * best against worst, best against one other picked deterministically from the group id, or every
 * two samples whose rewards differ by more than the margin. Only scored samples with consent take
 * part; pairs whose rewards are no more than the margin apart (ties) are dropped. Pure.
 */
public final class GroupRewardPairs {

  private GroupRewardPairs() {}

  public static void mine(RLGroup group, PreferenceSettings settings, PreferenceExamples out) {
    GroupPairMode mode = settings.groupPairs();
    if (mode == GroupPairMode.OFF) {
      return;
    }
    List<RLSample> usable = new ArrayList<>();
    for (RLSample s : group.getSamples()) {
      if (!s.getScored() || s.getReward() == null) {
        continue;
      }
      if (!s.getConsentToTrain()) {
        out.none(NoExample.NO_CONSENT, 1);
        continue;
      }
      usable.add(s);
    }
    // Highest reward first; equal rewards in generation id order, so the choice is reproducible.
    usable.sort(
        Comparator.comparingDouble(RLSample::getReward)
            .reversed()
            .thenComparing(RLSample::getGenerationId));
    if (usable.size() < 2) {
      return;
    }
    double margin = settings.groupMargin();
    double weight = settings.weights().groupReward();
    RLSample best = usable.get(0);
    switch (mode) {
      case BEST_WORST -> {
        RLSample worst = usable.get(usable.size() - 1);
        emitIfApart(group, best, worst, margin, weight, out);
      }
      case BEST_RANDOM -> {
        List<RLSample> below = new ArrayList<>();
        for (RLSample s : usable.subList(1, usable.size())) {
          if (best.getReward() - s.getReward() > margin) {
            below.add(s);
          }
        }
        if (below.isEmpty()) {
          out.none(NoExample.TIE, 1);
        } else {
          emitIfApart(
              group, best, below.get(pick(group.getGroupId(), below.size())), margin, weight, out);
        }
      }
      case ALL_ABOVE_MARGIN -> {
        record Candidate(RLSample hi, RLSample lo, double gap) {}
        List<Candidate> apart = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
          for (int j = i + 1; j < usable.size(); j++) {
            double gap = usable.get(i).getReward() - usable.get(j).getReward();
            if (gap > margin) {
              apart.add(new Candidate(usable.get(i), usable.get(j), gap));
            }
          }
        }
        if (apart.isEmpty()) {
          out.none(NoExample.TIE, 1);
          return;
        }
        // Widest gaps first (the clearest preferences survive the cap); the sort is stable.
        apart.sort(Comparator.comparingDouble(Candidate::gap).reversed());
        int kept = Math.min(apart.size(), settings.maxPairsPerPrompt());
        for (Candidate c : apart.subList(0, kept)) {
          out.groupPair(group, c.hi(), c.lo(), c.gap(), weight);
        }
        out.none(NoExample.OVER_PROMPT_CAP, apart.size() - kept);
      }
      default -> throw new IllegalStateException("unhandled mode " + mode);
    }
  }

  private static void emitIfApart(
      RLGroup group,
      RLSample chosen,
      RLSample rejected,
      double margin,
      double weight,
      PreferenceExamples out) {
    double gap = chosen.getReward() - rejected.getReward();
    if (gap > margin) {
      out.groupPair(group, chosen, rejected, gap, weight);
    } else {
      out.none(NoExample.TIE, 1);
    }
  }

  /**
   * A reproducible index in [0, n): the same group always picks the same partner, across replays.
   */
  static int pick(String groupId, int n) {
    CRC32 crc = new CRC32();
    crc.update(groupId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % n);
  }
}
