package io.lodestar.operators.validate;

import io.lodestar.connectors.RecordValidator;
import io.lodestar.schema.Feedback;
import java.util.Optional;

/** Rejects feedback whose kind-specific fields are missing or contradictory. */
public final class FeedbackValidator implements RecordValidator<Feedback> {

  private static final long serialVersionUID = 1L;
  private static final int MAX_ID_CHARS = 256;

  @Override
  public Optional<String> firstViolation(Feedback f) {
    if (blankOrLong(f.getFeedbackId())) {
      return Optional.of("feedbackId is missing or longer than " + MAX_ID_CHARS);
    }
    if (blankOrLong(f.getGenerationId())) {
      return Optional.of("generationId is missing or longer than " + MAX_ID_CHARS);
    }
    if (f.getCreatedAtMs() <= 0) {
      return Optional.of("createdAtMs " + f.getCreatedAtMs() + " is not a valid event time");
    }
    switch (f.getKind()) {
      case PAIRWISE:
        if (blankOrLong(f.getOtherGenerationId())) {
          return Optional.of("PAIRWISE feedback needs otherGenerationId");
        }
        if (f.getOtherGenerationId().equals(f.getGenerationId())) {
          return Optional.of(
              "PAIRWISE feedback otherGenerationId equals generationId: it compares a generation with itself");
        }
        if (f.getOutcome() == null) {
          return Optional.of("PAIRWISE feedback needs outcome");
        }
        return Optional.empty();
      case THUMB:
        return f.getThumbUp() == null ? Optional.of("THUMB feedback needs thumbUp") : Optional.empty();
      case RATING:
        if (f.getRating() == null || !Double.isFinite(f.getRating())) {
          return Optional.of("RATING feedback needs a finite rating");
        }
        return Optional.empty();
      case EDIT:
        return f.getEditedText() == null ? Optional.of("EDIT feedback needs editedText") : Optional.empty();
      default:
        return Optional.empty();
    }
  }

  private static boolean blankOrLong(String value) {
    return value == null || value.isBlank() || value.length() > MAX_ID_CHARS;
  }
}
