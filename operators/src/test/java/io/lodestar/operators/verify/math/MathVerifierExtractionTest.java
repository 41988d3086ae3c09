package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which part of a response is taken as its answer, and what normalisation makes of it. */
class MathVerifierExtractionTest {

  private final MathVerifier verifier = new MathVerifier();

  private double score(String response, String gold) {
    Double value = verifier.verify(response, gold).getValue();
    return value == null ? Double.NaN : value;
  }

  @Test
  void shouldPreferTheBoxedAnswerOverEverythingElse() {
    assertThat(verifier.extract("The final answer is 7. So $x = 3$ and \\boxed{12}. Answer: 5"))
        .contains("12");
  }

  @Test
  void shouldTreatSeveralDistinctBoxesAsASet() {
    assertThat(score("\\boxed{35 cm} and also \\boxed{4}", "\\{4, 35\\}")).isEqualTo(1.0);
    assertThat(score("so \\boxed{840}. Final Answer \\boxed{840}", "840")).isEqualTo(1.0);
  }

  @Test
  void shouldFollowThePriorityOfMarkersWhenNothingIsBoxed() {
    assertThat(
            verifier.extract(
                "Some 3 steps. The final answer is $\\frac{1}{2}$. I hope it is correct."))
        .contains("\\frac{1}{2}");
    assertThat(verifier.extract("We get 4 and 5.\nAnswer: 9 apples")).contains("9 apples");
    assertThat(verifier.extract("She pays 5 + 3 = 8 dollars\n#### 8")).contains("8");
    assertThat(verifier.extract("13 * 2 = 26 eggs\nA: 26")).contains("26");
    assertThat(verifier.extract("First $x=2$, then $y = 7$ remains")).contains("y = 7");
    assertThat(verifier.extract("so 12 apples minus 5 leaves 7")).contains("7");
  }

  @Test
  void shouldIgnoreReasoningSectionsAndChatTemplateDebris() {
    assertThat(score("<think>maybe \\boxed{5}</think>It is \\boxed{6}<|im_end|>", "6"))
        .isEqualTo(1.0);
    assertThat(score("guessing 5 ... </think>\\(\\boxed{189}\\) square centimeters.", "189"))
        .isEqualTo(1.0);
  }

  @Test
  void shouldNotLetAnInlineLatexSpanCrossALineBreak() {
    Config latexOnly = Config.defaults().withExtraction(true, false);
    assertThat(verifier.verify("$9$", "Answer $ \n 9 \n $", latexOnly).equivalent()).isFalse();
    assertThat(verifier.verify("$9$", "Answer $$ \n 9 \n $$", latexOnly).equivalent()).isTrue();
  }

  @Test
  void shouldFindABoxAnywhereButOtherAnswersOnlyInTheExaminedTail() {
    String tail = " and so on".repeat(1_000);
    assertThat(score("So \\boxed{17}." + tail, "17")).isEqualTo(1.0);
    assertThat(score("The answer is 17." + tail, "17")).isEqualTo(0.0);
    MathVerifier wide = new MathVerifier(Config.defaults().withExaminedChars(20_000));
    assertThat(wide.verify("The answer is 17." + tail, "17").getValue()).isEqualTo(1.0);
  }

  @Test
  void shouldJoinBoxesOnlyWhenAndOrOrACommaLinksThem() {
    assertThat(score("x=\\boxed{-1}, x=\\boxed{4}", "\\{-1, 4\\}")).isEqualTo(1.0);
    assertThat(score("Fill in \\boxed{\\text{answer}} below.\nSo \\boxed{12}", "12"))
        .isEqualTo(1.0);
    assertThat(score("\\boxed{4} or \\boxed{9}", "9")).isEqualTo(0.0); // hedging is not an answer
  }

  @Test
  void shouldSkipAnUnterminatedBox() {
    assertThat(verifier.extract("the result is 42 \\boxed{43")).contains("43");
    assertThat(score("so \\boxed{", "1")).isEqualTo(0.0);
  }

  @ParameterizedTest(name = "{1} reads as {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "7425000 | 7,425,000",
        "1000 | 1 000",
        "12000 | 12{,}000",
        "14916 | 14 {, }916",
        "0.111 | 0,111",
        "1000.99 | 1000,99",
        "1000.99 | \\$1,000.99",
        "0.4 | .4",
        "1/3 | \\frac13",
        "1 | \\frac3{3}",
        "\\sqrt{3} | \\sqrt3",
        "1/3 | \\left( \\frac{1}{3} \\right)",
        "1/3 | \\tfrac{1}{3}",
        "1/3 | \\cfrac{1}{3}",
        "28 | 28\\%",
        "28 | 28 percent",
        "90 | 90^\\circ",
        "90 | 90°",
        "125 | 125\\textnormal{ miles}",
        "15 | 15\\mbox{ cm}^2",
        "1/3 | \\frac{1}{3} \\textbf{meters}",
        "13 | \\text{13}",
        "1000.99 | 1,000.99m²",
        "12, 13 | 12\\text{ and }13"
      })
  void shouldNormaliseSurfaceNoise(String gold, String written) {
    assertThat(score("\\boxed{" + written + "}", gold)).as(written).isEqualTo(1.0);
  }

  @Test
  void shouldReadPlainTextNumbersWithTheirSeparators() {
    Config expressionOnly = Config.defaults().withExtraction(false, true);
    assertThat(verifier.verify("2.74", "Soucis : 2,74 $ a..", expressionOnly).equivalent())
        .isTrue();
    assertThat(
            verifier
                .verify("1000.99", "the number is not 10 which is 1,000.99€", expressionOnly)
                .equivalent())
        .isTrue();
    assertThat(verifier.verify("2", "AZYUK2A", expressionOnly).equivalent()).isFalse();
  }

  @Test
  void shouldCollapseDoubledBackslashesBeforeCommandsButKeepRowBreaks() {
    assertThat(score("\\\\boxed{\\\\frac{1}{2}}", "0.5")).isEqualTo(1.0);
    assertThat(
            score(
                "\\boxed{\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}}",
                "\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}"))
        .isEqualTo(1.0);
  }

  @Test
  void shouldReadMalformedFractionsAndRootsTheWayTexDoes() {
    assertThat(score("$\\boxed{\\frac12}$", "0.5")).isEqualTo(1.0);
    assertThat(score("$\\boxed{\\frac1{10}}$", "0.1")).isEqualTo(1.0);
    assertThat(score("$\\boxed{\\sqrt2 \\cdot \\sqrt8}$", "4")).isEqualTo(1.0);
  }

  @Test
  void shouldTakeTheResultOfAComputationChainAsTheAnswer() {
    assertThat(verifier.extract("The answer is 16 - 3 = 13.")).contains("16 - 3 = 13");
    assertThat(score("The answer is 16 - 3 = 13.", "13")).isEqualTo(1.0);
  }
}
