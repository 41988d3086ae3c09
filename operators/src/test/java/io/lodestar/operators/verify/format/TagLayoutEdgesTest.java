package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sections that are empty or that end exactly where the next tag starts are laid out correctly. */
class TagLayoutEdgesTest {

  private static final TagFormatVerifier STRICT =
      TagFormatVerifier.strict(TagFormatVerifier.THINK_ANSWER);

  @Test
  void aSingleTagLayoutMayHaveAnEmptySectionButNotSharedNewlines() {
    TagFormatVerifier answerOnly = TagFormatVerifier.strict(List.of("answer"));

    assertThat(answerOnly.verify("<answer>\n\n</answer>").getValue()).isEqualTo(1.0);
    assertThat(answerOnly.verify("<answer>\n</answer>").getValue()).isEqualTo(0.0);
  }

  @Test
  void theSeparatorMayNotShareItsNewlineWithTheClosingTag() {
    assertThat(STRICT.verify("<think>\nx\n</think>\n<answer>\n</answer>").getValue())
        .isEqualTo(0.0);
    assertThat(STRICT.verify("<think>\nx\n</think>\n<answer>\n\n</answer>").getValue())
        .isEqualTo(1.0);
  }

  @Test
  void aCodeFenceMayCloseRightBeforeTheClosingTag() {
    TagFormatVerifier code =
        TagFormatVerifier.strictWithCodeFence(TagFormatVerifier.THINK_ANSWER, "python");

    assertThat(
            code.verify("<think>\nx\n</think>\n<answer>\n```python\nprint(1)\n```\n</answer>")
                .getValue())
        .isEqualTo(1.0);
    assertThat(
            code.verify("<think>\nx\n</think>\n<answer>\n```python\nprint(1)\n```</answer>")
                .getValue())
        .isEqualTo(0.0);
  }
}
