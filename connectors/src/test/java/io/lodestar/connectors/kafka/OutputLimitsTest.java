package io.lodestar.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutputLimitsTest {

  private static final long NOW = 1_796_600_000_000L;
  private static final OutputLimits DEFAULTS =
      new OutputLimits(1_048_576, 1_048_588, Long.MAX_VALUE);

  @Test
  void shouldTakeTheSmallerOfTheProducerAndTopicLimits() {
    assertThat(DEFAULTS.maxRecordBytes()).isEqualTo(1_048_576);
    assertThat(new OutputLimits(8_000_000, 500_000, Long.MAX_VALUE).maxRecordBytes())
        .isEqualTo(500_000);
  }

  @Test
  void shouldCountTheBatchOverheadAsTheProducerDoes() {
    byte[] value = new byte[1_048_576];
    int size = OutputLimits.recordBytes("id".getBytes(), value);
    // The value alone is exactly the producer's default max.request.size: with key and headers it
    // is over.
    assertThat(size).isGreaterThan(value.length);
    assertThat(DEFAULTS.fits(size)).isFalse();
    assertThat(DEFAULTS.fits(OutputLimits.recordBytes(null, new byte[1_000_000]))).isTrue();
  }

  @Test
  void shouldNeverStampARecordAheadOfTheWallClock() {
    long twoHoursAhead = NOW + Duration.ofHours(2).toMillis();
    assertThat(DEFAULTS.timestampFor(twoHoursAhead, NOW)).isEqualTo(NOW);
    assertThat(DEFAULTS.timestampFor(NOW * 1000, NOW)).isEqualTo(NOW);
    assertThat(DEFAULTS.timestampFor(NOW - 5_000, NOW)).isEqualTo(NOW - 5_000);
  }

  @Test
  void shouldKeepTimestampsInsideAFiniteBeforeBound() {
    OutputLimits week = new OutputLimits(1_048_576, 1_048_588, Duration.ofDays(7).toMillis());
    long yearAgo = NOW - Duration.ofDays(365).toMillis();
    Long stamped = week.timestampFor(yearAgo, NOW);
    assertThat(stamped).isGreaterThan(NOW - Duration.ofDays(7).toMillis()).isLessThan(NOW);
    assertThat(week.timestampFor(NOW - 1_000, NOW)).isEqualTo(NOW - 1_000);
  }

  @Test
  void shouldLeaveMissingOrNegativeTimestampsToTheProducer() {
    assertThat(DEFAULTS.timestampFor(null, NOW)).isNull();
    assertThat(DEFAULTS.timestampFor(-1L, NOW)).isNull();
  }

  @Test
  void shouldRefuseLimitsTooSmallForABareDeadLetter() {
    assertThat(new OutputLimits(1_048_576, 1_000, Long.MAX_VALUE).problem("dead"))
        .hasValueSatisfying(p -> assertThat(p).contains("dead").contains("max.message.bytes=1000"));
    assertThat(DEFAULTS.problem("dead")).isEmpty();
  }
}
