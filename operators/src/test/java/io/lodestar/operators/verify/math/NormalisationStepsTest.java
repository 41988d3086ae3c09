package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Repeating decimals, LaTeX thousands, temperatures and multiplier words before parsing. */
class NormalisationStepsTest {

  private final MathVerifier verifier = new MathVerifier();

  private double score(String gold, String predicted) {
    return verifier.verify("So the answer is $\\boxed{" + predicted + "}$.", gold).getValue();
  }

  @Test
  void aRepeatingDecimalBecomesItsExactFraction() {
    assertThat(LatexNormaliser.normalise("1.2\\overline{34}")).isEqualTo("{\\frac{1222}{990}}");
    assertThat(LatexNormaliser.normalise("0.\\bar{3}")).isEqualTo("{\\frac{3}{9}}");
    assertThat(LatexNormaliser.normalise(".\\overline{3}")).isEqualTo("{\\frac{3}{9}}");
  }

  @Test
  void latexThousandsAreJoinedInsideAnExpression() {
    assertThat(LatexNormaliser.normalise("x=1,\\!000")).isEqualTo("x=1000");
  }

  @ParameterizedTest(name = "{1} answers {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "20^\\circ C ; 20 °C",
        "20^{\\circ}\\text{C} ; 20 °C",
        "68 °F ; 68^\\circ F",
        "500 ; 5 hundred",
        "5000 ; 5 thousand",
        "24 ; 2 dozen",
        "3000000 ; 3 million",
        "2000000000 ; 2 billion",
        "7000000000000 ; 7 trillion",
      })
  void temperaturesAndMultiplierWordsAreRead(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{1} does not answer {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "20 °C ; 20 °F",
        "20^{\\circ}\\text{F} ; 20 °C",
        "50 ; 5 hundred",
        "5 ; 5 thousand",
        "2 ; 2 dozen",
      })
  void otherTemperaturesAndMultiplesDiffer(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(0.0);
  }
}
