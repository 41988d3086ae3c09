package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The text steps before parsing: braces, plain decimals, separators and the dressing around an
 * answer.
 */
class NormaliserTest {

  @Test
  void aBraceIsClosedByItsMatchAndEscapedBracesDoNotCount() {
    assertThat(LatexNormaliser.matchingBrace("{a{b}c}", 0)).isEqualTo(6);
    assertThat(LatexNormaliser.matchingBrace("{a{b}c}", 2)).isEqualTo(4);
    assertThat(LatexNormaliser.matchingBrace("{\\}}", 0)).isEqualTo(3);
    assertThat(LatexNormaliser.matchingBrace("{a", 0)).isEqualTo(-1);
    assertThat(LatexNormaliser.matchingBrace("a{b}", 0)).isEqualTo(-1);
    assertThat(LatexNormaliser.matchingBrace("{}", 2)).isEqualTo(-1);
    assertThat(LatexNormaliser.closingBraces("{a}\\{b}{c"))
        .containsExactly(2, -1, -1, -1, -1, -1, -1, -1, -1);
    assertThat(LatexNormaliser.closingBraces("{{}}")).containsExactly(3, 2, -1, -1);
  }

  @ParameterizedTest(name = "{0} is a plain decimal")
  @ValueSource(strings = {"5", "+5", "-5.25", "0.0", "123"})
  void plainDecimals(String text) {
    assertThat(LatexNormaliser.isPlainDecimal(text)).isTrue();
    assertThat(LatexNormaliser.normalise(text, null)).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0} is not a plain decimal")
  @ValueSource(strings = {"5.", ".5", "", "-", "+", "5.2.1", "5a", "5 ", "1,000"})
  void notPlainDecimals(String text) {
    assertThat(LatexNormaliser.isPlainDecimal(text)).isFalse();
  }

  @ParameterizedTest(name = "{0} normalises to {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'1,234,567' | 1234567",
        "12 345 | 12345",
        "'0,5' | 0.5",
        "'1234,5' | 1234.5",
        "'3, 5' | '3, 5'",
        ":: 5 | 5",
        "5; | 5",
        "'x,' | x",
        "5! | 5!",
        "n! | n!",
        "\\frac{6}{2}! | \\frac{6}{2}!",
        "ok. | ok",
        "\\\\le | \\le",
      })
  void dressingIsRemovedAndSeparatorsRead(String text, String normalised) {
    assertThat(LatexNormaliser.normalise(text, null)).isEqualTo(normalised);
  }
}
