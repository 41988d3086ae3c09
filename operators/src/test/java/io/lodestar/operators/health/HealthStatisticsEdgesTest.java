package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.schema.DistributionSummary;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * The streaming statistics at their edges: tiny values, two points, constants, empty sides of a
 * merge.
 */
class HealthStatisticsEdgesTest {

  @Test
  void mergingCoMomentsWithDifferentMeansGivesTheMomentsOfTheUnion() {
    double[] x = {1, 2, 3, 10, 11, 12};
    double[] y = {5, 3, 4, 20, 25, 21};
    CoMoments left = new CoMoments();
    CoMoments right = new CoMoments();
    CoMoments all = new CoMoments();
    for (int i = 0; i < x.length; i++) {
      (i < 3 ? left : right).add(x[i], y[i]);
      all.add(x[i], y[i]);
    }

    left.merge(right);

    assertThat(left.count).isEqualTo(all.count);
    assertThat(left.meanX).isCloseTo(all.meanX, within(1e-12));
    assertThat(left.meanY).isCloseTo(all.meanY, within(1e-12));
    assertThat(left.m2x).isCloseTo(all.m2x, within(1e-9));
    assertThat(left.m2y).isCloseTo(all.m2y, within(1e-9));
    assertThat(left.cxy).isCloseTo(all.cxy, within(1e-9));
  }

  @Test
  void mergingWithAnEmptySideKeepsTheOtherSide() {
    CoMoments filled = new CoMoments();
    filled.add(1, 2);
    filled.add(3, 7);
    CoMoments empty = new CoMoments();

    empty.merge(filled);
    filled.merge(new CoMoments());

    assertThat(empty).usingRecursiveComparison().isEqualTo(filled);
    Moments m = new Moments();
    m.add(4);
    Moments fromEmpty = new Moments();
    fromEmpty.merge(m);
    m.merge(new Moments());
    assertThat(fromEmpty).usingRecursiveComparison().isEqualTo(m);
    assertThat(new Moments().populationStd()).isZero();
  }

  @Test
  void twoPointsHaveAPerfectCorrelationAndAConstantXHasNone() {
    CoMoments two = new CoMoments();
    two.add(1, 10);
    two.add(2, 5);
    assertThat(two.correlation()).isEqualTo(-1.0);

    CoMoments constantX = new CoMoments();
    constantX.add(3, 1);
    constantX.add(3, 2);
    constantX.add(3, 4);
    assertThat(constantX.correlation()).isNull();
  }

  @Test
  void theSmallestNonZeroMagnitudeHasItsOwnBucketAndSmallerOnesCountAsZero() {
    QuantileSketch s = new QuantileSketch();
    s.add(QuantileSketch.MIN_MAGNITUDE);
    assertThat(s.zeroCount).isZero();
    assertThat(s.quantile(0.5))
        .isCloseTo(QuantileSketch.MIN_MAGNITUDE, Percentage.withPercentage(1));

    QuantileSketch tiny = new QuantileSketch();
    tiny.add(QuantileSketch.MIN_MAGNITUDE / 2);
    tiny.add(-QuantileSketch.MIN_MAGNITUDE / 2);
    assertThat(tiny.zeroCount).isEqualTo(2);
    assertThat(tiny.quantile(0.5)).isZero();
  }

  @Test
  void quantilesOutsideZeroToOneAreClampedAndNonFiniteValuesIgnored() {
    QuantileSketch s = new QuantileSketch();
    for (double x : new double[] {1, 2, 3, Double.NaN, Double.POSITIVE_INFINITY}) {
      s.add(x);
    }
    assertThat(s.count).isEqualTo(3);
    assertThat(s.quantile(-1)).isEqualTo(s.quantile(0));
    assertThat(s.quantile(2)).isEqualTo(s.quantile(1));
    assertThat(s.quantile(1)).isCloseTo(3, Percentage.withPercentage(1));
  }

  @Test
  void aDistributionCountsFiniteValuesAndKeepsItsQuantilesWithinItsRange() {
    Distribution d = new Distribution();
    for (double x : new double[] {7, 7, 7, Double.NaN}) {
      d.add(x);
    }
    DistributionSummary summary = d.summary();

    assertThat(d.count()).isEqualTo(3);
    assertThat(summary.getCount()).isEqualTo(3);
    // The bucket representative of 7 is within 1 % of it, but never outside the observed range.
    assertThat(summary.getP10()).isEqualTo(7.0);
    assertThat(summary.getP50()).isEqualTo(7.0);
    assertThat(summary.getP90()).isEqualTo(7.0);
    assertThat(summary.getStd()).isZero();
  }

  @Test
  void aComponentKeepsTheSourceAndRoleItWasFirstSeenWith() {
    ComponentAccumulator first = new ComponentAccumulator();
    first.source = "VERIFIER";
    first.role = "ACCURACY";
    ComponentAccumulator other = new ComponentAccumulator();
    other.source = "JUDGE";
    other.role = "JUDGE";
    other.scored = 2;

    ComponentAccumulator empty = new ComponentAccumulator();
    empty.merge(other);
    first.merge(other);

    assertThat(empty.source).isEqualTo("JUDGE");
    assertThat(empty.role).isEqualTo("JUDGE");
    assertThat(first.source).isEqualTo("VERIFIER");
    assertThat(first.role).isEqualTo("ACCURACY");
    assertThat(first.scored).isEqualTo(2);
  }
}
