package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Equal rewards have no spread: their mean is the reward itself and every deviation, std and
 * advantage is exactly 0.0, bit for bit, in every mode, estimator, filter and batch step. Unequal
 * rewards give numpy's statistics; the expected numbers below were computed with numpy 2.4 ({@code
 * np.sum}, {@code np.mean}, {@code np.std(ddof=0|1)}) outside this code.
 */
class ExactZerosTest {

  /** Runs whose naive left-to-right mean is off by an ulp, or numpy's own pairwise mean is. */
  private static final double[][] EQUAL_RUNS = {
    repeat(0.1, 8), // naive sum 0.7999999999999999: std 1.4e-17 before
    repeat(1.0 / 3, 7),
    repeat(1e10 + 0.1, 5),
    repeat(0.7, 65),
    repeat(1e-7, 185), // numpy's pairwise mean is 1.0000000000000001e-07 here
    repeat(0.1, 3),
  };

  private static double[] repeat(double value, int n) {
    double[] a = new double[n];
    Arrays.fill(a, value);
    return a;
  }

  private static Double[] boxed(double[] values) {
    return Arrays.stream(values).boxed().toArray(Double[]::new);
  }

  private static List<AdvantageSpec> everySupportedSpec() {
    List<AdvantageSpec> specs = new ArrayList<>();
    for (CompatMode mode : CompatMode.values()) {
      for (Estimator estimator : AdvantageSpec.supported(mode)) {
        specs.add(AdvantageSpec.of(estimator, mode));
        if (mode == CompatMode.TRL && estimator == Estimator.GRPO) {
          specs.add(AdvantageSpec.of(estimator, mode).withScaleRewards(ScaleRewards.BATCH));
        }
      }
    }
    return specs;
  }

  @Test
  void equalRewardsHaveThemselvesAsMeanAndExactlyZeroStd() {
    for (double[] run : EQUAL_RUNS) {
      String what = run.length + " x " + run[0];
      assertThat(Moments.mean(run)).as(what).isEqualTo(run[0]);
      assertThat(Moments.std(run, 0)).as(what).isEqualTo(0.0);
      assertThat(Moments.std(run, 1)).as(what).isEqualTo(0.0);
    }
  }

  @Test
  void equalRewardsGetExactlyZeroAdvantageInEveryModeAndEstimator() {
    for (AdvantageSpec spec : everySupportedSpec()) {
      for (double[] run : EQUAL_RUNS) {
        String what = spec + " on " + run.length + " x " + run[0];
        GroupResult result = Advantages.group(boxed(run), spec);
        for (double a : result.advantages()) {
          assertThat(a).as(what).isEqualTo(0.0);
        }
        assertThat(result.mean()).as(what).isEqualTo(run[0]);
        assertThat(result.std()).as(what).isEqualTo(0.0);
      }
    }
  }

