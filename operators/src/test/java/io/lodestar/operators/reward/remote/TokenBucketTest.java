package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long NO_LIMIT_ON_WAIT = Long.MAX_VALUE;

  private final AtomicLong clock = new AtomicLong(5 * SECOND);

  private TokenBucket bucket(int requestsPerMinute, long tokensPerMinute) {
    return new TokenBucket(
        new RateBudget(requestsPerMinute, tokensPerMinute, Duration.ofMinutes(5)), clock::get);
  }

  @Test
  void unlimitedBudgetNeverWaits() {
    TokenBucket bucket = bucket(0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(bucket.reserve(1_000_000, 0)).isZero();
    }
  }

  @Test
  void aFullMinuteOfRequestsGoesAtOnceThenTheRefillRateSetsThePace() {
    TokenBucket bucket = bucket(60, 0);
    for (int i = 0; i < 60; i++) {
      assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isZero();
    }
    // 60 per minute refill one per second; waiting calls queue up one second apart.
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isEqualTo(SECOND);
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isEqualTo(2 * SECOND);
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isEqualTo(3 * SECOND);
  }

  @Test
  void theBucketRefillsWithTimeButNeverAboveAMinuteOfBudget() {
    TokenBucket bucket = bucket(60, 0);
    for (int i = 0; i < 60; i++) {
      bucket.reserve(1, NO_LIMIT_ON_WAIT);
    }
    clock.addAndGet(10 * SECOND);
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isZero();
    }
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isEqualTo(SECOND);

    clock.addAndGet(3600 * SECOND);
    for (int i = 0; i < 60; i++) {
      assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isZero();
    }
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isPositive();
  }

  @Test
  void tokensPerMinuteChargeTheEstimatedTokens() {
    TokenBucket bucket = bucket(0, 6_000);
    assertThat(bucket.reserve(5_000, NO_LIMIT_ON_WAIT)).isZero();
    assertThat(bucket.reserve(1_000, NO_LIMIT_ON_WAIT)).isZero();
    // 100 tokens per second: 500 more tokens wait five seconds.
    assertThat(bucket.reserve(500, NO_LIMIT_ON_WAIT)).isEqualTo(5 * SECOND);
  }

  @Test
  void aCallLargerThanAMinuteOfTokensStillGoesAfterALongerWait() {
    TokenBucket bucket = bucket(0, 600);
    assertThat(bucket.reserve(1_200, NO_LIMIT_ON_WAIT)).isEqualTo(60 * SECOND);
  }

  @Test
  void theSlowerOfTheTwoBucketsDecides() {
    TokenBucket bucket = bucket(600, 60);
    assertThat(bucket.reserve(60, NO_LIMIT_ON_WAIT)).isZero();
    assertThat(bucket.reserve(2, NO_LIMIT_ON_WAIT)).isEqualTo(2 * SECOND);
  }

  @Test
  void aCallThatWouldWaitTooLongReservesNothing() {
    TokenBucket bucket = bucket(60, 0);
    for (int i = 0; i < 60; i++) {
      bucket.reserve(1, NO_LIMIT_ON_WAIT);
    }
    assertThat(bucket.reserve(1, SECOND / 2)).isEqualTo(-1);
    // The refused call took nothing: the next one still waits only one second.
    assertThat(bucket.reserve(1, NO_LIMIT_ON_WAIT)).isEqualTo(SECOND);
  }
}
