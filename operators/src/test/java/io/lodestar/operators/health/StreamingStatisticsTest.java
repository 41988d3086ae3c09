package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class StreamingStatisticsTest {

  @Test
  void momentsGiveTheTextbookMeanAndPopulationStd() {
    Moments m = new Moments();
    for (double x : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
      m.add(x);
    }
    assertThat(m.count).isEqualTo(8);
    assertThat(m.mean).isEqualTo(5.0);
    assertThat(m.populationStd()).isCloseTo(2.0, within(1e-12));
    assertThat(m.min).isEqualTo(2.0);
    assertThat(m.max).isEqualTo(9.0);
  }

  @Test
  void mergedMomentsEqualMomentsOfTheUnion() {
    Moments left = new Moments();
    Moments right = new Moments();
    Moments all = new Moments();
    double[] values = {2, 4, 4, 4, 5, 5, 7, 9};
    for (int i = 0; i < values.length; i++) {
      (i < 3 ? left : right).add(values[i]);
      all.add(values[i]);
    }
    left.merge(right);
    assertThat(left.count).isEqualTo(all.count);
    assertThat(left.mean).isCloseTo(all.mean, within(1e-12));
    assertThat(left.m2).isCloseTo(all.m2, within(1e-9));
    assertThat(left.min).isEqualTo(2.0);
    assertThat(left.max).isEqualTo(9.0);
  }

  @Test
  void correlationMatchesAHandComputedValue() {
    // dx = -2 -1 0 1 2, dy = -2 0 1 0 1: Sxy = 6, Sxx = 10, Syy = 6, r = 6 / sqrt(60).
    CoMoments c = new CoMoments();
    double[] x = {1, 2, 3, 4, 5};
    double[] y = {2, 4, 5, 4, 5};
    for (int i = 0; i < x.length; i++) {
      c.add(x[i], y[i]);
    }
    assertThat(c.correlation()).isCloseTo(6 / Math.sqrt(60), within(1e-12));
  }

  @Test
  void correlationStaysExactForLargeOffsets() {
    // Sum-of-products formulas lose every digit here; co-moments do not.
    CoMoments c = new CoMoments();
    double[] x = {1, 2, 3, 4, 5};
    double[] y = {2, 4, 5, 4, 5};
    for (int i = 0; i < x.length; i++) {
      c.add(1e9 + x[i], 1e9 + y[i]);
    }
    assertThat(c.correlation()).isCloseTo(6 / Math.sqrt(60), within(1e-6));
  }

  @Test
  void mergedCoMomentsEqualCoMomentsOfTheUnion() {
    CoMoments left = new CoMoments();
    CoMoments right = new CoMoments();
    double[] x = {1, 2, 3, 4, 5};
    double[] y = {2, 4, 5, 4, 5};
    for (int i = 0; i < x.length; i++) {
      (i % 2 == 0 ? left : right).add(x[i], y[i]);
    }
    right.merge(left);
    assertThat(right.count).isEqualTo(5);
    assertThat(right.correlation()).isCloseTo(6 / Math.sqrt(60), within(1e-12));
  }

  @Test
  void correlationIsUndefinedBelowTwoPointsOrForAConstant() {
    CoMoments c = new CoMoments();
    assertThat(c.correlation()).isNull();
    c.add(1, 1);
    assertThat(c.correlation()).isNull();
    c.add(2, 1);
    assertThat(c.correlation()).as("constant reward").isNull();
  }

  @Test
  void sketchQuantilesAreWithinOnePercentOfNearestRank() {
    QuantileSketch s = new QuantileSketch();
    for (int i = 1; i <= 100; i++) {
      s.add(i);
    }
    // Ranks floor(q * 99): p50 is the 50th value, p90 the 90th, p10 the 10th.
    assertThat(s.quantile(0.5)).isCloseTo(50, Percentage.withPercentage(1));
    assertThat(s.quantile(0.9)).isCloseTo(90, Percentage.withPercentage(1));
    assertThat(s.quantile(0.1)).isCloseTo(10, Percentage.withPercentage(1));
    assertThat(s.quantile(0)).isCloseTo(1, Percentage.withPercentage(1));
    assertThat(s.quantile(1)).isCloseTo(100, Percentage.withPercentage(1));
  }

  @Test
  void sketchOrdersNegativeZeroAndPositiveValues() {
    QuantileSketch s = new QuantileSketch();
    for (double x : new double[] {2, -1, 0, -3}) {
      s.add(x);
    }
    assertThat(s.quantile(0)).isCloseTo(-3, Percentage.withPercentage(1));
    assertThat(s.quantile(0.34)).isCloseTo(-1, Percentage.withPercentage(1));
    assertThat(s.quantile(0.67)).isEqualTo(0.0);
    assertThat(s.quantile(1)).isCloseTo(2, Percentage.withPercentage(1));
  }

  @Test
  void sketchMergeDoesNotDependOnOrder() {
    QuantileSketch a = new QuantileSketch();
    QuantileSketch b = new QuantileSketch();
    QuantileSketch all = new QuantileSketch();
    for (int i = 0; i < 500; i++) {
      double x = Math.sin(i) * 1000;
      (i % 3 == 0 ? a : b).add(x);
      all.add(x);
    }
    QuantileSketch ab = new QuantileSketch();
    ab.merge(a);
    ab.merge(b);
    QuantileSketch ba = new QuantileSketch();
    ba.merge(b);
    ba.merge(a);
    assertThat(ab).usingRecursiveComparison().isEqualTo(all);
    assertThat(ba).usingRecursiveComparison().isEqualTo(all);
  }

  @Test
  void emptySketchHasNoQuantile() {
    assertThat(new QuantileSketch().quantile(0.5)).isNaN();
    assertThat(new Distribution().summary()).isNull();
  }
}
