package io.lodestar.jobs;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time stamped after parsing, for inputs that carry none of their own (files in bounded mode,
 * collections in tests): {@code watermark.out-of-orderness} behind the newest event time of the
 * input, moved with the record that moves it rather than on a wall-clock period. So whether a
 * record is late depends only on the records before it in its input, never on how fast they were
 * read, and the same files give the same outputs on every run. Nothing here waits for an idle
 * input: a finished input sends the final watermark.
 */
final class ParsedEventTime {

  private ParsedEventTime() {}

  static <T> WatermarkStrategy<T> strategy(
      SerializableTimestampAssigner<T> eventTime, Duration outOfOrderness) {
    long delayMs = outOfOrderness.toMillis();
    return WatermarkStrategy.<T>forGenerator(context -> new RecordDrivenWatermarks<>(delayMs))
        .withTimestampAssigner(eventTime);
  }

  /** The bounded out-of-orderness watermark, emitted as soon as a record raises it. */
  static final class RecordDrivenWatermarks<T> implements WatermarkGenerator<T> {
    private final long delayMs;
    private long maxEventTime = Long.MIN_VALUE;

    RecordDrivenWatermarks(long delayMs) {
      this.delayMs = delayMs;
    }

    @Override
    public void onEvent(T record, long eventTime, WatermarkOutput output) {
      if (eventTime > maxEventTime) {
        maxEventTime = eventTime;
        // The same value Flink's bounded out-of-orderness generator emits periodically.
        output.emitWatermark(new Watermark(maxEventTime - delayMs - 1));
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }
}
