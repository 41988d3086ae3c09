package io.lodestar.operators.dedup;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the first record of each key through and drops (and counts) repeats seen within the
 * retention period. Keyed by the record's unique id.
 *
 * <p>Whether a repeat falls within the retention is decided by event time (the repeat's against the
 * first's), not by whether the timer has fired yet: a repeat read right after a gap longer than the
 * retention passes whether or not the watermark has caught up with it, so a live job and a bounded
 * run agree.
 *
 * <p>State per key is one value, the end of the retention. An event-time timer clears it when the
 * retention ends; a processing-time TTL of the same length is the safety net should event time
 * stall.
 */
public class DeduplicateFunction<T> extends KeyedProcessFunction<String, T, T> {

  private static final long serialVersionUID = 1L;

  private final Duration retention;
  private transient ValueState<Long> seenUntil;
  private transient Counter duplicates;

  public DeduplicateFunction(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void open(OpenContext openContext) {
    ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("seen-until", Long.class);
    descriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(retention.multipliedBy(2))
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .neverReturnExpired()
            .build());
    seenUntil = getRuntimeContext().getState(descriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter(DedupMetricNames.DUPLICATES);
  }

  @Override
  public void processElement(T record, Context ctx, Collector<T> out) throws Exception {
    long eventTime =
        ctx.timestamp() != null ? ctx.timestamp() : ctx.timerService().currentWatermark();
    Long seen = seenUntil.value();
    if (seen != null) {
      if (eventTime <= seen) {
        duplicates.inc();
        return;
      }
      // The first one's retention is over in event time; its timer has just not fired yet.
      ctx.timerService().deleteEventTimeTimer(seen);
    }
    long until = saturatedAdd(eventTime, retention.toMillis());
    seenUntil.update(until);
    ctx.timerService().registerEventTimeTimer(until);
    out.collect(record);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) throws Exception {
    // Retention over: forget the id so state does not grow with every record ever seen.
    seenUntil.clear();
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }
}
