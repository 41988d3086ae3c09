package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.ExactNumber;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sample points keep the promises the equivalence check relies on (see {@link
 * Equivalence#sample}).
 */
class SamplePointsTest {

  private static final List<String> NAMES =
      List.of("x", "y", "z", "a", "b", "n", "t", "theta", "x_1", "alpha");

  @Test
  void eachPointHasItsMagnitude() {
    for (String name : NAMES) {
      for (int point = 0; point < Equivalence.POINTS; point++) {
        double magnitude = Math.abs(Equivalence.sample(name, point));
        switch (point % 6) {
          case 0, 5 -> assertThat(magnitude).as("%s at %d", name, point).isBetween(0.3, 2.7);
          case 1 -> assertThat(magnitude).as("%s at %d", name, point).isBetween(3.0, 12.0);
          case 2 -> assertThat(magnitude).as("%s at %d", name, point).isBetween(0.05, 0.95);
          case 3 -> assertThat(magnitude).as("%s at %d", name, point).isBetween(1e-4, 1e-3);
          default -> assertThat(magnitude).as("%s at %d", name, point).isBetween(100.0, 1e4);
        }
      }
    }
  }

  @Test
  void theFirstPointsArePositiveTheLastNegativeAndSomeMixSigns() {
    boolean mixedPositive = false;
    boolean mixedNegative = false;
    for (String name : NAMES) {
      for (int point : new int[] {0, 1, 2, 3}) {
        assertThat(Equivalence.sample(name, point)).as("%s at %d", name, point).isPositive();
      }
      for (int point : new int[] {6, 7, 8, 9}) {
        assertThat(Equivalence.sample(name, point)).as("%s at %d", name, point).isNegative();
      }
      for (int point : new int[] {4, 5, 10, 11}) {
        mixedPositive |= Equivalence.sample(name, point) > 0;
        mixedNegative |= Equivalence.sample(name, point) < 0;
      }
    }
    assertThat(mixedPositive).isTrue();
    assertThat(mixedNegative).isTrue();
  }

  @Test
  void pointsAreReproducibleDifferByNameAndHaveAtMostTwentySignificantBits() {
    for (String name : NAMES) {
      for (int point = 0; point < Equivalence.POINTS; point++) {
        double v = Equivalence.sample(name, point);
        assertThat(Equivalence.sample(name, point)).isEqualTo(v);
        assertThat(Equivalence.sample(name + "'", point)).isNotEqualTo(v);
        long mantissa = (long) Math.scalb(Math.abs(v), 52 - Math.getExponent(v));
        assertThat(Long.numberOfTrailingZeros(mantissa))
            .as("%s at %d", name, point)
            .isGreaterThanOrEqualTo(52 - 19);
      }
    }
  }

  @Test
  void theExactSampleIsTheSameNumber() {
    for (String name : NAMES) {
      for (int point = 0; point < Equivalence.POINTS; point++) {
        ExactNumber exact = Equivalence.exactSample(name, point);
        BigDecimal asDecimal =
            new BigDecimal(exact.numerator()).divide(new BigDecimal(exact.denominator()));
        assertThat(asDecimal)
            .as("%s at %d", name, point)
            .isEqualByComparingTo(new BigDecimal(Equivalence.sample(name, point)));
      }
    }
  }
}
