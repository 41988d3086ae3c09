package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Equivalence of answers already isolated: each case boxes the prediction and gives the gold bare.
 */
class MathVerifierEquivalenceTest {

  private final MathVerifier verifier = new MathVerifier();

  private boolean same(String gold, String predicted) {
    Double value = verifier.verify("The answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @Nested
  class Numbers {

    @ParameterizedTest(name = "{0} equals {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "\\frac{1}{2} | 0.5",
          "1/2 | \\dfrac{2}{4}",
          "-\\frac{10}{9} | -10/9",
          "1\\frac{1}{4} | 5/4",
          "2^{10} | 1024",
          "3\\sqrt{13} | \\sqrt{117}",
          "\\frac{9}{4}\\pi | \\frac94\\pi",
          "\\sqrt{2}+\\sqrt{5} | \\sqrt 5+\\sqrt 2",
          "e^{2} | e \\cdot e",
          "5! | 120",
          "\\lvert -3 \\rvert | 3",
          "-2\\frac{1}{2} | -2.5",
          "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{15+2\\sqrt{33}} | \\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{2\\sqrt{33}+15}"
        })
    void shouldAcceptEqualValuesWrittenDifferently(String gold, String predicted) {
      assertThat(same(gold, predicted)).isTrue();
    }

    @ParameterizedTest(name = "{0} differs from {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "\\frac{1}{3} | 0.33",
          "2 | \\frac{1+\\sqrt{5}}{2}",
          "4 | 4\\sqrt{2}",
          "1\\sqrt{19} | 1",
          "7 | 8"
        })
    void shouldRejectDifferentValues(String gold, String predicted) {
      assertThat(same(gold, predicted)).isFalse();
    }

    @Test
    void shouldCompareDecimalsAtTheConfiguredNumberOfPlaces() {
      Config three = Config.defaults().withFloatRounding(3);
      Config four = Config.defaults().withFloatRounding(4);
      assertThat(verifier.verify("1/3", "0.333", three).equivalent()).isTrue();
      assertThat(verifier.verify("1/3", "0.333", four).equivalent()).isFalse();
      assertThat(verifier.verify("$\\sqrt{17}$", "4.123106", Config.defaults()).equivalent())
          .isTrue();
    }

    @Test
    void shouldCompareLargeRationalsExactly() {
      assertThat(same("12345678901234567890123", "12345678901234567890124")).isFalse();
      assertThat(same("\\frac{10^{30}}{3}", "\\frac{2 \\cdot 10^{30}}{6}")).isTrue();
    }
  }

  @Nested
  class Symbolic {

    @ParameterizedTest(name = "{0} equals {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "4a-2 | 2(2a-1)",
          "\\frac{x+2}{7} | \\frac{x}{7}+\\frac{2}{7}",
          "\\tan^2(y)+1 | \\sec^2(y)",
          "2 \\sin b \\cos a | \\sin(a+b) - \\sin(a-b)",
          "\\frac{1}{3\\sqrt[3]{x}^2} | \\frac{1}{3x^{2/3}}",
          "(x+1)^2 | x^2+2x+1",
          "\\frac{\\pi r}{h+r} | \\frac{r\\pi}{r+h}"
        })
    void shouldAcceptEquivalentExpressions(String gold, String predicted) {
      assertThat(same(gold, predicted)).isTrue();
    }

    @ParameterizedTest(name = "{0} differs from {1}")
    @CsvSource(
        delimiter = '|',
        value = {"x+2n+1 | x+1", "(a+5)(b+2) | (+5)(b+2)", "x^2 | 2x"})
    void shouldRejectDifferentExpressions(String gold, String predicted) {
      assertThat(same(gold, predicted)).isFalse();
    }

