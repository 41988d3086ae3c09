package io.lodestar.operators.health;

import java.util.ArrayList;
import java.util.List;

/**
 * Health events of one key ({@link HealthEvent#key()}) and one window, in the order they arrived:
 * what the window operator reads, so that it reads and writes its state once per batch instead of
 * once per event. A Flink POJO.
 */
public class HealthEventBatch {

  public String key;
  public long windowStartMs;
  public List<HealthEvent> events = new ArrayList<>();

  public HealthEventBatch() {}

  HealthEventBatch(String key, long windowStartMs) {
    this.key = key;
    this.windowStartMs = windowStartMs;
  }

  /** The latest event time in the batch. */
  public long latestEventTimeMs() {
    long latest = Long.MIN_VALUE;
    for (HealthEvent event : events) {
      latest = Math.max(latest, event.eventTimeMs);
    }
    return latest;
  }
}
