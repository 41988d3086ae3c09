package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {

  private static final double EPS = GroupAdvantages.VERL_EPS;

  private static GroupAdvantages.Result grpo(Double... rewards) {
    return GroupAdvantages.grpo(rewards, EPS);
  }

  @Test
  void usesVerlEpsilon() {
    assertThat(EPS).isEqualTo(1e-6);
    assertThat(GroupAdvantages.grpoParams(EPS))
        .containsEntry("eps", "1.0E-6")
        .containsEntry("std", "unbiased")
        .containsEntry("compat", "verl");
  }

  @Test
  void matchesHandComputedValues() {
    // rewards 1, 2, 3, 6: mean 3, squared deviations 4 + 1 + 0 + 9 = 14, unbiased variance 14/3.
    GroupAdvantages.Result result = grpo(1.0, 2.0, 3.0, 6.0);

    double std = Math.sqrt(14.0 / 3.0);
    assertThat(result.scoredCount()).isEqualTo(4);
    assertThat(result.mean()).isEqualTo(3.0);
    assertThat(result.std()).isCloseTo(std, within(1e-15));
    assertThat(result.advantages())
        .containsExactly(
            new double[] {-2 / (std + EPS), -1 / (std + EPS), 0.0, 3 / (std + EPS)}, within(1e-12));
    assertThat(result.advantages()[0]).isCloseTo(-0.9258198, within(1e-6));
  }

  @Test
  void usesTheUnbiasedStandardDeviation() {
    // Binary rewards 1, 0: population std 0.5, unbiased std sqrt(0.5).
    GroupAdvantages.Result result = grpo(1.0, 0.0);

    assertThat(result.std()).isCloseTo(Math.sqrt(0.5), within(1e-15));
    assertThat(result.advantages()[0]).isCloseTo(0.5 / (Math.sqrt(0.5) + EPS), within(1e-12));
    assertThat(result.advantages()[0])
        .isCloseTo(0.70710578, within(1e-7))
        .isNotCloseTo(1.0, within(0.1));
  }

  @Test
  void givesAllZerosWhenEveryRewardIsEqual() {
    GroupAdvantages.Result ones = grpo(1.0, 1.0, 1.0, 1.0);
    assertThat(ones.advantages()).containsOnly(0.0);
    assertThat(ones.std()).isEqualTo(0.0);
    assertThat(ones.mean()).isEqualTo(1.0);

    GroupAdvantages.Result zeros = grpo(0.0, 0.0, 0.0);
    assertThat(zeros.advantages()).containsOnly(0.0);

    // Values whose mean is not exact in binary still give (numerically) zero, never +-1/eps.
    GroupAdvantages.Result tenths = grpo(0.1, 0.1, 0.1);
    for (double a : tenths.advantages()) {
      assertThat(a).isCloseTo(0.0, within(1e-9));
    }
  }

  @Test
  void keepsTheRawRewardOfASingleScoredMemberDividedByOnePlusEps() {
    GroupAdvantages.Result single = grpo(0.8);
    assertThat(single.advantages()).containsExactly(0.8 / (1 + EPS));
    assertThat(single.scoredCount()).isEqualTo(1);
    assertThat(single.mean()).isEqualTo(0.8);
    assertThat(single.std()).isNull();

    GroupAdvantages.Result singleAmongUnscored = grpo(null, -2.0, Double.NaN);
    assertThat(singleAmongUnscored.advantages()).containsExactly(0.0, -2.0 / (1 + EPS), 0.0);
    assertThat(singleAmongUnscored.scoredCount()).isEqualTo(1);
  }

  @Test
  void leavesNullAndNonFiniteRewardsOutOfMeanAndStdWithZeroAdvantage() {
    GroupAdvantages.Result result =
        grpo(1.0, null, 0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    GroupAdvantages.Result scoredOnly = grpo(1.0, 0.0);

    assertThat(result.scoredCount()).isEqualTo(2);
    assertThat(result.mean()).isEqualTo(scoredOnly.mean());
    assertThat(result.std()).isEqualTo(scoredOnly.std());
    assertThat(result.advantages()[0]).isEqualTo(scoredOnly.advantages()[0]);
    assertThat(result.advantages()[2]).isEqualTo(scoredOnly.advantages()[1]);
    assertThat(result.advantages()[1]).isEqualTo(0.0);
    assertThat(result.advantages()[3]).isEqualTo(0.0);
    assertThat(result.advantages()[4]).isEqualTo(0.0);
    assertThat(result.advantages()[5]).isEqualTo(0.0);
    assertThat(GroupAdvantages.isScored(null)).isFalse();
    assertThat(GroupAdvantages.isScored(Double.NaN)).isFalse();
    assertThat(GroupAdvantages.isScored(-0.0)).isTrue();
  }

  @Test
  void givesZerosAndNoStatisticsWhenNothingIsScored() {
    GroupAdvantages.Result empty = grpo();
    assertThat(empty.advantages()).isEmpty();
    assertThat(empty.scoredCount()).isZero();
    assertThat(empty.mean()).isNull();
    assertThat(empty.std()).isNull();

    GroupAdvantages.Result unscored = grpo(null, Double.NaN, null);
    assertThat(unscored.advantages()).containsExactly(0.0, 0.0, 0.0);
    assertThat(unscored.scoredCount()).isZero();
    assertThat(unscored.mean()).isNull();
    assertThat(unscored.std()).isNull();
  }

  @Test
  void doesNotDependOnTheOrderOfMembers() {
    GroupAdvantages.Result forward = grpo(0.0, 1.0, 1.0, 0.5);
    GroupAdvantages.Result backward = grpo(0.5, 1.0, 1.0, 0.0);
    assertThat(forward.advantages()[0]).isCloseTo(backward.advantages()[3], within(1e-12));
    assertThat(forward.advantages()[3]).isCloseTo(backward.advantages()[0], within(1e-12));
    assertThat(forward.std()).isCloseTo(backward.std(), within(1e-15));
  }

  @Test
  void agreesWithAStraightforwardReferenceOnRandomGroups() {
    Random random = new Random(20250611L);
    double[] palette = {0.0, 1.0, 0.5, -1.0, 0.25};
    for (int trial = 0; trial < 1_000; trial++) {
      int size = 1 + random.nextInt(64);
      Double[] rewards = new Double[size];
      for (int i = 0; i < size; i++) {
        int kind = random.nextInt(10);
        if (kind == 0) {
          rewards[i] = null;
        } else if (kind == 1) {
          rewards[i] = Double.NaN;
        } else if (kind < 6) {
          rewards[i] = palette[random.nextInt(palette.length)]; // ties
        } else {
          rewards[i] = random.nextGaussian() * 3;
        }
      }
      Reference expected = Reference.of(rewards, EPS);

      GroupAdvantages.Result actual = GroupAdvantages.grpo(rewards, EPS);

      String where = "trial " + trial + ", size " + size;
      assertThat(actual.scoredCount()).as(where).isEqualTo(expected.scored);
      if (expected.scored == 0) {
        assertThat(actual.mean()).as(where).isNull();
      } else {
        assertThat(actual.mean()).as(where).isCloseTo(expected.mean, within(1e-12));
      }
      if (expected.scored < 2) {
        assertThat(actual.std()).as(where).isNull();
      } else {
        assertThat(actual.std()).as(where).isCloseTo(expected.std, within(1e-12));
      }
      for (int i = 0; i < size; i++) {
        assertThat(actual.advantages()[i])
            .as(where + ", member " + i)
            .isCloseTo(expected.advantages[i], within(1e-12));
      }
    }
  }

  /**
   * verl's rule written out plainly: scored members only, Bessel-corrected std, singleton keeps its
   * reward.
   */
  private record Reference(int scored, double mean, double std, double[] advantages) {
    static Reference of(Double[] rewards, double eps) {
      List<Double> scored = new ArrayList<>();
      for (Double r : rewards) {
        if (r != null && !r.isNaN() && !r.isInfinite()) {
          scored.add(r);
        }
      }
      int n = scored.size();
      double mean =
          n == 0 ? Double.NaN : scored.stream().mapToDouble(Double::doubleValue).sum() / n;
      double std = Double.NaN;
      if (n >= 2) {
        double ss = 0;
        for (double r : scored) {
          ss += (r - mean) * (r - mean);
        }
        std = Math.sqrt(ss / (n - 1));
      }
      double[] advantages = new double[rewards.length];
      for (int i = 0; i < rewards.length; i++) {
        Double r = rewards[i];
        if (r == null || r.isNaN() || r.isInfinite()) {
          advantages[i] = 0.0;
        } else if (n == 1) {
          advantages[i] = r / (1.0 + eps);
        } else {
          advantages[i] = (r - mean) / (std + eps);
        }
      }
      return new Reference(n, mean, std, advantages);
    }
  }
}
