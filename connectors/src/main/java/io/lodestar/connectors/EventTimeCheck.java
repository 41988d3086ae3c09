package io.lodestar.connectors;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Refuses an event time further ahead of the wall clock than clock skew explains. Such a time - a
 * clock set wrong, a value in microseconds - would run the watermark ahead for every record behind
 * it and stamp outputs with a timestamp the broker refuses. Pure: the caller passes the clock.
 *
 * @param field the event-time field, named in the reason (e.g. {@code createdAtMs})
 * @param limitKey the option that sets {@code maxAheadMs}, named in the reason
 */
public record EventTimeCheck<T>(
    String field, EventTimeOf<T> eventTimeOf, long maxAheadMs, String limitKey)
    implements Serializable {

  /** The record's event time in epoch milliseconds. */
  public interface EventTimeOf<T> extends ToLongFunction<T>, Serializable {}

  private static final long TEN_YEARS_MS = Duration.ofDays(3653).toMillis();

  /**
   * Empty when {@code record}'s event time is at most {@code maxAheadMs} after {@code nowMs}, else
   * why.
   */
  public Optional<String> violation(T record, long nowMs) {
    long eventTime = eventTimeOf.applyAsLong(record);
    if (eventTime <= nowMs || eventTime - nowMs <= maxAheadMs) {
      return Optional.empty();
    }
    return Optional.of(
        field
            + " "
            + eventTime
            + " is "
            + (eventTime - nowMs)
            + " ms ahead of the wall clock ("
            + nowMs
            + "), more than "
            + limitKey
            + " = "
            + maxAheadMs
            + " ms"
            + unitHint(eventTime, nowMs));
  }

  /** Names the likely mistake when the value reads as a plausible time in a finer unit. */
  private static String unitHint(long eventTime, long nowMs) {
    if (Math.abs(eventTime / 1_000 - nowMs) < TEN_YEARS_MS) {
      return "; it reads as a time in microseconds";
    }
    if (Math.abs(eventTime / 1_000_000 - nowMs) < TEN_YEARS_MS) {
      return "; it reads as a time in nanoseconds";
    }
    return "";
  }
}
