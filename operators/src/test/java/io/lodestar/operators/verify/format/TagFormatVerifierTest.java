package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TagFormatVerifierTest {

  private static final TagFormatVerifier STRICT =
      TagFormatVerifier.strict(TagFormatVerifier.THINK_ANSWER);
  private static final TagFormatVerifier TAG_COUNT =
      TagFormatVerifier.tagCount(TagFormatVerifier.THINK_ANSWER);

  @Test
  void strictAcceptsEmptySections() {
    assertThat(STRICT.verify("<think>\n\n</think>\n<answer>\n\n</answer>").getValue())
        .isEqualTo(1.0);
  }

  @Test
  void strictRejectsTrailingAndLeadingText() {
    assertThat(STRICT.verify("<think>\na\n</think>\n<answer>\nb\n</answer>\nextra").getValue())
        .isEqualTo(0.0);
    assertThat(STRICT.verify("hi <think>\na\n</think>\n<answer>\nb\n</answer>").getValue())
        .isEqualTo(0.0);
  }

  @Test
  void strictAllowsTagsInsideContentLikeTheReferenceRegex() {
    // A lazy .*? with DOTALL lets section content contain anything, repeated tags included.
    String text = "<think>\nx\n</think>\n<answer>\nfirst\n</answer>\n<answer>\nsecond\n</answer>";
    assertThat(STRICT.verify(text).getValue()).isEqualTo(1.0);
  }

  @Test
  void strictRejectsOverlappingTags() {
    assertThat(STRICT.verify("<think>\n</answer>").getValue()).isEqualTo(0.0);
    assertThat(STRICT.verify("").getValue()).isEqualTo(0.0);
  }

  @Test
  void configurableTagsInOrder() {
    TagFormatVerifier threeTags = TagFormatVerifier.strict(List.of("plan", "work", "answer"));
    assertThat(
            threeTags
                .verify("<plan>\np\n</plan>\n<work>\nw\n</work>\n<answer>\n42\n</answer>")
                .getValue())
        .isEqualTo(1.0);
    assertThat(threeTags.verify("<plan>\np\n</plan>\n<answer>\n42\n</answer>").getValue())
        .isEqualTo(0.0);

    TagFormatVerifier counting = TagFormatVerifier.tagCount(List.of("plan", "work", "answer"));
    RewardComponent partial = counting.verify("<plan>\np\n</plan>\n<answer>\n42\n</answer>");
    assertThat(partial.getValue()).isEqualTo(4.0 / 6.0);
    assertThat(partial.getDetail()).contains("<work>", "</work>");
  }

  @Test
  void tagCountGivesNothingForDuplicatedTags() {
    String doubled = "<think>\na\n</think>\n<think>\nb\n</think>\n<answer>\nc\n</answer>";
    // '<think>\n' occurs twice and so does '\n</think>\n'; the answer tags score.
    assertThat(TAG_COUNT.verify(doubled).getValue()).isEqualTo(0.5);
  }

  @Test
  void codeFenceMustCloseInsideTheLastSection() {
    TagFormatVerifier code =
        TagFormatVerifier.strictWithCodeFence(TagFormatVerifier.THINK_ANSWER, "python");
    assertThat(code.name()).isEqualTo("code_format");
    assertThat(
            code.verify("<think>\nx\n</think>\n<answer>\n```python\nprint(1)\n</answer>")
                .getValue())
        .isEqualTo(0.0);
    assertThat(code.verify("<think>\n```python\n</think>\n<answer>\n```\n</answer>").getValue())
        .isEqualTo(0.0);
  }

  @Test
  void nullResponseScoresZero() {
    RewardComponent reward = STRICT.verify(null);
    assertThat(reward.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(reward.getValue()).isEqualTo(0.0);
    assertThat(TAG_COUNT.verify(null).getValue()).isEqualTo(0.0);
  }

  @Test
  @Timeout(60) // a hang guard, not a speed test: quadratic matching of 3.4 M chars would take hours
  void hugeInputIsLinear() {
    String huge = "<think>\n" + "\n</think>\n<answe".repeat(200_000) + "\n</answer>";
    assertThat(STRICT.verify(huge).getValue()).isEqualTo(0.0);
    assertThat(TAG_COUNT.verify(huge).getValue()).isEqualTo(0.5);
  }

  @Test
  void rejectsInvalidConfiguration() {
    assertThatThrownBy(() -> TagFormatVerifier.strict(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TagFormatVerifier.strict(List.of("a>b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> TagFormatVerifier.strictWithCodeFence(TagFormatVerifier.THINK_ANSWER, "py\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void survivesJavaSerialisation() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(TAG_COUNT);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      TagFormatVerifier copy = (TagFormatVerifier) in.readObject();
      assertThat(copy.verify("<think>\na\n</think>\n<answer>\nb\n</answer>").getValue())
          .isEqualTo(1.0);
    }
  }
}
