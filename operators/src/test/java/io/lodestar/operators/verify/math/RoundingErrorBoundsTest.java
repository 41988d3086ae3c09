package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values that are equal but whose double evaluation is not exact ({@code \sqrt{2}^2} is
 * 2.0000000000000004) must agree within the rounding error each operation carries: a bound too
 * small turns them into a difference, a bound too large into no decision at all.
 */
class RoundingErrorBoundsTest {

  private final MathVerifier verifier = new MathVerifier();

  private boolean same(String gold, String predicted) {
    Double value = verifier.verify("The answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @ParameterizedTest(name = "{0} equals {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Sums, differences, products and quotients of rounded values.
        "4 | \\sqrt{2}\\cdot\\sqrt{8}",
        "2 | \\frac{\\sqrt{8}}{\\sqrt{2}}",
        "\\sqrt{18} | \\sqrt{2}+\\sqrt{8}",
        "\\sqrt{2} | \\sqrt{8}-\\sqrt{2}",
        "\\frac{\\sqrt{2}}{2} | \\frac{1}{\\sqrt{2}}",
        "-2 | -\\sqrt{2}\\cdot\\sqrt{2}",
        // Powers with rounded bases and exponents, and real roots of negative rounded bases.
        "2 | \\sqrt{2}^{2}",
        "2 | \\sqrt{2}^{\\sqrt{2}\\cdot\\sqrt{2}}",
        "4 | 2^{\\sqrt{2}\\cdot\\sqrt{2}}",
        "\\frac{1}{2} | (\\sqrt{2})^{-2}",
        "2 | e^{\\ln 2}",
        "-\\sqrt{2} | (-\\sqrt{8})^{1/3}",
        "2 | (-\\sqrt{8})^{2/3}",
        "x^2 | (\\sqrt{2}x)^2/2",
        // Functions of rounded arguments.
        "\\frac{1}{2} | \\sin(\\pi/6)",
        "\\frac{1}{2} | \\cos(\\pi/3)",
        "1 | \\tan(\\pi/4)",
        "2 | \\sec(\\pi/3)",
        "2 | \\csc(\\pi/6)",
        "1 | \\cot(\\pi/4)",
        "\\frac{\\pi}{3} | \\arctan(\\sqrt{3})",
        "\\frac{\\pi}{4} | \\arccos(\\frac{\\sqrt{2}}{2})",
        "\\frac{\\pi}{6} | \\arcsin(\\frac{1}{2})",
        "\\frac{3}{4} | \\sinh(\\ln 2)",
        "\\frac{5}{4} | \\cosh(\\ln 2)",
        "\\frac{3}{5} | \\tanh(\\ln 2)",
        "3 | \\exp(\\ln 3)",
        "2 | \\ln(e^2)",
        "2 | \\sqrt{\\sqrt{16}}",
        "\\sqrt{2} | \\lvert -\\sqrt{2} \\rvert",
        "6 | (\\sqrt{9})!",
        "1 | 0!",
        // Matrices with rounded entries: products, scaling, division, sums and differences.
        "\\begin{pmatrix}3\\end{pmatrix} | \\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix}\\begin{pmatrix}\\sqrt{2}\\\\1\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | \\sqrt{2}\\begin{pmatrix}\\sqrt{2}&\\sqrt{8}\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | \\begin{pmatrix}\\sqrt{2}&\\sqrt{8}\\end{pmatrix}\\cdot\\sqrt{2}",
        "\\begin{pmatrix}\\sqrt{2}&\\sqrt{8}\\end{pmatrix} | \\begin{pmatrix}2&4\\end{pmatrix}/\\sqrt{2}",
        "\\begin{pmatrix}\\sqrt{8}&2\\end{pmatrix} | \\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix}+\\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix}",
        "\\begin{pmatrix}\\sqrt{2}&0\\end{pmatrix} | \\begin{pmatrix}\\sqrt{8}&1\\end{pmatrix}-\\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix}",
        "\\begin{pmatrix}2x\\end{pmatrix} | \\begin{pmatrix}\\sqrt{2}x\\end{pmatrix}\\cdot\\sqrt{2}",
      })
  void equalValuesAgreeWithinTheirRoundingErrors(String gold, String predicted) {
    assertThat(same(gold, predicted)).isTrue();
  }

  @ParameterizedTest(name = "{0} differs from {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "4 | \\sqrt{2}\\cdot\\sqrt{8}+10^{-12}",
        "2 | \\sqrt{2}^{2}+10^{-12}",
        "\\frac{1}{2} | \\sin(\\pi/6)+10^{-12}",
        "\\begin{pmatrix}3\\end{pmatrix} | \\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix}\\begin{pmatrix}\\sqrt{2}\\\\1+10^{-12}\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | \\sqrt{2}\\begin{pmatrix}\\sqrt{2}&\\sqrt{8}+10^{-12}\\end{pmatrix}",
        "6 | (\\sqrt{9}+10^{-12})!",
      })
  void valuesThatDifferBeyondTheirRoundingErrorsDiffer(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }
}
