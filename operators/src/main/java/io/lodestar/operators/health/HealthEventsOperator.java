package io.lodestar.operators.health;

import io.lodestar.operators.buffer.BufferingOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Turns records into health events and hands them on in batches per key and window. Batches go out
 * when {@link BufferingOperator} flushes (before watermarks, so on-time events reach their window
 * before it closes; before barriers; at end of input) and whenever {@code maxBuffered} events are
 * waiting. No state; chained to the operator that produces the records.
 */
public class HealthEventsOperator<T> extends BufferingOperator<T, HealthEventBatch> {

  private static final long serialVersionUID = 1L;

  private final HealthMonitoring.ToEvents<T> toEvents;
  private final long windowMs;
  private final int maxBuffered;

  private transient HealthEventBuffer buffer;

  public HealthEventsOperator(
      HealthMonitoring.ToEvents<T> toEvents, long windowMs, int maxBuffered) {
    if (maxBuffered < 1) {
      throw new IllegalArgumentException("maxBuffered must be at least 1, was " + maxBuffered);
    }
    this.toEvents = toEvents;
    this.windowMs = HealthEventBuffer.requirePositiveWindow(windowMs); // now, not on the cluster
    this.maxBuffered = maxBuffered;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffer = new HealthEventBuffer(windowMs);
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    // The events are new objects, so a reused input record is safe to let go.
    for (HealthEvent event : toEvents.apply(element.getValue())) {
      if (buffer.add(event) >= maxBuffered) {
        flush();
      }
    }
  }

  /** Events waiting to go out (for tests). */
  public int buffered() {
    return buffer == null ? 0 : buffer.size();
  }

  @Override
  protected void flush() {
    if (buffer.size() == 0) {
      return;
    }
    for (HealthEventBatch batch : buffer.drain()) {
      output.collect(new StreamRecord<>(batch, batch.latestEventTimeMs()));
    }
  }
}
