package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where LaTeX spans and boxed answers begin and end in a response. */
class AnswerSpansTest {

  @Test
  void everyKindOfMathSpanIsFoundInReadingOrder() {
    assertThat(AnswerExtractor.latexSpans("a $x$ b $$y$$ c \\(z\\) d \\[w\\] e"))
        .containsExactly("x", "y", "z", "w");
  }

  @Test
  void inlineSpansStayOnOneLineAndDisplaySpansMayNot() {
    assertThat(AnswerExtractor.latexSpans("\\(a\nb\\)")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("\\[a\nb\\]")).containsExactly("a\nb");
    assertThat(AnswerExtractor.latexSpans("$a\nb$")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("$$a\nb$$")).containsExactly("a\nb");
    assertThat(AnswerExtractor.latexSpans("\\(a\\) then\n\\(b\\)")).containsExactly("a", "b");
  }

  @Test
  void escapedDollarsAndUnclosedSpansAreNotSpans() {
    assertThat(AnswerExtractor.latexSpans("costs \\$5 and $x$")).containsExactly("x");
    assertThat(AnswerExtractor.latexSpans("$\\$5$")).containsExactly("\\$5");
    assertThat(AnswerExtractor.latexSpans("$$x$ y$$")).containsExactly("x$ y");
    assertThat(AnswerExtractor.latexSpans("$ $ and $x")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("\\(x")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("$$x$")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("ends with \\")).isEmpty();
    assertThat(AnswerExtractor.latexSpans("$a$$b$")).containsExactly("a", "b");
  }

  @Test
  void linkedBoxesFormASetAndUnlinkedEarlierBoxesAreDropped() {
    assertThat(AnswerExtractor.boxed("\\boxed{2} and \\boxed{5}")).contains("\\{2, 5\\}");
    assertThat(AnswerExtractor.boxed("x=\\boxed{-1}, x=\\boxed{4}")).contains("\\{-1, 4\\}");
    assertThat(AnswerExtractor.boxed("\\fbox{1} or \\boxed{2}")).contains("\\{1, 2\\}");
    assertThat(AnswerExtractor.boxed("\\boxed{1} was my first try. Later: \\boxed{2}"))
        .contains("2");
    assertThat(AnswerExtractor.boxed("\\boxed{2}, \\boxed{2}")).contains("2");
  }

  @Test
  void boxesAreLinkedAcrossAtMostFortyCharacters() {
    String forty = " ".repeat(36) + "and ";
    assertThat(AnswerExtractor.boxed("\\boxed{1}" + forty + "\\boxed{2}")).contains("\\{1, 2\\}");
    assertThat(AnswerExtractor.boxed("\\boxed{1} " + forty + "\\boxed{2}")).contains("2");
  }

  @Test
  void emptyUnterminatedAndNestedBoxesAreHandled() {
    assertThat(AnswerExtractor.boxed("\\boxed {3}")).contains("3");
    assertThat(AnswerExtractor.boxed("\\boxed{ } then \\boxed{4}")).contains("4");
    assertThat(AnswerExtractor.boxed("\\boxed{\\boxed{7}}")).contains("\\boxed{7}");
    assertThat(AnswerExtractor.boxed("\\boxed{3} \\boxed{4")).contains("3");
    assertThat(AnswerExtractor.boxed("\\boxed{3")).isEmpty();
    assertThat(AnswerExtractor.boxed("\\boxed")).isEmpty();
    assertThat(AnswerExtractor.boxed("no box here")).isEmpty();
  }
}
