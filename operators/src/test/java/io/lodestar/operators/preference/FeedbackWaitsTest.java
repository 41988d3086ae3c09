package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FeedbackWaitsTest {

  private static final FeedbackWaits WAITS =
      new FeedbackWaits(Duration.ofHours(1), Duration.ofMinutes(10));
  private static final long GENERATION_AT = 1_767_225_600_000L;

  @Test
  void feedbackUpToTheMaxWaitBeforeItsGenerationMeetsIt() {
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT - 600_000)).isTrue();
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT - 600_001)).isFalse();
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT - 1_800_000)).isFalse();
  }

  @Test
  void feedbackUpToKeepGenerationsAfterItsGenerationMeetsIt() {
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT)).isTrue();
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT + 3_600_000)).isTrue();
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT + 3_600_001)).isFalse();
    assertThat(WAITS.matches(GENERATION_AT, GENERATION_AT + 3 * 3_600_000)).isFalse();
  }

  @Test
  void negativeWaitsAreRefused() {
    assertThatThrownBy(() -> new FeedbackWaits(Duration.ofMinutes(-1), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
