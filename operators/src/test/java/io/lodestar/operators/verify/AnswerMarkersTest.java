package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RewardComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where the answer is taken from at the edges of the text: markers at its very start or end,
 * numbers glued to units or operators, and the last number when no marker commits to one.
 */
class AnswerMarkersTest {

  private final NumericAnswerVerifier verifier = new NumericAnswerVerifier();

  private String answerOf(String response) {
    return verifier.extractAnswer(response.replace("\\n", "\n")).orElse(null);
  }

  @ParameterizedTest(name = "{0} answers {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // A box at the very start, or a box command with no braces at the very end.
        "\\boxed{7} is it, not 8 | 7",
        "\\fbox{3} then 4 | 3",
        "The answer is 5 \\boxed | 5",
        // Only an '=' outside the box's nested braces splits off the answer.
        "\\boxed{\\frac{1}{2} = 0.5} | 0.5",
        // A GSM8K marker at the very start, a later marker without a number, a full stop after it.
        "#### 18 | 18",
        "#### 18\\nCheck: 3 + 4\\n#### none | 18",
        "#### 18. | 18",
        "#### 18. \\n(total 20) | 18",
        // A final answer line followed by blank lines still is the final line.
        "A: 7 (from 3 + 4)\\n\\n | 7",
        // Glued units are part of the answer, operators make it working.
        "The answer is 5cm | 5",
        "The answer is 5 + | 5",
        "The answer is 16 + 3 = 19 | 19",
        "The answer is 6 \\times 7 = 42 | 42",
        "3 things. The answer is 5 apples, not 6 | 5",
        // The last number: not inside a word, not after a closing bracket, with its sign.
        "I counted 5 of them in H2O | 5",
        "it is .5 | .5",
        "we get (3)-2 | 2",
        "we get {3}-2 | 2",
        "so -5 | -5",
        "so -.5 | -.5",
        "so -\\frac{1}{2} | -\\frac{1}{2}",
        "so -$5 | -$5",
      })
  void answers(String response, String expected) {
    assertThat(answerOf(response)).isEqualTo(expected);
  }

  @Test
  void theDetailKeepsAnAnswerOfFortyEightCharactersWholeAndShortensALongerOne() {
    String digits48 = "1" + "0".repeat(47);

    RewardComponent whole = verifier.verify("#### " + digits48, digits48);
    RewardComponent shortened = verifier.verify("#### " + digits48 + "0", digits48);

    assertThat(whole.getDetail()).isEqualTo("answer=" + digits48);
    assertThat(shortened.getDetail()).isEqualTo("answer=" + digits48 + "...");
  }
}
