package io.lodestar.operators.health;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Turns records into health events and hands them on in batches per key and window. Batches go out
 * before every watermark (so on-time events reach their window before it closes), before every
 * checkpoint barrier (so nothing buffered needs to be in a snapshot), at end of input, and whenever
 * {@code maxBuffered} events are waiting. No state; chained to the operator that produces the records.
 */
public class HealthEventsOperator<T> extends AbstractStreamOperator<HealthEventBatch>
    implements OneInputStreamOperator<T, HealthEventBatch>, BoundedOneInput {

  private static final long serialVersionUID = 1L;

  private final HealthMonitoring.ToEvents<T> toEvents;
  private final long windowMs;
  private final int maxBuffered;

  private transient HealthEventBuffer buffer;

  public HealthEventsOperator(HealthMonitoring.ToEvents<T> toEvents, long windowMs, int maxBuffered) {
    if (maxBuffered < 1) {
      throw new IllegalArgumentException("maxBuffered must be at least 1, was " + maxBuffered);
    }
    this.toEvents = toEvents;
    this.windowMs = windowMs;
    this.maxBuffered = maxBuffered;
    new HealthEventBuffer(windowMs); // validates the window now, not on the cluster
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

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void endInput() {
    flush();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  /** Events waiting to go out (for tests). */
  public int buffered() {
    return buffer == null ? 0 : buffer.size();
  }

  private void flush() {
    if (buffer.size() == 0) {
      return;
    }
    for (HealthEventBatch batch : buffer.drain()) {
      output.collect(new StreamRecord<>(batch, batch.latestEventTimeMs()));
    }
  }
}
