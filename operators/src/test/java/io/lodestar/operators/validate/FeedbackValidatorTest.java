package io.lodestar.operators.validate;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.VoteOutcome;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FeedbackValidatorTest {

  private final FeedbackValidator validator = new FeedbackValidator();

  private Optional<String> violation(Feedback.Builder builder) {
    return validator.firstViolation(builder.build());
  }

  @Test
  void acceptsValidThumbFeedback() {
    assertThat(violation(feedback("f-1", "g-1"))).isEmpty();
    assertThat(violation(feedback("f-1", "g-1").setThumbUp(false))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(VoteOutcome.class)
  void acceptsAValidVote(VoteOutcome outcome) {
    assertThat(violation(vote("f-1", "g-a", "g-b", outcome))).isEmpty();
  }

  @Test
  void acceptsValidRatingAndEditFeedback() {
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.RATING).setRating(4.0))).isEmpty();
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.EDIT).setEditedText("fixed"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void namesABlankFeedbackId(String blank) {
    assertThat(violation(feedback(blank, "g-1"))).hasValueSatisfying(r -> assertThat(r).contains("feedbackId"));
  }

  @Test
  void namesABlankOrOverlongGenerationId() {
    assertThat(violation(feedback("f-1", ""))).hasValueSatisfying(r -> assertThat(r).contains("generationId"));
    assertThat(violation(feedback("f-1", "g".repeat(257))))
        .hasValueSatisfying(r -> assertThat(r).contains("generationId"));
    assertThat(violation(feedback("f".repeat(257), "g-1")))
        .hasValueSatisfying(r -> assertThat(r).contains("feedbackId"));
  }

  @Test
  void namesAZeroCreatedAt() {
    assertThat(violation(feedback("f-1", "g-1").setCreatedAtMs(0)))
        .hasValueSatisfying(r -> assertThat(r).contains("createdAtMs"));
  }

  @Test
  void namesAVoteWithoutOtherGenerationId() {
    assertThat(violation(vote("f-1", "g-a", null, VoteOutcome.A)))
        .hasValueSatisfying(r -> assertThat(r).contains("PAIRWISE").contains("otherGenerationId"));
    assertThat(violation(vote("f-1", "g-a", " ", VoteOutcome.A)))
        .hasValueSatisfying(r -> assertThat(r).contains("otherGenerationId"));
  }

  @Test
  void namesAVoteThatComparesAGenerationWithItself() {
    assertThat(violation(vote("f-1", "g-a", "g-a", VoteOutcome.A)))
        .hasValueSatisfying(r -> assertThat(r).contains("PAIRWISE").contains("otherGenerationId").contains("itself"));
  }

  @Test
  void namesAVoteWithoutOutcome() {
    assertThat(violation(vote("f-1", "g-a", "g-b", null)))
        .hasValueSatisfying(r -> assertThat(r).contains("PAIRWISE").contains("outcome"));
  }

  @Test
  void namesAThumbWithoutThumbUp() {
    assertThat(violation(feedback("f-1", "g-1").setThumbUp(null)))
        .hasValueSatisfying(r -> assertThat(r).contains("THUMB").contains("thumbUp"));
  }

  @Test
  void namesARatingWithoutAFiniteRating() {
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.RATING)))
        .hasValueSatisfying(r -> assertThat(r).contains("rating"));
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.RATING).setRating(Double.NaN)))
        .hasValueSatisfying(r -> assertThat(r).contains("rating"));
  }

  @Test
  void namesAnEditWithoutEditedText() {
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.EDIT)))
        .hasValueSatisfying(r -> assertThat(r).contains("editedText"));
  }
}
