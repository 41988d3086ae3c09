package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rational functions are compared exactly: differences far below double precision still count, and
 * relations match only when their differences are exactly proportional.
 */
class ExactArithmeticTest {

  private final MathVerifier verifier = new MathVerifier();

  private boolean same(String gold, String predicted) {
    Double value = verifier.verify("The answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @ParameterizedTest(name = "{0} differs from {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10^{20}x+1 | 10^{20}x",
        "-10^{20}x-1 | -(10^{20}x)",
        "\\frac{10^{20}x+1}{y} | \\frac{10^{20}x}{y}",
        "(10^{20}x+1)^2 | 10^{40}x^2+2\\cdot 10^{20}x",
        "10^{20}x-1 | 10^{20}x",
        "(10^{20}+1)x^{-1} | 10^{20}x^{-1}",
        "10^{20}x + 1 = 0 | 10^{20}x = 0",
        "10^{20}x + 1 < y | 10^{20}x < y",
      })
  void differencesBelowDoublePrecisionCount(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }

  @ParameterizedTest(name = "{0} equals {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "(10^{20}x+1)^2 | 10^{40}x^2+2\\cdot 10^{20}x+1",
        "\\frac{10^{20}x+1}{y} | \\frac{10^{20}x}{y}+\\frac{1}{y}",
        "10^{20}x + 1 = y | 2\\cdot 10^{20}x + 2 = 2y",
        "10^{20}x + 1 < y | 2\\cdot 10^{20}x + 2 < 2y",
        "x^{-2} | \\frac{1}{x^2}",
      })
  void exactlyEqualRationalFunctionsMatch(String gold, String predicted) {
    assertThat(same(gold, predicted)).isTrue();
  }

  @ParameterizedTest(name = "{0} differs from {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10^{20}x + 1 < y | -2\\cdot 10^{20}x - 2 < -2y",
        "x + 1 = y | x + 1 = 2y",
      })
  void relationsNeedExactlyProportionalDifferences(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }
}
