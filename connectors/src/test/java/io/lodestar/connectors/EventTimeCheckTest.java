package io.lodestar.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventTimeCheckTest {

  private static final long NOW = 1_796_600_000_000L;
  private static final EventTimeCheck<Long> FIVE_MINUTES =
      new EventTimeCheck<>(
          "createdAtMs", t -> t, Duration.ofMinutes(5).toMillis(), "validate.max-clock-skew");

  @Test
  void shouldAcceptPastTimesAndTimesWithinTheSkew() {
    assertThat(FIVE_MINUTES.violation(NOW - Duration.ofDays(400).toMillis(), NOW)).isEmpty();
    assertThat(FIVE_MINUTES.violation(NOW + Duration.ofMinutes(5).toMillis(), NOW)).isEmpty();
  }

  @Test
  void shouldRefuseATimeHoursAheadNamingFieldAndOption() {
    assertThat(FIVE_MINUTES.violation(NOW + Duration.ofHours(2).toMillis(), NOW))
        .hasValue(
            "createdAtMs "
                + (NOW + 7_200_000)
                + " is 7200000 ms ahead of the wall clock ("
                + NOW
                + "), more than validate.max-clock-skew = 300000 ms");
  }

  @Test
  void shouldSayWhenATimeReadsAsMicrosecondsOrNanoseconds() {
    assertThat(FIVE_MINUTES.violation(NOW * 1_000, NOW))
        .hasValueSatisfying(r -> assertThat(r).endsWith("in microseconds"));
    assertThat(FIVE_MINUTES.violation(NOW * 1_000_000, NOW))
        .hasValueSatisfying(r -> assertThat(r).endsWith("in nanoseconds"));
    assertThat(FIVE_MINUTES.violation(Long.MAX_VALUE, NOW)).isPresent();
  }

  @Test
  void shouldRefuseEveryFutureTimeWithAZeroSkew() {
    EventTimeCheck<Long> none =
        new EventTimeCheck<>("publishedAtMs", t -> t, 0, "validate.max-clock-skew");
    assertThat(none.violation(NOW, NOW)).isEmpty();
    assertThat(none.violation(NOW + 1, NOW)).isPresent();
  }
}
