package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed values. Group {1, 2, 3, 6}: mean 3, deviations -2, -1, 0, 3, squared deviations
 * summing to 14, so unbiased std sqrt(14/3) = 2.1602... and biased std sqrt(3.5) = 1.8708....
 */
class AdvantagesKnownValuesTest {

  private static final Double[] GROUP = {1.0, 2.0, 3.0, 6.0};
  private static final double[] DEVIATIONS = {-2, -1, 0, 3};
  private static final double UNBIASED_STD = Math.sqrt(14.0 / 3.0);
  private static final double BIASED_STD = Math.sqrt(3.5);
  private static final double TIGHT = 1e-12;

  private static double[] advantages(Estimator estimator, CompatMode mode) {
    return Advantages.group(GROUP, AdvantageSpec.of(estimator, mode)).advantages();
  }

  private static double[] scaled(double[] values, double by) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] / by;
    }
    return out;
  }

  @Nested
  class Grpo {

    @Test
    void lodestarAndVerlDivideByTheUnbiasedStdPlusOneMillionth() {
      double[] expected = scaled(DEVIATIONS, UNBIASED_STD + 1e-6);
      assertThat(advantages(Estimator.GRPO, CompatMode.LODESTAR))
          .containsExactly(expected, within(TIGHT));
      assertThat(advantages(Estimator.GRPO, CompatMode.VERL))
          .containsExactly(expected, within(TIGHT));
      assertThat(expected[0]).isCloseTo(-0.9258196712013211, within(TIGHT));
    }

    @Test
    void trlDividesByTheUnbiasedStdPlusOneTenThousandth() {
      assertThat(advantages(Estimator.GRPO, CompatMode.TRL))
          .containsExactly(scaled(DEVIATIONS, UNBIASED_STD + 1e-4), within(TIGHT));
      assertThat(advantages(Estimator.GRPO, CompatMode.TRL)[3])
          .isCloseTo(1.3886658669202538, within(TIGHT));
    }

    @Test
    void trlAsyncDividesByThePopulationStdPlusOneHundredMillionth() {
      assertThat(advantages(Estimator.GRPO, CompatMode.TRL_ASYNC))
          .containsExactly(scaled(DEVIATIONS, BIASED_STD + 1e-8), within(TIGHT));
      assertThat(advantages(Estimator.GRPO, CompatMode.TRL_ASYNC)[0])
          .isCloseTo(-1.0690449619354119, within(TIGHT));
    }

    @Test
    void openRlhfDividesByTheUnbiasedStdPlusOneBillionth() {
      assertThat(advantages(Estimator.GRPO, CompatMode.OPENRLHF))
          .containsExactly(scaled(DEVIATIONS, UNBIASED_STD + 1e-9), within(TIGHT));
    }

    @Test
    void verlWithoutStdNormalisationIsDrGrpo() {
      AdvantageSpec spec =
          AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL).withNormaliseByStd(false);
      assertThat(Advantages.group(GROUP, spec).advantages())
          .containsExactly(DEVIATIONS, within(TIGHT));
    }

    @Test
    void trlScaleRewardsNoneOnlyCentres() {
      AdvantageSpec spec =
          AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.NONE);
      assertThat(Advantages.group(GROUP, spec).advantages())
          .containsExactly(DEVIATIONS, within(TIGHT));
    }

    @Test
    void trlScaleRewardsBatchDividesByTheStdOfEveryRewardInTheBatch() {
      // All rewards 1, 2, 3, 6, 0, 1: mean 13/6, squared deviations 822/36, unbiased variance
      // 822/180.
      double batchStd = Math.sqrt(822.0 / 180.0);
      AdvantageSpec spec =
          AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH);

      List<GroupResult> results = Advantages.batch(List.of(GROUP, new Double[] {0.0, 1.0}), spec);

      assertThat(results.get(0).advantages())
          .containsExactly(scaled(DEVIATIONS, batchStd + 1e-4), within(TIGHT));
      assertThat(results.get(1).advantages())
          .containsExactly(
              new double[] {-0.5 / (batchStd + 1e-4), 0.5 / (batchStd + 1e-4)}, within(TIGHT));
      assertThat(results.get(0).advantages()[3]).isCloseTo(1.4037871935695723, within(TIGHT));
    }
  }

  @Test
  void drGrpoSubtractsTheGroupMeanInEveryMode() {
    for (CompatMode mode :
        List.of(CompatMode.LODESTAR, CompatMode.VERL, CompatMode.TRL, CompatMode.OPENRLHF)) {
      assertThat(advantages(Estimator.DR_GRPO, mode))
          .as(mode.id())
          .containsExactly(DEVIATIONS, within(TIGHT));
    }
  }

  @Test
  void rlooSubtractsTheMeanOfTheOtherMembers() {
    // 1 - (2+3+6)/3 = -8/3, 2 - 10/3 = -4/3, 3 - 9/3 = 0, 6 - 6/3 = 4; verl's n/(n-1)*(r - mean) is
    // the same.
    double[] expected = {-8.0 / 3, -4.0 / 3, 0, 4};
    for (CompatMode mode :
        List.of(CompatMode.LODESTAR, CompatMode.VERL, CompatMode.TRL, CompatMode.OPENRLHF)) {
      assertThat(advantages(Estimator.RLOO, mode))
          .as(mode.id())
          .containsExactly(expected, within(TIGHT));
    }
  }

  @Test
  void openRlhfClampsTheShapedRewardToItsDefaultClipRange() {
    // RLOO of {0, 0, 0, 40}: 0 - 40/3 = -13.3 and 40 - 0 = 40, clamped to [-10, 10].
    Double[] rewards = {0.0, 0.0, 0.0, 40.0};
    assertThat(
            Advantages.group(rewards, AdvantageSpec.of(Estimator.RLOO, CompatMode.OPENRLHF))
                .advantages())
        .containsExactly(-10, -10, -10, 10);
    assertThat(
            Advantages.group(rewards, AdvantageSpec.of(Estimator.RLOO, CompatMode.LODESTAR))
                .advantages())
        .containsExactly(new double[] {-40.0 / 3, -40.0 / 3, -40.0 / 3, 40}, within(TIGHT));
    AdvantageSpec unclipped =
        AdvantageSpec.of(Estimator.RLOO, CompatMode.OPENRLHF)
            .withRewardClip(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertThat(Advantages.group(rewards, unclipped).advantages()[3]).isEqualTo(40.0);
  }

  @Nested
  class ReinforcePlusPlusBaseline {

    // Groups {1, 2, 3, 6} and {0, 1} centre to -2, -1, 0, 3 and -0.5, 0.5: batch mean 0, squares
    // 14.5.
    private final List<Double[]> batch = List.of(GROUP, new Double[] {0.0, 1.0});
    private final double[] centred = {-2, -1, 0, 3, -0.5, 0.5};

    private double[] flat(CompatMode mode) {
      List<GroupResult> results =
          Advantages.batch(batch, AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, mode));
      double[] a = results.get(0).advantages();
      double[] b = results.get(1).advantages();
      return new double[] {a[0], a[1], a[2], a[3], b[0], b[1]};
    }

    @Test
    void lodestarWhitensWithTheUnbiasedBatchStdPlusEps() {
      assertThat(flat(CompatMode.LODESTAR))
          .containsExactly(scaled(centred, Math.sqrt(14.5 / 5) + 1e-6), within(TIGHT));
    }

    @Test
    void verlWhitensWithEpsInsideTheSquareRootAndItsPaddedMeanDenominator() {
      double variance = 14.5 / (6 + 1e-8) * 6 / 5;
      assertThat(flat(CompatMode.VERL))
          .containsExactly(scaled(centred, Math.sqrt(variance + 1e-8)), within(TIGHT));
      assertThat(flat(CompatMode.VERL)[3]).isCloseTo(1.761660656974815, within(TIGHT));
    }

    @Test
    void openRlhfWhitensWithThePopulationVariance() {
      assertThat(flat(CompatMode.OPENRLHF))
          .containsExactly(scaled(centred, Math.sqrt(14.5 / 6)), within(TIGHT));
      assertThat(flat(CompatMode.OPENRLHF)[0]).isCloseTo(-1.2865350418053538, within(TIGHT));
    }

    @Test
    void openRlhfFloorsATinyBatchVarianceInsteadOfAddingEps() {
      // Centred values +-1e-6: population variance 1e-12 is below the 1e-8 floor.
      List<Double[]> tiny = List.<Double[]>of(new Double[] {0.0, 2e-6});
      double[] a =
          Advantages.batch(
                  tiny, AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF))
              .get(0)
              .advantages();
      assertThat(a).containsExactly(new double[] {-1e-6 / 1e-4, 1e-6 / 1e-4}, within(TIGHT));
    }
  }

  @Test
  void passAtKGivesOnlyTheBestItsMarginOverTheRunnerUp() {
    double[] normalised = {0, 0, 0, 3 / (UNBIASED_STD + 1e-6)};
    assertThat(advantages(Estimator.GRPO_PASS_AT_K, CompatMode.LODESTAR))
        .containsExactly(normalised, within(TIGHT));
    assertThat(advantages(Estimator.GRPO_PASS_AT_K, CompatMode.VERL))
        .containsExactly(normalised, within(TIGHT));

    AdvantageSpec raw =
        AdvantageSpec.of(Estimator.GRPO_PASS_AT_K, CompatMode.VERL).withNormaliseByStd(false);
    assertThat(Advantages.group(GROUP, raw).advantages()).containsExactly(0, 0, 0, 3);
  }

  @Test
  void reportsTheGroupStatisticsWithTheModesDdof() {
    GroupResult unbiased =
        Advantages.group(GROUP, AdvantageSpec.of(Estimator.RLOO, CompatMode.OPENRLHF));
    assertThat(unbiased.mean()).isEqualTo(3.0);
    assertThat(unbiased.std()).isCloseTo(UNBIASED_STD, within(TIGHT));

    GroupResult biased =
        Advantages.group(GROUP, AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL_ASYNC));
    assertThat(biased.std()).isCloseTo(BIASED_STD, within(TIGHT));
  }
}
