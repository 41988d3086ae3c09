package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Functions, logarithms, roots, decimals against expressions, and times of day as written in
 * answers.
 */
class NotationTest {

  private final MathVerifier verifier = new MathVerifier();

  private boolean same(String gold, String predicted) {
    Double value = verifier.verify("The answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @ParameterizedTest(name = "{0} equals {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "3 | \\log_2 8",
        "3 | \\log_{10} 1000",
        "\\arcsin x | \\sin^{-1} x",
        "\\frac{\\pi}{3} | \\cos^{-1}(1/2)",
        "\\frac{\\pi}{4} | \\tan^{-1} 1",
        "(\\sin x)^2 | \\sin^2 x",
        "\\frac{1}{\\sinh x} | \\sinh^{-1} x",
        "\\sin(2x) | \\sin 2x",
        "\\frac{\\sin 2x}{2} | \\sin x \\cos x",
        "\\frac{1}{\\cos x} | \\sec x",
        "\\frac{1}{\\sin x} | \\csc x",
        "\\frac{\\cos x}{\\sin x} | \\cot x",
        "\\frac{e^x - e^{-x}}{2} | \\sinh x",
        "\\frac{e^x + e^{-x}}{2} | \\cosh x",
        "0 | \\tanh 0",
        "1 | \\cosh 0",
        "2 | \\sqrt[3]{8}",
        "-2 | \\sqrt[3]{-8}",
        "-2 | (-8)^{1/3}",
        "4 | (-8)^{2/3}",
        "x^{2/3} | \\sqrt[3]{x^2}",
        "\\exp(2) | e^2",
        "\\ln(e^3) | 3",
        "6 | 3!",
        "24 | (2+2)!",
        "6 | (\\sqrt{9})!",
        "(n+1)! | (n+1)!",
        "9:30 | 09:30",
        "12:00 | 12:00",
        "9:59 | 09:59",
        "1:05 | 01:05",
        "9:59 | t = 9:59",
        "6 | \\frac{6}{2}!",
        "\\text{Evelyn} | \\text{evelyn}",
        "\\lvert x \\rvert | \\vert x \\vert",
        "a_{n_{1}} | a_{n_{1}}",
        "\\alpha + 1 | 1 + \\alpha",
      })
  void equivalent(String gold, String predicted) {
    assertThat(same(gold, predicted)).isTrue();
  }

  @ParameterizedTest(name = "{0} differs from {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\\sin x | \\cos x",
        "\\sec x | \\cos x",
        "\\arcsin x | \\frac{1}{\\sin x}",
        "2 | \\sqrt[3]{-8}",
        "\\sqrt{x^2} | x",
        "\\ln(x^2) | 2\\ln x",
        "9:30 | 9:31",
        "9:50 | 9:59",
        "a_{n_{1}} | a_{n_{2}}",
        "\\text{Evelyn} | \\text{Eve}",
        "9:30 | 9.30",
        "6 | 3",
        "(n+1)! | n+1",
        "n! | n",
        "4 | (2+2)!",
        "\\alpha | \\beta",
        "x^2 | x^2 + 10^{-12}x",
      })
  void different(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }

  @ParameterizedTest(name = "{0} approximates {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\\frac{x}{3} | 0.3333333x",
        "\\pi x | 3.1415927x",
        "\\sqrt{2} | 1.414214",
      })
  void decimalsApproximateExactExpressions(String gold, String predicted) {
    assertThat(same(gold, predicted)).isTrue();
  }

  @ParameterizedTest(name = "{0} is not approximated by {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\\frac{x}{3} | 0.34x",
        "\\frac{x}{3} | -0.333333x",
        "1 | 0.9999999",
      })
  void roughOrWrongDecimalsDoNotMatch(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }
}
