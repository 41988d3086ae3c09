package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.operators.preference.PreferenceSettings.GroupPairMode;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rewards exactly the margin apart are a tie in every mode; what a group without a pair counts. */
class GroupRewardMarginTest {

  private static RLGroup group(String groupId, double... rewards) {
    RLGroup base = TestRecords.group(groupId, 5_000L).build();
    List<RLSample> samples = new ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      samples.add(
          RLSample.newBuilder(base.getSamples().get(0))
              .setGenerationId("g-" + i)
              .setReward(rewards[i])
              .setScored(true)
              .setConsentToTrain(true)
              .build());
    }
    return RLGroup.newBuilder(base).setSamples(samples).build();
  }

  private static PreferenceExamples mine(RLGroup group, GroupPairMode mode, double margin) {
    PreferenceSettings d = PreferenceSettings.defaults();
    PreferenceExamples out = new PreferenceExamples("test");
    GroupRewardPairs.mine(
        group,
        new PreferenceSettings(
            Duration.ofMinutes(1), 8, d.ratingGap(), false, false, mode, margin, d.weights()),
        out);
    return out;
  }

  private static List<String> pairs(PreferenceExamples out) {
    return out.pairs().stream()
        .map(p -> p.getChosenGenerationId() + ">" + p.getRejectedGenerationId())
        .toList();
  }

  @Test
  void twoScoredSamplesAreEnoughForAPair() {
    assertThat(pairs(mine(group("group-1", 1.0, 0.0), GroupPairMode.BEST_WORST, 0.0)))
        .containsExactly("g-0>g-1");
  }

  @Test
  void everyPairModeLeavesOutRewardsExactlyTheMarginApart() {
    assertThat(pairs(mine(group("group-1", 1.0, 0.5, 0.0), GroupPairMode.ALL_ABOVE_MARGIN, 0.5)))
        .containsExactly("g-0>g-2");
    assertThat(pairs(mine(group("group-1", 1.0, 0.5), GroupPairMode.BEST_WORST, 0.5))).isEmpty();
  }

  @Test
  void bestAgainstOtherPicksOnlyAmongSamplesMoreThanTheMarginBelow() {
    // A group whose pick among two would be the first, the sample exactly the margin below.
    String groupId =
        IntStream.range(0, 100)
            .mapToObj(i -> "group-" + i)
            .filter(id -> GroupRewardPairs.pick(id, 2) == 0)
            .findFirst()
            .orElseThrow();

    assertThat(pairs(mine(group(groupId, 1.0, 0.5, 0.0), GroupPairMode.BEST_RANDOM, 0.5)))
        .containsExactly("g-0>g-2");
  }

  @Test
  void aGroupWithoutAnyPairAboveTheMarginCountsOneTieInEveryMode() {
    for (GroupPairMode mode :
        List.of(
            GroupPairMode.BEST_WORST, GroupPairMode.BEST_RANDOM, GroupPairMode.ALL_ABOVE_MARGIN)) {
      PreferenceExamples out = mine(group("group-1", 0.5, 0.5, 0.5), mode, 0.0);

      assertThat(out.pairs()).as(mode.name()).isEmpty();
      assertThat(out.withoutExample())
          .as(mode.name())
          .containsExactlyEntriesOf(Map.of(NoExample.TIE, 1));
    }
  }

  @Test
  void aGroupWhosePairsAllFitUnderTheCapCountsNothingWithoutExample() {
    PreferenceExamples out =
        mine(group("group-1", 1.0, 0.6, 0.0), GroupPairMode.ALL_ABOVE_MARGIN, 0.0);

    assertThat(out.pairs()).hasSize(3);
    assertThat(out.withoutExample()).isEmpty();
  }

  @Test
  void thePartnerAGroupPicksDependsOnItsIdAndCoversEveryCandidate() {
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int index = GroupRewardPairs.pick("group-" + i, 4);
      assertThat(index).isBetween(0, 3).isEqualTo(GroupRewardPairs.pick("group-" + i, 4));
      picked.add(index);
    }
    assertThat(picked).containsExactlyInAnyOrder(0, 1, 2, 3);
  }
}
