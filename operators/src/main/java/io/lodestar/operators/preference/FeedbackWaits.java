package io.lodestar.operators.preference;

import java.io.Serializable;
import java.time.Duration;

/**
 * Which feedback may meet which generation, in event time alone: feedback created at most {@code
 * maxFeedbackWait} before the generation (it waits that long for it) and at most {@code
 * keepGeneration} after it (the generation is kept that long). Deciding by event time rather than
 * by which of the two reached the join first gives the same answer whatever order the inputs were
 * read in: a live job, a backlog, or a bounded run over files. Both ends are inclusive.
 */
public record FeedbackWaits(Duration keepGeneration, Duration maxFeedbackWait)
    implements Serializable {

  public FeedbackWaits {
    if (keepGeneration.isNegative() || maxFeedbackWait.isNegative()) {
      throw new IllegalArgumentException(
          "feedback waits must not be negative: " + keepGeneration + ", " + maxFeedbackWait);
    }
  }

  /**
   * True when feedback created at {@code feedbackAtMs} may use a generation created at {@code
   * generationAtMs}.
   */
  public boolean matches(long generationAtMs, long feedbackAtMs) {
    return feedbackAtMs >= generationAtMs - maxFeedbackWait.toMillis()
        && feedbackAtMs <= generationAtMs + keepGeneration.toMillis();
  }
}
