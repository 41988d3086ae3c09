package io.lodestar.operators.validate;

import io.lodestar.connectors.RecordValidator;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Rejects feedback whose kind-specific fields are missing or contradictory, whose kind is not one
 * this pipeline knows, and ratings outside the range they declare.
 */
public final class FeedbackValidator implements RecordValidator<Feedback> {

  private static final long serialVersionUID = 1L;
  private static final int MAX_ID_CHARS = 256;
  private static final String KNOWN_KINDS =
      Arrays.stream(FeedbackKind.values())
          .filter(k -> k != FeedbackKind.UNKNOWN)
          .map(Enum::name)
          .collect(Collectors.joining(", "));

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
        return f.getThumbUp() == null
            ? Optional.of("THUMB feedback needs thumbUp")
            : Optional.empty();
      case RATING:
        if (f.getRating() == null || !Double.isFinite(f.getRating())) {
          return Optional.of("RATING feedback needs a finite rating");
        }
        return ratingRangeViolation(f.getRating(), f.getRatingMin(), f.getRatingMax());
      case EDIT:
        return f.getEditedText() == null
            ? Optional.of("EDIT feedback needs editedText")
            : Optional.empty();
      case UNKNOWN:
        // A misspelt or newer kind decodes as UNKNOWN; nothing downstream could use it.
        return Optional.of(
            "kind is not one of "
                + KNOWN_KINDS
                + " (an unknown or misspelt kind reads as UNKNOWN)");
      default:
        return Optional.empty();
    }
  }

  /**
   * A rating outside its declared range would be clamped to the range's end when it is put on the
   * 0-1 scale, silently; so it is refused here, as is a range that is not one.
   */
  private static Optional<String> ratingRangeViolation(double rating, Double min, Double max) {
    if ((min != null && !Double.isFinite(min)) || (max != null && !Double.isFinite(max))) {
      return Optional.of("RATING feedback needs finite ratingMin and ratingMax when given");
    }
    if (min != null && max != null && !(max > min)) {
      return Optional.of("RATING feedback ratingMax " + max + " is not above ratingMin " + min);
    }
    if ((min != null && rating < min) || (max != null && rating > max)) {
      return Optional.of(
          "RATING feedback rating "
              + rating
              + " is outside its declared range ["
              + (min == null ? "-inf" : min)
              + ", "
              + (max == null ? "inf" : max)
              + "]");
    }
    return Optional.empty();
  }

  private static boolean blankOrLong(String value) {
    return value == null || value.isBlank() || value.length() > MAX_ID_CHARS;
  }
}
