package io.lodestar.operators.reward.remote;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.random.RandomGenerator;

/**
 * When to try a remote call again: up to {@code maxRetries} more attempts after the first, with
 * exponential backoff and equal jitter (uniform in the upper half of a ceiling that doubles from
 * {@code initialBackoff} up to {@code maxBackoff}, so a retry always waits at least half of it); a
 * server's {@code Retry-After} is honoured as a lower bound. The caller's overall deadline bounds
 * it all: a retry that could not start before the deadline is not made.
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff)
    implements Serializable {

  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(5));
  }

  void validate(String prefix) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException(prefix + ".max-retries must be >= 0, got " + maxRetries);
    }
    if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException(
          prefix + ".initial-backoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          prefix
              + ".max-backoff must be >= "
              + prefix
              + ".initial-backoff, got "
              + maxBackoff
              + " < "
              + initialBackoff);
    }
  }

  /**
   * The wait before retry number {@code retry} (1 for the first retry): uniform in [ceiling/2,
   * ceiling] with ceiling = min(max, initial * 2^(retry-1)), and never shorter than the server's
   * Retry-After ({@code retryAfterNanos}, or -1 when it sent none).
   */
  public long backoffNanos(int retry, long retryAfterNanos, RandomGenerator random) {
    long initial = initialBackoff.toNanos();
    long max = maxBackoff.toNanos();
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long ceiling = initial > (max >> shift) ? max : Math.min(max, initial << shift);
    long half = ceiling / 2;
    long jittered = half + (long) (random.nextDouble() * (ceiling - half));
    return Math.max(jittered, retryAfterNanos);
  }

  /**
   * A {@code Retry-After} header as nanoseconds from {@code nowEpochMs}: delta-seconds or an HTTP
   * date. -1 when absent or unreadable (then backoff alone decides).
   */
  public static long parseRetryAfter(String header, long nowEpochMs) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    String value = header.trim();
    try {
      double seconds = Double.parseDouble(value);
      return seconds < 0 || !Double.isFinite(seconds) ? -1 : (long) (seconds * 1e9);
    } catch (NumberFormatException notSeconds) {
      try {
        long at =
            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli();
        return Math.max(0, at - nowEpochMs) * 1_000_000L;
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }
}
