package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdvantagesEdgeCasesTest {

  private static GroupResult group(Estimator estimator, CompatMode mode, Double... rewards) {
    return Advantages.group(rewards, AdvantageSpec.of(estimator, mode));
  }

  private static List<AdvantageSpec> everySupportedSpec() {
    List<AdvantageSpec> specs = new ArrayList<>();
    for (CompatMode mode : CompatMode.values()) {
      for (Estimator estimator : AdvantageSpec.supported(mode)) {
        specs.add(AdvantageSpec.of(estimator, mode));
      }
    }
    return specs;
  }

  @Test
  void lodestarGrpoIsExactlyTheExistingGroupAdvantages() {
    Random random = new Random(7);
    double[] palette = {0.0, 1.0, 0.5, 0.1};
    for (int trial = 0; trial < 2_000; trial++) {
      Double[] rewards = new Double[1 + random.nextInt(64)];
      for (int i = 0; i < rewards.length; i++) {
        int kind = random.nextInt(8);
        if (kind == 0) {
          rewards[i] = null;
        } else if (kind == 1) {
          rewards[i] = Double.NaN;
        } else {
          rewards[i] = kind < 5 ? palette[random.nextInt(4)] : random.nextGaussian();
        }
      }
      GroupAdvantages.Result existing = GroupAdvantages.grpo(rewards, GroupAdvantages.VERL_EPS);

      GroupResult result = Advantages.group(rewards, AdvantageSpec.lodestarGrpo());

      assertThat(result.advantages()).isEqualTo(existing.advantages());
      assertThat(result.scoredCount()).isEqualTo(existing.scoredCount());
      assertThat(result.mean()).isEqualTo(existing.mean());
      assertThat(result.std()).isEqualTo(existing.std());
    }
  }

  @Test
  void aLoneScoredRewardKeepsItsValueInLodestarAndVerl() {
    for (CompatMode mode : List.of(CompatMode.LODESTAR, CompatMode.VERL)) {
      assertThat(group(Estimator.GRPO, mode, 0.8).advantages()).containsExactly(0.8 / (1 + 1e-6));
      assertThat(group(Estimator.DR_GRPO, mode, 0.8).advantages()).containsExactly(0.8);
      assertThat(group(Estimator.RLOO, mode, null, 0.8).advantages()).containsExactly(0.0, 0.8);
    }
    GroupResult single = group(Estimator.GRPO, CompatMode.LODESTAR, 0.8);
    assertThat(single.mean()).isEqualTo(0.8);
    assertThat(single.std()).isNull();
  }

  @Test
  void aLoneScoredRewardIsItsOwnMeanInTrlAsync() {
    assertThat(group(Estimator.GRPO, CompatMode.TRL_ASYNC, 0.8).advantages()).containsExactly(0.0);
    assertThat(group(Estimator.GRPO, CompatMode.TRL_ASYNC, 0.8).std()).isEqualTo(0.0);
  }

  @Test
  void lodestarPassAtKGivesALoneRewardNothingWhileVerlRefusesIt() {
    assertThat(group(Estimator.GRPO_PASS_AT_K, CompatMode.LODESTAR, 0.8).advantages())
        .containsExactly(0.0);
    assertThatThrownBy(() -> group(Estimator.GRPO_PASS_AT_K, CompatMode.VERL, 0.8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verl")
        .hasMessageContaining("grpo_pass_at_k");
  }

  @Test
  void trlRefusesGroupsOfOne() {
    for (Estimator estimator : AdvantageSpec.supported(CompatMode.TRL)) {
      assertThatThrownBy(() -> group(estimator, CompatMode.TRL, 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("trl")
          .hasMessageContaining("one scored member");
    }
    AdvantageSpec spec = AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL);
    List<Double[]> batch = List.of(new Double[] {0.0, 1.0}, new Double[] {1.0});
    assertThatThrownBy(() -> Advantages.batch(batch, spec)).hasMessageContaining("group 1");
  }

  @Test
  void trlKeepsAGroupWhoseOtherRewardsAreUnscorableAndComputesOverTheRest() {
    for (Estimator estimator : AdvantageSpec.supported(CompatMode.TRL)) {
      // Several members, one scored: TRL marks the others NaN and keeps the group.
      GroupResult lone = group(estimator, CompatMode.TRL, null, 1.0, Double.NaN);
      assertThat(lone.advantages()).as(estimator.id()).containsExactly(0.0, 0.0, 0.0);
      assertThat(lone.scoredCount()).isEqualTo(1);
      assertThat(lone.unscoredCount()).isEqualTo(2);
      assertThat(lone.mean()).isEqualTo(1.0);
      assertThat(lone.std()).isNull();

      // More remaining rewards: exactly the group of those rewards alone, zeros where unscored.
      GroupResult withGaps = group(estimator, CompatMode.TRL, 0.0, null, 1.0, 0.5);
      GroupResult remaining = group(estimator, CompatMode.TRL, 0.0, 1.0, 0.5);
      assertThat(withGaps.advantages())
          .containsExactly(
              remaining.advantages()[0], 0.0, remaining.advantages()[1], remaining.advantages()[2]);
    }
    // scale_rewards=batch with a single scored reward in the whole batch: nothing to divide.
    AdvantageSpec batchScaled =
        AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH);
    assertThat(Advantages.group(new Double[] {Double.NaN, 0.7}, batchScaled).advantages())
        .containsExactly(0.0, 0.0);
  }

  @Test
  void openRlhfRefusesGroupsOfOneForEveryEstimatorAsItsLauncherRequiresTwoSamples() {
    for (Estimator estimator : AdvantageSpec.supported(CompatMode.OPENRLHF)) {
      assertThatThrownBy(() -> group(estimator, CompatMode.OPENRLHF, 1.0))
          .as(estimator.id())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("openrlhf")
          .hasMessageContaining(estimator.id());
    }
  }

  @Test
  void verlRefusesToWhitenABatchOfOneSampleWhileLodestarGivesItZero() {
    assertThatThrownBy(() -> group(Estimator.REINFORCE_PP_BASELINE, CompatMode.VERL, 0.7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verl");
    assertThat(group(Estimator.REINFORCE_PP_BASELINE, CompatMode.LODESTAR, 0.7).advantages())
        .containsExactly(0.0);
  }

  @Test
  void givesZerosWhenEveryRewardIsEqual() {
    for (AdvantageSpec spec : everySupportedSpec()) {
      for (double value : new double[] {0.0, 1.0, 0.25}) {
        Double[] rewards = {value, value, value, value};
        assertThat(Advantages.group(rewards, spec).advantages())
            .as(spec.toString())
            .containsOnly(0.0);
      }
    }
  }

  @Test
  void passAtKGivesNothingWhenTheBestIsTiedAndPicksTheFirstBestOtherwise() {
    assertThat(group(Estimator.GRPO_PASS_AT_K, CompatMode.VERL, 1.0, 0.0, 1.0).advantages())
        .containsOnly(0.0);

    double[] a =
        group(Estimator.GRPO_PASS_AT_K, CompatMode.LODESTAR, 0.0, 1.0, 0.5, 0.5).advantages();
    double std = Math.sqrt((0.25 + 0.25 + 0 + 0) / 3); // mean 0.5
    assertThat(a).containsExactly(new double[] {0, 0.5 / (std + 1e-6), 0, 0}, within(1e-12));
  }

  @Test
  void leavesUnscoredRewardsOutAndGivesThemZeroInEveryMode() {
    for (AdvantageSpec spec : everySupportedSpec()) {
      GroupResult withUnscored =
          Advantages.group(
              new Double[] {1.0, null, 0.0, Double.NaN, 0.5, Double.NEGATIVE_INFINITY}, spec);
      GroupResult scoredOnly = Advantages.group(new Double[] {1.0, 0.0, 0.5}, spec);

      String where = spec.toString();
      assertThat(withUnscored.scoredCount()).as(where).isEqualTo(3);
      assertThat(withUnscored.unscoredCount()).as(where).isEqualTo(3);
      assertThat(withUnscored.mean()).as(where).isEqualTo(scoredOnly.mean());
      assertThat(withUnscored.std()).as(where).isEqualTo(scoredOnly.std());
      double[] a = withUnscored.advantages();
      assertThat(new double[] {a[0], a[2], a[4]}).as(where).isEqualTo(scoredOnly.advantages());
      assertThat(new double[] {a[1], a[3], a[5]}).as(where).containsOnly(0.0);
    }
  }

  @Test
  void givesZerosAndNoStatisticsToAGroupWithNothingScoredInEveryMode() {
    for (AdvantageSpec spec : everySupportedSpec()) {
      GroupResult empty = Advantages.group(new Double[0], spec);
      assertThat(empty.advantages()).isEmpty();
      assertThat(empty.scoredCount()).isZero();
      assertThat(empty.mean()).isNull();
      assertThat(empty.std()).isNull();

      GroupResult unscored = Advantages.group(new Double[] {null, Double.NaN}, spec);
      assertThat(unscored.advantages()).containsExactly(0.0, 0.0);
      assertThat(unscored.unscoredCount()).isEqualTo(2);
      assertThat(unscored.mean()).isNull();
    }
  }

  @Test
  void anEmptyBatchGivesNoResults() {
    for (AdvantageSpec spec : everySupportedSpec()) {
      assertThat(Advantages.batch(List.of(), spec)).isEmpty();
    }
  }

  @Test
  void computesATimedOutGroupOverTheMembersPresent() {
    // Expected 8, 3 arrived: the arithmetic is that of a group of 3.
    GroupResult partial = group(Estimator.RLOO, CompatMode.LODESTAR, 1.0, 0.0, 0.0);
    assertThat(partial.advantages()).containsExactly(new double[] {1.0, -0.5, -0.5}, within(1e-15));
  }

  @Test
  void doesNotDependOnTheOrderOfGroupsInABatch() {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF);
    Double[] a = {0.0, 1.0, 1.0};
    Double[] b = {0.5, 0.25};
    List<GroupResult> forward = Advantages.batch(List.of(a, b), spec);
    List<GroupResult> backward = Advantages.batch(List.of(b, a), spec);
    assertThat(forward.get(0).advantages())
        .containsExactly(backward.get(1).advantages(), within(1e-15));
    assertThat(forward.get(1).advantages())
        .containsExactly(backward.get(0).advantages(), within(1e-15));
  }
}