  @Test
  void trlAsyncGivesZeroNotOneInABillionForEightRewardsOfATenth() {
    // (r - m) / (s0 + 1e-8) turned 1.4e-17 of rounding into 1.4e-9.
    GroupResult result =
        Advantages.group(
            boxed(repeat(0.1, 8)), AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL_ASYNC));
    assertThat(result.advantages()).containsOnly(0.0);
    assertThat(result.std()).isEqualTo(0.0);
  }

  @Test
  void theExistingGroupOperatorGivesExactZerosToo() {
    for (double[] run : EQUAL_RUNS) {
      GroupAdvantages.Result result = GroupAdvantages.grpo(boxed(run), GroupAdvantages.VERL_EPS);
      assertThat(result.advantages()).as(run.length + " x " + run[0]).containsOnly(0.0);
      assertThat(result.std()).isEqualTo(0.0);
      assertThat(result.mean()).isEqualTo(run[0]);
    }
  }

  @Test
  void filtersDropEqualContinuousRewardsAsVerlAndOpenRlhfDo() {
    for (double[] run : EQUAL_RUNS) {
      assertThat(DynamicSamplingFilters.verlKeeps(boxed(run)))
          .as(run.length + " x " + run[0])
          .isFalse();
      assertThat(DynamicSamplingFilters.openRlhfKeeps(boxed(run), -1e12, 1e12, 0.0)).isFalse();
    }
    // Unscored members change nothing.
    Double[] withGaps = {0.1, null, 0.1, 0.1, Double.NaN, 0.1, 0.1, 0.1, 0.1, 0.1};
    assertThat(DynamicSamplingFilters.verlKeeps(withGaps)).isFalse();
  }

  @Test
  void aMemberWhoseOthersAreAllEqualIsComparedWithExactlyTheirValue() {
    Double[] rewards = boxed(repeat(0.1, 8));
    rewards[3] = 1.0;
    for (CompatMode mode : List.of(CompatMode.LODESTAR, CompatMode.TRL, CompatMode.OPENRLHF)) {
      double[] a = Advantages.group(rewards, AdvantageSpec.of(Estimator.RLOO, mode)).advantages();
      assertThat(a[3]).as(mode.id()).isEqualTo(1.0 - 0.1);
    }
  }

  @Test
  void batchStepsGiveExactZerosOverEqualValues() {
    // verl whitens lone rewards as they are; equal ones must whiten to exactly 0.
    List<Double[]> singletons = List.of(new Double[] {0.1}, new Double[] {0.1}, new Double[] {0.1});
    for (CompatMode mode : List.of(CompatMode.LODESTAR, CompatMode.VERL)) {
      AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, mode);
      for (GroupResult result : Advantages.batch(singletons, spec)) {
        assertThat(result.advantages()).as(mode.id()).containsOnly(0.0);
      }
      List<int[]> tokens = List.of(new int[] {3}, new int[] {0}, new int[] {11});
      for (GroupResult result : Advantages.batch(singletons, tokens, spec)) {
        assertThat(result.advantages()).as(mode.id() + " by tokens").containsOnly(0.0);
      }
    }
    AdvantageSpec trlBatch =
        AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH);
    for (GroupResult result :
        Advantages.batch(List.of(boxed(repeat(0.1, 8)), boxed(repeat(0.1, 3))), trlBatch)) {
      assertThat(result.advantages()).containsOnly(0.0);
    }
  }

  @Test
  void unequalRewardsGiveNumpysStatistics() {
    double[] longRun = new double[200];
    for (int i = 0; i < longRun.length; i++) {
      longRun[i] = (i * 7919 % 1000) / 997.0 + 0.1;
    }
    // values, then numpy's sum, mean, std(ddof=0), std(ddof=1)
    Object[][] cases = {
      {
        new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9},
        4.5,
        0.5,
        0.25819888974716115,
        0.2738612787525831
      },
      {
        new double[] {1e10 + 0.1, 1e10 + 0.2, 1e10 + 0.1, 1e10 + 0.3},
        40000000000.7,
        10000000000.175,
        0.08291521720429106,
        0.09574224594562747
      },
      {
        new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 2.0 / 3},
        2.6666666666666665,
        0.38095238095238093,
        0.11664236870396086,
        0.12598815766974242
      },
      {longRun, 119.39819458375125, 0.5969909729187562, 0.29182779907799977, 0.2925601159109329},
    };
    for (Object[] c : cases) {
      double[] values = (double[]) c[0];
      String what = values.length + " values from " + values[0];
      assertThat(Moments.sum(values)).as(what).isEqualTo((double) c[1]);
      assertThat(Moments.mean(values)).as(what).isEqualTo((double) c[2]);
      assertWithinAnUlp(Moments.std(values, 0), (double) c[3], what);
      assertWithinAnUlp(Moments.std(values, 1), (double) c[4], what);
    }
  }

  private static void assertWithinAnUlp(double actual, double expected, String what) {
    assertThat(Math.abs(actual - expected))
        .as(what + ": " + actual + " vs numpy " + expected)
        .isLessThanOrEqualTo(Math.ulp(expected));
  }
}
