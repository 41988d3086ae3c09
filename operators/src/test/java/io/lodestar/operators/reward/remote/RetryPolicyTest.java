package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final long MS = 1_000_000L;
  private final RetryPolicy policy =
      new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1_000));

  @Test
  void backoffDoublesWithEqualJitterInTheUpperHalfOfItsCeiling() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000; i++) {
      assertThat(policy.backoffNanos(1, -1, random)).isBetween(50 * MS, 100 * MS);
      assertThat(policy.backoffNanos(2, -1, random)).isBetween(100 * MS, 200 * MS);
      assertThat(policy.backoffNanos(3, -1, random)).isBetween(200 * MS, 400 * MS);
      assertThat(policy.backoffNanos(5, -1, random)).isBetween(500 * MS, 1_000 * MS);
      assertThat(policy.backoffNanos(60, -1, random)).isBetween(500 * MS, 1_000 * MS);
    }
  }

  @Test
  void jitterSpreadsRetriesOfManyCalls() {
    SplittableRandom random = new SplittableRandom(11);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1_000; i++) {
      long b = policy.backoffNanos(3, -1, random);
      min = Math.min(min, b);
      max = Math.max(max, b);
    }
    assertThat(max - min).isGreaterThan(150 * MS);
  }

  @Test
  void aServersRetryAfterIsALowerBound() {
    assertThat(policy.backoffNanos(1, 3_000 * MS, new SplittableRandom(1))).isEqualTo(3_000 * MS);
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    long now = 1_700_000_000_000L;
    assertThat(RetryPolicy.parseRetryAfter("2", now)).isEqualTo(2_000 * MS);
    assertThat(RetryPolicy.parseRetryAfter(" 0.5 ", now)).isEqualTo(500 * MS);
    String inFiveSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.ofInstant(Instant.ofEpochMilli(now + 5_000), ZoneOffset.UTC));
    assertThat(RetryPolicy.parseRetryAfter(inFiveSeconds, now)).isEqualTo(5_000 * MS);
  }

  @Test
  void anAbsentOrUnreadableRetryAfterLeavesBackoffAlone() {
    assertThat(RetryPolicy.parseRetryAfter(null, 0)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter("", 0)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter("soon", 0)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter("-3", 0)).isEqualTo(-1);
  }
}
