package io.lodestar.operators.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers health events into one batch per key and window, keeping each batch's events in arrival
 * order, so the window adds them exactly as it would have one by one. Not thread-safe.
 */
final class HealthEventBuffer {

  private record Slot(String key, long windowStartMs) {}

  private final long windowMs;
  private final Map<Slot, HealthEventBatch> batches = new LinkedHashMap<>();
  private int size;

  HealthEventBuffer(long windowMs) {
    this.windowMs = requirePositiveWindow(windowMs);
  }

  static long requirePositiveWindow(long windowMs) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("window must be positive, was " + windowMs + " ms");
    }
    return windowMs;
  }

  /** Adds {@code event}; returns how many events the buffer now holds. */
  int add(HealthEvent event) {
    long start = windowStart(event.eventTimeMs, windowMs);
    String key = event.key();
    batches
        .computeIfAbsent(new Slot(key, start), slot -> new HealthEventBatch(key, start))
        .events
        .add(event);
    return ++size;
  }

  /** The batches in the order their first event arrived; the buffer is empty afterwards. */
  List<HealthEventBatch> drain() {
    List<HealthEventBatch> out = new ArrayList<>(batches.values());
    batches.clear();
    size = 0;
    return out;
  }

  int size() {
    return size;
  }

  static long windowStart(long eventTimeMs, long windowMs) {
    return eventTimeMs - Math.floorMod(eventTimeMs, windowMs);
  }
}
