package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What is removed before an answer is looked for, and what must be left exactly as it was. */
class ResponseCleanerTest {

  @Test
  void chatTemplateTokensBecomeLineBreaks() {
    assertThat(ResponseCleaner.removeSpecialTokens("A: 7<|im_end|>")).isEqualTo("A: 7\n");
    assertThat(ResponseCleaner.removeSpecialTokens("<s>x</s>")).isEqualTo("\nx\n");
    assertThat(
            ResponseCleaner.removeSpecialTokens(
                "<|start_header_id|>assistant<|end_header_id|>7<|eot_id|>"))
        .isEqualTo("\nassistant\n7\n");
  }

  @Test
  void aTokenNameMayBeFortyFiveCharactersLongButNoLonger() {
    String longest = "<|" + "a".repeat(45) + "|>";
    String tooLong = "<|" + "a".repeat(46) + "|>";

    assertThat(ResponseCleaner.removeSpecialTokens("7" + longest)).isEqualTo("7\n");
    assertThat(ResponseCleaner.removeSpecialTokens("7" + tooLong)).isEqualTo("7" + tooLong);
  }

  @ParameterizedTest(name = "{0} is left alone")
  @ValueSource(
      strings = {
        "a <|> b",
        "<||>",
        "<|im end|>",
        "x <|",
        "x<|ab|",
        "x<|ab",
        "1 < 2 and 3 <| 4",
        "<x>",
        "<<s>"
      })
  void textThatOnlyLooksLikeATokenIsLeftAlone(String text) {
    String expected = text.equals("<<s>") ? "<\n" : text;
    assertThat(ResponseCleaner.removeSpecialTokens(text)).isEqualTo(expected);
  }

  @Test
  void calculatorAnnotationsAreDroppedWhereverTheyStand() {
    assertThat(ResponseCleaner.removeCalculatorAnnotations("2*9 = <<2*9=18>>18"))
        .isEqualTo("2*9 = 18");
    assertThat(ResponseCleaner.removeCalculatorAnnotations("<<1+1=2>>2 and <<2+2=4>>4"))
        .isEqualTo("2 and 4");
    assertThat(ResponseCleaner.removeCalculatorAnnotations("ab<<1=1>>c")).isEqualTo("abc");
  }

  @ParameterizedTest(name = "{0} is not an annotation")
  @ValueSource(
      strings = {
        "<<no equals>> 5",
        "<<1+1=2\n>>2",
        "cut off <<3*4=",
        "<<1=1>",
        "x << y",
        "<<a<b=1>>",
        "<<a>b=1>>"
      })
  void textThatIsNotACompleteAnnotationIsKept(String text) {
    assertThat(ResponseCleaner.removeCalculatorAnnotations(text)).isEqualTo(text);
  }

  @Test
  void anAnnotationMayHoldNinetyNineCharactersButNoMore() {
    String longest = "<<" + "1".repeat(97) + "=1>>";
    String tooLong = "<<" + "1".repeat(98) + "=1>>";

    assertThat(ResponseCleaner.removeCalculatorAnnotations("x " + longest + "5")).isEqualTo("x 5");
    assertThat(ResponseCleaner.removeCalculatorAnnotations("x " + tooLong + "5"))
        .isEqualTo("x " + tooLong + "5");
  }

  @Test
  void theTailIsCutWithoutSplittingASurrogatePair() {
    assertThat(ResponseCleaner.lastChars("a\uD83D\uDE007", 2)).isEqualTo("7");
    assertThat(ResponseCleaner.lastChars("ab7", 2)).isEqualTo("b7");
    assertThat(ResponseCleaner.lastChars("b7", 2)).isEqualTo("b7");
  }
}
