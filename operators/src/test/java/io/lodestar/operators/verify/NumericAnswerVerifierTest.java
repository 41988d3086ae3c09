package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumericAnswerVerifierTest {

  private final NumericAnswerVerifier verifier = new NumericAnswerVerifier();

  private String answerOf(String response) {
    return verifier.extractAnswer(response).orElse(null);
  }

  @Nested
  class ExtractionRules {

    @Test
    void shouldTakeTheLastBoxedAnswer() {
      assertThat(answerOf("First \\boxed{5}, then on reflection \\boxed{\\frac{1}{2}}."))
          .isEqualTo("\\frac{1}{2}");
    }

    @Test
    void shouldReadFboxLikeBoxed() {
      assertThat(answerOf("so \\fbox{12} it is")).isEqualTo("12");
    }

    @Test
    void shouldKeepNestedBracesOfABoxedAnswer() {
      assertThat(answerOf("$\\boxed{\\dfrac{3}{4}}$")).isEqualTo("\\dfrac{3}{4}");
    }

    @Test
    void shouldTakeTheRightHandSideOfABoxedEquation() {
      assertThat(answerOf("Hence \\boxed{x = 5}.")).isEqualTo("5");
    }

    @Test
    void shouldFallBackToTheLastCompleteBoxedWhenTheLastOneIsUnterminated() {
      assertThat(answerOf("\\boxed{7} and then \\boxed{8")).isEqualTo("7");
    }

    @Test
    void shouldPreferBoxedOverEveryOtherMarker() {
      String response = "The answer is 5.\n#### 6\n\\boxed{7}\nA: 8";
      assertThat(answerOf(response)).isEqualTo("7");
    }

    @Test
    void shouldNotFallBackToDigitsInsideANonNumericBoxedAnswer() {
      assertThat(answerOf("The answer is 2, so \\boxed{\\sqrt{2}}")).isEqualTo("\\sqrt{2}");
    }

    @Test
    void shouldReadTheGsm8kMarker() {
      assertThat(answerOf("16 - 3 - 4 = <<16-3-4=9>>9 eggs\n#### 18")).isEqualTo("18");
    }

    @Test
    void shouldPreferTheGsm8kMarkerOverFinalLineAndPhrases() {
      assertThat(answerOf("The answer is 5\n#### 6\nA: 7")).isEqualTo("6");
    }

    @Test
    void shouldNotMistakeAMarkdownHeadingForTheGsm8kMarker() {
      assertThat(answerOf("#### 1. Setup\nWe add them up, and the answer is 7.")).isEqualTo("7");
    }

    @Test
    void shouldReadAFinalAnswerLine() {
      assertThat(answerOf("She makes 13 * 2 = $<<13*2=26>>26\nA: 26")).isEqualTo("26");
      assertThat(answerOf("Working 3 + 4\nAnswer: 7\n\n")).isEqualTo("7");
    }

    @Test
    void shouldPreferTheFinalLineOverEarlierPhrases() {
      assertThat(answerOf("I thought the answer is 5 at first.\nA: 4")).isEqualTo("4");
    }

    @Test
    void shouldOnlyTrustAnAnswerLineWhenItIsFinal() {
      assertThat(answerOf("A: 5\nbut then we add 2 and get 7 apples")).isEqualTo("7");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "So the final answer is 42.",
          "THE ANSWER IS 42",
          "The answer is: 42 apples",
          "The answer is $42$.",
          "The final answer is \\(42\\)",
          "The answer is **42**.",
          "**Answer:** 42",
          "Answer**: 42",
          "answer: $\\$42$",
          "The answer is x = 42.",
          "The answer is 42!",
        })
    void shouldReadTheNumberAfterAnAnswerPhrase(String response) {
      assertThat(
              verifier
                  .verify(response + "\nThanks for asking, see you in 2 days!", "42")
                  .getValue())
          .isEqualTo(1.0);
    }

    @Test
    void shouldTakeTheLastAnswerPhrase() {
      assertThat(answerOf("The answer is 3? No. The answer is 4. Done in 10 minutes."))
          .isEqualTo("4");
    }

    @Test
    void shouldPreferAnAnswerPhraseOverTheLastNumber() {
      assertThat(answerOf("The answer is 12, found in 3 steps.")).isEqualTo("12");
    }

    @Test
    void shouldFallBackWhenAnAnswerPhraseIntroducesArithmetic() {
      assertThat(answerOf("The answer is 16 - 3 = 13")).isEqualTo("13");
    }

    @Test
    void shouldTreatAnExpressionAfterAnAnswerPhraseAsTheAnswer() {
      RewardComponent result = verifier.verify("The answer is 3x + 2", "2");
      assertThat(result.getValue()).isEqualTo(0.0);
      assertThat(result.getDetail()).startsWith("answer not a number");
    }

    @Test
    void shouldFallBackToTheLastNumber() {
      assertThat(answerOf("She sells 9 eggs at $2 each, so she makes $18 every day."))
          .isEqualTo("18");
    }

    @Test
    void shouldReadABareAnswerWhole() {
      assertThat(answerOf(" 1 000\n")).isEqualTo("1 000");
      assertThat(answerOf("$\\frac{3}{4}$")).isEqualTo("$\\frac{3}{4}$");
    }

    @Test
    void shouldIgnoreCalculatorAnnotations() {
      assertThat(answerOf("so 2 * 9 = $<<2*9=18>>18 per day")).isEqualTo("18");
      assertThat(answerOf("so the total is 796224000 * 4 = <<796224000*4=3184896000>>"))
          .isEqualTo("4");
    }

    @Test
    void shouldNotReadDigitsInsideWordsOrBinaryMinusAsNumbers() {
      assertThat(answerOf("Water is H2O")).isNull();
      assertThat(answerOf("the range 10-3")).isEqualTo("3");
      assertThat(answerOf("it fell to -3")).isEqualTo("-3");
    }

    @Test
    void shouldReadALatexFractionAsOneNumber() {
      assertThat(answerOf("the probability is \\frac{4}{36}")).isEqualTo("\\frac{4}{36}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "I do not know.",
          "",
          "   \n\t ",
          "\\boxed{",
          "\\boxed{}",
          "####",
          "The answer is"
        })
    void shouldFindNoAnswerWithoutANumber(String response) {
      assertThat(verifier.extractAnswer(response)).isEmpty();
    }

    @ParameterizedTest
    @NullSource
    void shouldFindNoAnswerInANullResponse(String response) {
      assertThat(verifier.extractAnswer(response)).isEmpty();
    }
  }

  @Nested
  class ThinkSectionsAndDebris {

    @Test
    void shouldIgnoreNumbersInsideAThinkSection() {
      assertThat(answerOf("<think>the answer is 3, boxed: \\boxed{3}</think>The answer is 4"))
          .isEqualTo("4");
    }

    @Test
    void shouldMatchThinkTagsCaseInsensitively() {
      assertThat(answerOf("<THINK>\\boxed{3}</Think>So 4")).isEqualTo("4");
    }

    @Test
    void shouldFindNoAnswerWhenThinkingNeverEnded() {
      assertThat(verifier.extractAnswer("<think>maybe 41, or \\boxed{42}")).isEmpty();
      assertThat(verifier.verify("<think>maybe 41, or \\boxed{42}", "42").getDetail())
          .isEqualTo("no answer found");
    }

    @Test
    void shouldKeepTextBeforeAnUnterminatedThinkSection() {
      assertThat(answerOf("\\boxed{5}<think>on second thought 6")).isEqualTo("5");
    }

    @Test
    void shouldDropReasoningBeforeAClosingTagWhoseOpeningWasInThePrompt() {
      assertThat(answerOf("Let me try \\boxed{3} ... </think>\nThe answer is 4")).isEqualTo("4");
    }

    @Test
    void shouldDropEverySectionWhenThereAreSeveral() {
      assertThat(answerOf("<think>1</think>A first try 2<think>\\boxed{3}</think> and finally 5."))
          .isEqualTo("5");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {"<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>", "<|im_end|>\n<|im_start|>"})
    void shouldIgnoreChatTemplateDebris(String debris) {
      assertThat(answerOf("Adding up gives 41 + 1.\nA: 42" + debris)).isEqualTo("42");
      assertThat(verifier.verify("The answer is 7." + debris + "\n", "7").getValue())
          .isEqualTo(1.0);
    }

    @Test
    void shouldNotSeeAnswersBeyondTheExaminedTail() {
      String filler = "and so on ".repeat(NumericAnswerVerifier.MAX_EXAMINED_CHARS / 10 + 1);
      assertThat(verifier.extractAnswer("\\boxed{42} " + filler)).isEmpty();
      assertThat(answerOf(filler + "\\boxed{42}")).isEqualTo("42");
    }
  }

  @Nested
  class NumberForms {

    @ParameterizedTest(name = "[{index}] {0} parses as {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
      42                 | 42
      -42                | -42
      +42                | 42
      \u221242           | -42
      0.5                | 1/2
      .5                 | 1/2
      3.                 | 3
      -0.25              | -1/4
      7,425,000          | 7425000
      1,234.5            | 2469/2
      1 000              | 1000
      1\u00A0000         | 1000
      1\u2009000         | 1000
      1\u202F000         | 1000
      12{,}000           | 12000
      1\\,000            | 1000
      1/2                | 1/2
      -3/4               | -3/4
      4/36               | 1/9
      \\frac{1}{2}       | 1/2
      \\dfrac{3}{4}      | 3/4
      \\tfrac{1}{3}      | 1/3
      \\frac12           | 1/2
      -\\frac{1}{2}      | -1/2
      \\frac{-1}{2}      | -1/2
      \\frac{1{,}000}{4} | 250
      1 1/2              | 3/2
      -1 1/2             | -3/2
      2\\frac{1}{2}      | 5/2
      1 123/456          | 193/152
      50%                | 50
      50\\%              | 50
      50 percent         | 50
      $18                | 18
      \\$18              | 18
      -$5                | -5
      $-5                | -5
      18 dollars         | 18
      18.00              | 18
      18\\text{ cm}      | 18
      18cm               | 18
      5 m                | 5
      18.                | 18
      18 km/h            | 18
      1e3                | 1000
      2.5E-2             | 1/40
      \\(42\\)           | 42
      $42$               | 42
      \\text{42}         | 42
      \\mathrm{42}       | 42
      \\left(42\\right)  | 42
      (-3)               | -3
      **18**             | 18
      \\boxed{7}         | 7
      90^\\circ          | 90
      """)
    void shouldParseEveryPlainNumberForm(String text, String canonical) {
      assertThat(NumericAnswerVerifier.parseNumber(text))
          .hasValueSatisfying(number -> assertThat(number.toString()).isEqualTo(canonical));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "3x+2",
          "3x",
          "3 x",
          "\\sqrt{2}",
          "2\\pi",
          "x",
          "",
          "   ",
          "abc",
          "1/0",
          "\\frac{1}{0}",
          "\\frac{a}{b}",
          "1,2,3",
          "1, 2",
          "5 or 6",
          "3,5",
          "0,5",
          "1e99999",
          "(A)",
          "10^3",
          "-",
          ".",
          "$",
          "1,0000",
          "12 345 6",
          "4!",
          "\\boxed{"
        })
    void shouldRefuseWhatIsNotAPlainNumber(String text) {
      assertThat(NumericAnswerVerifier.parseNumber(text)).isEmpty();
    }

    @ParameterizedTest
    @NullSource
    void shouldRefuseNull(String text) {
      assertThat(NumericAnswerVerifier.parseNumber(text)).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0} equals {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
      The answer is 1/2.                 | 0.5
      \\boxed{0.5}                       | \\frac{1}{2}
      \\boxed{\\frac{2}{4}}              | .5
      #### 7,425,000                     | 7425000
      A: 7425000                         | 7,425,000
      The answer is 1 000 000.           | 1000000
      The answer is -3.                  | \u22123
      \\boxed{18.00}                     | 18
      \\boxed{\\$18}                     | 18
      She makes $18.                     | 18 dollars
      \\boxed{1 1/2}                     | 3/2
      The answer is 50%.                 | 50
      \\boxed{1e3}                       | 1000
      """)
    void shouldScoreEqualNumbersAsCorrectWhateverTheirForm(String response, String groundTruth) {
      assertThat(verifier.verify(response, groundTruth).getValue()).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "[{index}] {0} differs from {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
      \\boxed{0.333333}    | 1/3
      The answer is 50%.  | 0.5
      The answer is -3.   | 3
      \\boxed{18.01}       | 18
      """)
    void shouldScoreDifferentNumbersAsWrongWithoutRounding(String response, String groundTruth) {
      assertThat(verifier.verify(response, groundTruth).getValue()).isEqualTo(0.0);
    }

    @Test
    void shouldCompareExactlyBeyondDoublePrecision() {
      assertThat(verifier.verify("\\boxed{9007199254740993}", "9007199254740992").getValue())
          .isEqualTo(0.0);
      assertThat(verifier.verify("\\boxed{0.1000000000000000000001}", "0.1").getValue())
          .isEqualTo(0.0);
    }
  }

  @Nested
  class Scoring {

    @Test
    void shouldScoreACorrectAnswerOneWithItsCanonicalForm() {
      RewardComponent result = verifier.verify("So she makes 9 * 2 = $18 a day.\nA: $18.00", "18");
      assertThat(result.getName()).isEqualTo(NumericAnswerVerifier.NAME);
      assertThat(result.getVersion()).isEqualTo(NumericAnswerVerifier.VERSION);
      assertThat(result.getSource()).isEqualTo(RewardSource.VERIFIER);
      assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
      assertThat(result.getValue()).isEqualTo(1.0);
      assertThat(result.getDetail()).isEqualTo("answer=18");
    }

    @Test
    void shouldScoreAWrongAnswerZero() {
      RewardComponent result = verifier.verify("A: 224", "18");
      assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
      assertThat(result.getValue()).isEqualTo(0.0);
      assertThat(result.getDetail()).isEqualTo("answer=224");
    }

    @Test
    void shouldShowFractionsInLowestTermsInTheDetail() {
      assertThat(verifier.verify("\\boxed{0.75}", "3/4").getDetail()).isEqualTo("answer=3/4");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullSource
    @ValueSource(strings = {"", "  ", "\u00A0\n"})
    void shouldBeUnscorableWithoutAGroundTruth(String groundTruth) {
      RewardComponent result = verifier.verify("A: 5", groundTruth);
      assertThat(result.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
      assertThat(result.getValue()).isNull();
      assertThat(result.getDetail()).isEqualTo("ground truth missing");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"3x+2", "\\sqrt{2}", "(A)", "4a-2", "4:30 p.m."})
    void shouldBeUnscorableWhenTheGroundTruthIsNotANumber(String groundTruth) {
      RewardComponent result = verifier.verify("A: 5", groundTruth);
      assertThat(result.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
      assertThat(result.getValue()).isNull();
      assertThat(result.getDetail()).isEqualTo("ground truth not a number");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullSource
    @ValueSource(strings = {"", "   ", "I cannot solve this.", "<think>18"})
    void shouldScoreZeroWhenNoAnswerIsFound(String response) {
      RewardComponent result = verifier.verify(response, "18");
      assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
      assertThat(result.getValue()).isEqualTo(0.0);
      assertThat(result.getDetail()).isEqualTo("no answer found");
    }

    @Test
    void shouldScoreZeroForANonNumericAnswer() {
      RewardComponent result = verifier.verify("\\boxed{\\sqrt{2}}", "2");
      assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
      assertThat(result.getValue()).isEqualTo(0.0);
      assertThat(result.getDetail()).isEqualTo("answer not a number: \\sqrt{2}");
    }

    @Test
    void shouldKeepTheDetailShortForHugeAnswers() {
      RewardComponent result = verifier.verify("\\boxed{" + "9".repeat(1_500) + "}", "1");
      assertThat(result.getValue()).isEqualTo(0.0);
      assertThat(result.getDetail()).startsWith("answer=999").hasSizeLessThan(70);
    }

    @Test
    void shouldGiveTheSameResultsFromManyThreads() throws Exception {
      List<String> responses =
          List.of(
              "A: 18", "\\boxed{\\frac{1}{2}}", "The answer is 7,425,000.", "<think>1</think>2");
      List<String> truths = List.of("18", "0.5", "7425000", "3");
      List<Double> expected = List.of(1.0, 1.0, 1.0, 0.0);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Boolean>> runs = new ArrayList<>();
        for (int task = 0; task < 16; task++) {
          runs.add(
              pool.submit(
                  () -> {
                    for (int round = 0; round < 50; round++) {
                      for (int i = 0; i < responses.size(); i++) {
                        if (!expected
                            .get(i)
                            .equals(verifier.verify(responses.get(i), truths.get(i)).getValue())) {
                          return false;
                        }
                      }
                    }
                    return true;
                  }));
        }
        for (Future<Boolean> run : runs) {
          assertThat(run.get(1, TimeUnit.MINUTES)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void shouldSurviveJavaSerialisation() throws Exception {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(verifier);
        out.writeObject(ExactNumber.of(3).divide(ExactNumber.of(4)));
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        NumericAnswerVerifier copy = (NumericAnswerVerifier) in.readObject();
        assertThat(copy.verify("A: 3/4", "0.75").getValue()).isEqualTo(1.0);
        assertThat(in.readObject()).isEqualTo(ExactNumber.of(3).divide(ExactNumber.of(4)));
      }
    }
  }

  @Nested
  class HostileInputs {

    private void assertReturnsWithoutThrowing(String response, String groundTruth) {
      assertThatCode(
              () -> {
                RewardComponent result = verifier.verify(response, groundTruth);
                assertThat(result).isNotNull();
                assertThat(result.getStatus()).isNotEqualTo(RewardStatus.ERROR);
                verifier.extractAnswer(response);
                NumericAnswerVerifier.parseNumber(response);
              })
          .doesNotThrowAnyException();
    }

    @Test
    void shouldHandleAMegabyteOfDigitsAndCommas() {
      String digitsAndCommas = "1,234,".repeat(1_000_000 / 6);
      assertReturnsWithoutThrowing(digitsAndCommas, "1234");
      assertReturnsWithoutThrowing("A: 5", digitsAndCommas);
      assertReturnsWithoutThrowing("9".repeat(1_000_000), "9");
      assertReturnsWithoutThrowing("1 000 ".repeat(200_000), "1000");
      assertReturnsWithoutThrowing("The answer is " + "1,000".repeat(200_000), "1000");
    }

    @Test
    void shouldHandleDeeplyNestedBraces() {
      assertReturnsWithoutThrowing(
          "\\boxed{" + "{".repeat(100_000) + "1" + "}".repeat(100_000) + "}", "1");
      assertReturnsWithoutThrowing(
          "\\boxed{" + "{".repeat(3_000) + "1" + "}".repeat(3_000) + "}", "1");
      assertReturnsWithoutThrowing("A: 1", "{".repeat(100_000) + "1" + "}".repeat(100_000));
      assertReturnsWithoutThrowing("\\boxed{" + "{".repeat(100_000), "1");
    }

    @Test
    void shouldHandleUnterminatedAndRepeatedConstructs() {
      assertThat(verifier.verify("\\boxed{", "1").getDetail()).isEqualTo("no answer found");
      assertReturnsWithoutThrowing("\\boxed{".repeat(100_000), "1");
      assertReturnsWithoutThrowing("\\frac{".repeat(100_000) + "1", "1");
      assertReturnsWithoutThrowing("\\frac{1}{".repeat(100_000), "1");
      assertReturnsWithoutThrowing("\\text{".repeat(100_000), "1");
      assertReturnsWithoutThrowing("1", "\\text{".repeat(400) + "1");
      assertReturnsWithoutThrowing(
          "\\frac{\\frac{\\frac{\\frac{\\frac{1}{2}}{2}}{2}}{2}}{2}", "1/32");
      assertReturnsWithoutThrowing("<think>".repeat(100_000), "1");
      assertReturnsWithoutThrowing("</think>".repeat(100_000) + "1", "1");
      assertReturnsWithoutThrowing("<<".repeat(100_000) + "=", "1");
      assertReturnsWithoutThrowing("<|".repeat(100_000), "1");
      assertReturnsWithoutThrowing("#".repeat(100_000) + " 1", "1");
      assertReturnsWithoutThrowing("The answer is ".repeat(50_000), "1");
      assertReturnsWithoutThrowing("answer: = = = ".repeat(50_000), "1");
      assertReturnsWithoutThrowing("-".repeat(100_000) + "1", "1");
      assertReturnsWithoutThrowing("1e999999999", "1e999999999");
      assertReturnsWithoutThrowing("1e" + "9".repeat(10_000), "1");
      assertReturnsWithoutThrowing("A: 1", "1e1000");
    }

    @Test
    void shouldHandleRandomNoiseBuiltFromTheGrammarsTokens() {
      String[] pieces = {
        "\\boxed{",
        "\\fbox{",
        "{",
        "}",
        "\\frac",
        "\\dfrac",
        "1",
        "23",
        "456",
        ",",
        "{,}",
        ".",
        "/",
        "-",
        "\u2212",
        "+",
        "e",
        "E",
        "%",
        "\\%",
        "$",
        "\\$",
        "\\(",
        "\\)",
        " ",
        "\u00A0",
        "\u202F",
        "\n",
        "=",
        "####",
        "A:",
        "Answer:",
        "the answer is",
        "<think>",
        "</think>",
        "<|im_end|>",
        "</s>",
        "<<",
        ">>",
        "**",
        "x",
        "\\text{",
        "\\left(",
        "\\right)",
        "\uD83D\uDE00",
        "\uD83D",
        "\uDE00",
        "\u0000",
        "\\",
        "^"
      };
      Random random = new Random(20240917L);
      List<String> errors = new ArrayList<>();
      for (int sample = 0; sample < 500; sample++) {
        StringBuilder response = new StringBuilder();
        int length = random.nextInt(60);
        for (int i = 0; i < length; i++) {
          response.append(pieces[random.nextInt(pieces.length)]);
        }
        String text = response.toString();
        try {
          NumericAnswerVerifier.parseNumber(text);
          for (String groundTruth : new String[] {text, "1"}) {
            if (verifier.verify(text, groundTruth).getStatus() == RewardStatus.ERROR) {
              errors.add(text);
            }
          }
        } catch (RuntimeException e) {
          errors.add(e + " on " + text);
        }
      }
      assertThat(errors).isEmpty();
    }
  }
}
