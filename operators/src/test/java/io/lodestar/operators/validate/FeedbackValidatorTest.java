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
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.RATING).setRating(4.0)))
        .isEmpty();
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.EDIT).setEditedText("fixed")))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void namesABlankFeedbackId(String blank) {
    assertThat(violation(feedback(blank, "g-1")))
        .hasValueSatisfying(r -> assertThat(r).contains("feedbackId"));
  }

  @Test
  void namesABlankOrOverlongGenerationId() {
    assertThat(violation(feedback("f-1", "")))
        .hasValueSatisfying(r -> assertThat(r).contains("generationId"));
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
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .contains("PAIRWISE")
                    .contains("otherGenerationId")
                    .contains("itself"));
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

  @Test
  void refusesAKindThatReadAsUnknownNamingTheKnownKinds() {
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.UNKNOWN)))
        .hasValue(
            "kind is not one of THUMB, RATING, PAIRWISE, EDIT, REGENERATE, COPY, ACCEPT"
                + " (an unknown or misspelt kind reads as UNKNOWN)");
    // Known kinds that nothing mines are still accepted: they are real signals, counted as unused.
    assertThat(violation(feedback("f-1", "g-1").setKind(FeedbackKind.COPY))).isEmpty();
  }

  private Feedback.Builder rating(double value, Double min, Double max) {
    return feedback("f-1", "g-1")
        .setKind(FeedbackKind.RATING)
        .setRating(value)
        .setRatingMin(min)
        .setRatingMax(max);
  }

  @Test
  void refusesARatingOutsideItsDeclaredRange() {
    assertThat(violation(rating(7, 1.0, 5.0)))
        .hasValue("RATING feedback rating 7.0 is outside its declared range [1.0, 5.0]");
    assertThat(violation(rating(0, 1.0, 5.0)))
        .hasValue("RATING feedback rating 0.0 is outside its declared range [1.0, 5.0]");
    assertThat(violation(rating(-1, 0.0, null)))
        .hasValue("RATING feedback rating -1.0 is outside its declared range [0.0, inf]");
    assertThat(violation(rating(11, null, 10.0)))
        .hasValue("RATING feedback rating 11.0 is outside its declared range [-inf, 10.0]");
  }

  @Test
  void acceptsRatingsOnTheEdgesOfTheirRangeAndRatingsWithoutOne() {
    assertThat(violation(rating(1, 1.0, 5.0))).isEmpty();
    assertThat(violation(rating(5, 1.0, 5.0))).isEmpty();
    assertThat(violation(rating(42, null, null))).isEmpty();
  }

  @Test
  void refusesARangeThatIsNotOne() {
    assertThat(violation(rating(3, 5.0, 1.0)))
        .hasValue("RATING feedback ratingMax 1.0 is not above ratingMin 5.0");
    assertThat(violation(rating(3, 3.0, 3.0)))
        .hasValue("RATING feedback ratingMax 3.0 is not above ratingMin 3.0");
    assertThat(violation(rating(3, Double.NaN, 5.0)))
        .hasValue("RATING feedback needs finite ratingMin and ratingMax when given");
  }
}
