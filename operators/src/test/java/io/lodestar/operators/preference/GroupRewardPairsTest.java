package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.operators.preference.PreferenceSettings.GroupPairMode;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupRewardPairsTest {

  private static RLGroup group(double... rewards) {
    RLGroup base = TestRecords.group("group-1", 5_000L).build();
    List<RLSample> samples = new ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      samples.add(
          RLSample.newBuilder(base.getSamples().get(0))
              .setGenerationId("g-" + i)
              .setResponse("response " + i)
              .setReward(rewards[i])
              .setScored(true)
              .setConsentToTrain(true)
              .build());
    }
    return RLGroup.newBuilder(base).setSamples(samples).build();
  }

  private static PreferenceExamples mine(
      RLGroup group, GroupPairMode mode, double margin, int cap) {
    PreferenceSettings d = PreferenceSettings.defaults();
    PreferenceSettings settings =
        new PreferenceSettings(
            Duration.ofMinutes(1), cap, d.ratingGap(), false, false, mode, margin, d.weights());
    PreferenceExamples out = new PreferenceExamples("test");
    GroupRewardPairs.mine(group, settings, out);
    return out;
  }

  private static List<String> chosenOverRejected(PreferenceExamples out) {
    return out.pairs().stream()
        .map(p -> p.getChosenGenerationId() + ">" + p.getRejectedGenerationId())
        .toList();
  }

  @Test
  void bestAgainstWorstKeepsTheMarginAndTheGroupsPrompt() {
    RLGroup g = group(0.2, 1.0, 0.0, 0.5);

    PreferenceExamples out = mine(g, GroupPairMode.BEST_WORST, 0.0, 8);

    assertThat(chosenOverRejected(out)).containsExactly("g-1>g-2");
    PreferencePair pair = out.pairs().get(0);
    assertThat(pair.getMargin()).isEqualTo(1.0);
    assertThat(pair.getSource()).isEqualTo(PairSource.REWARD_MARGIN);
    assertThat(pair.getPrompt()).isEqualTo(g.getPrompt());
    assertThat(pair.getChosen()).isEqualTo("response 1");
    assertThat(pair.getCreatedAtMs()).isEqualTo(g.getClosedAtMs());
  }

  @Test
  void aGroupWhoseRewardsAreAllEqualYieldsNoPair() {
    PreferenceExamples out = mine(group(1.0, 1.0, 1.0), GroupPairMode.BEST_WORST, 0.0, 8);

    assertThat(out.pairs()).isEmpty();
    assertThat(out.withoutExample()).containsEntry(NoExample.TIE, 1);
  }

  @Test
  void allPairsAboveTheMarginAreWidestFirstAndCapped() {
    PreferenceExamples all = mine(group(1.0, 0.6, 0.0), GroupPairMode.ALL_ABOVE_MARGIN, 0.5, 8);
    assertThat(chosenOverRejected(all)).containsExactly("g-0>g-2", "g-1>g-2");

    PreferenceExamples capped = mine(group(1.0, 0.6, 0.0), GroupPairMode.ALL_ABOVE_MARGIN, 0.0, 2);
    assertThat(chosenOverRejected(capped)).containsExactly("g-0>g-2", "g-1>g-2");
    assertThat(capped.withoutExample()).containsEntry(NoExample.OVER_PROMPT_CAP, 1);
  }

  @Test
  void bestAgainstRandomPicksTheSamePartnerOnEveryReplay() {
    RLGroup g = group(1.0, 0.0, 0.1, 0.2, 0.3);

    List<String> first = chosenOverRejected(mine(g, GroupPairMode.BEST_RANDOM, 0.0, 8));
    List<String> again = chosenOverRejected(mine(g, GroupPairMode.BEST_RANDOM, 0.0, 8));

    assertThat(first).hasSize(1).isEqualTo(again);
    assertThat(first.get(0)).startsWith("g-0>");
  }

  @Test
  void unscoredAndNonConsentingSamplesTakeNoPart() {
    RLGroup g = group(1.0, 0.0, 0.5);
    List<RLSample> samples = new ArrayList<>(g.getSamples());
    samples.set(0, RLSample.newBuilder(samples.get(0)).setConsentToTrain(false).build());
    samples.set(1, RLSample.newBuilder(samples.get(1)).setScored(false).setReward(null).build());
    RLGroup mixed = RLGroup.newBuilder(g).setSamples(samples).build();

    PreferenceExamples out = mine(mixed, GroupPairMode.BEST_WORST, 0.0, 8);

    assertThat(out.pairs()).isEmpty();
    assertThat(out.withoutExample()).containsEntry(NoExample.NO_CONSENT, 1);
  }

  @Test
  void offYieldsNothing() {
    assertThat(mine(group(1.0, 0.0), GroupPairMode.OFF, 0.0, 8).pairs()).isEmpty();
  }
}
