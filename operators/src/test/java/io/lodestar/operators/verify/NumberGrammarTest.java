package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The numeric answer grammar on its own: what a whole string parses to, where a number in prose
 * ends, and that no input makes it throw.
 */
class NumberGrammarTest {

  /** The canonical value of {@code text} as a whole answer, or null when it is not one number. */
  private static String value(String text) {
    return NumberParser.parse(text).map(ExactNumber::toString).orElse(null);
  }

  /** The value and end of the number starting at 0 in prose, e.g. {@code 5@1}, or null. */
  private static String inProse(String text) {
    NumberParser.Token token = NumberParser.scan(text, 0, false);
    return token == null ? null : token.value() + "@" + token.end();
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "€5 | 5",
        "€-5 | -5",
        "-€5 | -5",
        "€+5 | 5",
        "£1,000 | 1000",
        "€ 5 | 5",
        "50 % | 50",
        "2e000003 | 2000",
        "5kg/day | 5",
        "5 m² | 5",
        "5 m³ | 5",
        "5 square metres per day | 5",
        "{5} | 5",
        "((5)) | 5",
        "\\text{5} | 5",
        "\\frac{\\frac{\\frac{1}{2}}{2}}{2} | 1/8",
        "\\frac{2}{\\frac{2}{\\frac{2}{1}}} | 2",
      })
  void acceptedAnswers(String text, String expected) {
    assertThat(value(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is not one number")
  @ValueSource(
      strings = {
        "-€-5",
        "1 0/2",
        "1 2/2",
        "1.5 1/2",
        "5{3}{4}",
        "2\\frac{0}{3}",
        "2\\frac{3}{3}",
        "1e1001",
        "5 or more",
        "5 square metres per day each",
        "5 m2",
        "(5}",
        "\\frac{\\frac{\\frac{\\frac{1}{2}}{2}}{2}}{2}",
        "\\frac{2}{\\frac{2}{\\frac{2}{\\frac{2}{1}}}}",
        "**",
        "*",
        "\\text{5",
        "((5)",
        "5/",
      })
  void refusedAnswers(String text) {
    assertThat(value(text)).isNull();
  }

  @Test
  void anExponentMayBeAThousandButNoMore() {
    assertThat(NumberParser.parse("1e1000"))
        .contains(ExactNumber.of(BigInteger.TEN.pow(1000), BigInteger.ONE));
    assertThat(NumberParser.parse("1e-1000"))
        .contains(ExactNumber.of(BigInteger.ONE, BigInteger.TEN.pow(1000)));
    assertThat(NumberParser.parse("1e1001")).isEmpty();
  }

  @Test
  void aWholeAnswerMayBeTwoThousandCharactersLongButNoLonger() {
    String padded = "7" + " ".repeat(NumberParser.MAX_NUMBER_TEXT_CHARS - 1);

    assertThat(value(padded)).isEqualTo("7");
    assertThat(value(padded + " ")).isNull();
  }

  @Test
  void aFractionArgumentMayBeSixtyFourCharactersLongButNoLonger() {
    String digits64 = "1" + "0".repeat(63);

    assertThat(value("\\frac{" + digits64 + "}{2}")).isEqualTo("5" + "0".repeat(62));
    assertThat(value("\\frac{" + digits64 + "0}{2}")).isNull();
  }

  @ParameterizedTest(name = "in prose, {0} reads as {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "$5 each | 5@2",
        "$-5 each | -5@3",
        "1{,}234 cars | 1234@7",
        "1\\,234 cars | 1234@6",
        "2 3 | 2@1",
        "5/ | 5@1",
        "3eggs | 3@1",
        "1e1001 | 1@1",
        "3. Next | 3@1",
      })
  void numbersInProse(String text, String expected) {
    assertThat(inProse(text)).isEqualTo(expected);
  }
}