    @Test
    void shouldIgnoreVariableNamesOnlyWhenNotStrict() {
      assertThat(verifier.verify("$f(x)$", "$f(y)$", Config.defaults()).equivalent()).isFalse();
      assertThat(
              verifier.verify("$f(x)$", "$f(y)$", Config.defaults().withStrict(false)).equivalent())
          .isTrue();
    }
  }

  @Nested
  class Structures {

    @Test
    void shouldCompareSetsWithoutRegardToOrder() {
      assertThat(same("\\{1, 2, 3\\}", "\\{3, 1, 2\\}")).isTrue();
      assertThat(same("-2, 1", "1, -2")).isTrue();
      assertThat(same("\\{1, 2\\}", "\\{1, 3\\}")).isFalse();
    }

    @Test
    void shouldExpandPlusMinusIntoBothValues() {
      assertThat(same("1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}")).isTrue();
      assertThat(same("\\{1\\pm\\sqrt{5},-2\\}", "-2, 1-\\sqrt{5}, 1+\\sqrt{5}")).isTrue();
      assertThat(same("1 \\pm \\sqrt{19}", "1+\\sqrt{19}")).isFalse();
    }

    @Test
    void shouldCompareTuplesInOrder() {
      assertThat(same("(6,31,-1)", "(6, 31, -1)")).isTrue();
      assertThat(same("(6,31,-1)", "(31, 6, -1)")).isFalse();
      assertThat(same("(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)")).isTrue();
    }

    @Test
    void shouldCompareIntervalsByEndsAndClosedness() {
      assertThat(same("[0,1)", "[0, 1)")).isTrue();
      assertThat(same("(0,9)", "[0,9)")).isFalse();
      assertThat(
              same("[-1, -\\frac{1}{2}) \\cup (1, \\infty)", "(1, \\infty) \\cup [-1, -\\tfrac12)"))
          .isTrue();
      assertThat(same("x \\in [-2,7]", "[-2, 7]")).isTrue();
    }

    @Test
    void shouldCompareMatricesElementwiseWhateverTheirBrackets() {
      assertThat(
              same(
                  "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
                  "\\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right]"))
          .isTrue();
      assertThat(
              same(
                  "\\begin{pmatrix}6 & 8 \\\\ 10 & 12\\end{pmatrix}",
                  "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} + \\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix}"))
          .isTrue();
      assertThat(
              same(
                  "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
                  "\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}"))
          .isFalse();
    }

    @Test
    void shouldCompareTextAnswersIgnoringCase() {
      assertThat(same("\\text{Evelyn}", "\\text{evelyn}")).isTrue();
      assertThat(same("\\text{Evelyn}", "\\text{Briana}")).isFalse();
    }
  }

  @Nested
  class Relations {

    @ParameterizedTest(name = "{0} equals {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "x \\leq 5 | 5 \\geq x",
          "x < 1 | -x > -1",
          "x \\neq 3 | x != 3",
          "k=1 | 1",
          "1 | k = 1",
          "x = 11 | x = 5+5+1 = 11",
          "2x+4y-3=0 | y=-\\frac{1}{2}x+\\frac{3}{4}",
          "x^2/4 + y^2/3 = 1 | x^2/16 + y^2/12 = 1/4",
          "11 | x \\approx 11"
        })
    void shouldAcceptEquivalentRelations(String gold, String predicted) {
      assertThat(same(gold, predicted)).isTrue();
    }

    @ParameterizedTest(name = "{0} differs from {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "x > 5 | x < 5",
          "x < 1 | x > -1",
          "7 = 11a+c | 11a+c",
          "a+3z=0 | 0",
          "x = 2 | y = 2"
        })
    void shouldRejectDifferentRelations(String gold, String predicted) {
      assertThat(same(gold, predicted)).isFalse();
    }

    @Test
    void shouldMatchAGoldChainToAnIntervalButTheReverseOnlyWhenAllowed() {
      // Math-Verify's asymmetry, kept behind the option; the pipeline's default allows both
      // directions.
      Config strict =
          Config.defaults().withExtraction(true, false).withSetRelationComparison(false);
      Config allowing = strict.withSetRelationComparison(true);
      assertThat(verifier.verify("$-2 \\le x \\le 7$", "$x \\in [-2,7]$", strict).equivalent())
          .isTrue();
      assertThat(verifier.verify("$x \\in [-2,7]$", "$-2 \\le x \\le 7$", strict).equivalent())
          .isFalse();
      assertThat(verifier.verify("$x \\in [-2,7]$", "$-2 \\le x \\le 7$", allowing).equivalent())
          .isTrue();
    }
  }
}
