package io.lodestar.operators.batch;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Packs groups of one model (the key) into batches of {@code groupsPerBatch}. A group waits until
 * the watermark passes its close time, so groups are packed in event-time order and a replay
 * yields the same batches. A partial batch goes out {@code maxWait} of event time after its first
 * group settled, or at the end of input.
 *
 * <p>State per model: pending groups, groups ready to pack, the flush deadline, and the next batch
 * sequence number (the only entry kept when nothing is pending).
 */
public class BatchFunction extends KeyedProcessFunction<String, RLGroup, RLBatch> {

  private static final long serialVersionUID = 1L;

  private final int groupsPerBatch;
  private final Duration maxWait;

  private transient ListState<RLGroup> pending;
  private transient ListState<RLGroup> ready;
  private transient ValueState<Long> flushAt;
  private transient ValueState<Long> nextSequence;
  private transient Counter batches;

  public BatchFunction(int groupsPerBatch, Duration maxWait) {
    if (groupsPerBatch < 1) {
      throw new IllegalArgumentException("groupsPerBatch must be at least 1, was " + groupsPerBatch);
    }
    this.groupsPerBatch = groupsPerBatch;
    this.maxWait = maxWait;
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending", new AvroTypeInfo<>(RLGroup.class)));
    ready = getRuntimeContext().getListState(new ListStateDescriptor<>("ready", new AvroTypeInfo<>(RLGroup.class)));
    flushAt = getRuntimeContext().getState(new ValueStateDescriptor<>("flush-at", Types.LONG));
    nextSequence = getRuntimeContext().getState(new ValueStateDescriptor<>("next-sequence", Types.LONG));
    batches = getRuntimeContext().getMetricGroup().counter(MetricNames.BATCHES);
  }

  @Override
  public void processElement(RLGroup group, Context ctx, Collector<RLBatch> out) throws Exception {
    pending.add(group);
    ctx.timerService().registerEventTimeTimer(group.getClosedAtMs());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RLBatch> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    List<RLGroup> stillPending = new ArrayList<>();
    List<RLGroup> settled = new ArrayList<>();
    for (RLGroup g : pending.get()) {
      (g.getClosedAtMs() <= timestamp ? settled : stillPending).add(g);
    }
    BatchAssembler.sortForPacking(settled);
    List<RLGroup> queue = new ArrayList<>();
    ready.get().forEach(queue::add);
    queue.addAll(settled);

    String modelId = ctx.getCurrentKey();
    int emitted = 0;
    while (queue.size() - emitted >= groupsPerBatch) {
      emit(modelId, queue.subList(emitted, emitted + groupsPerBatch), out);
      emitted += groupsPerBatch;
    }
    List<RLGroup> leftover = new ArrayList<>(queue.subList(emitted, queue.size()));

    Long due = flushAt.value();
    boolean endOfInput = watermark == Long.MAX_VALUE && stillPending.isEmpty();
    if (!leftover.isEmpty() && (endOfInput || (due != null && due <= timestamp))) {
      emit(modelId, leftover, out);
      leftover.clear();
    }
    if (leftover.isEmpty()) {
      if (due != null) {
        cancelFlush(ctx.timerService(), due, stillPending);
        flushAt.clear();
      }
      ready.clear();
    } else {
      // A full batch took every group that waited before, so the leftover's first group settled
      // now: its wait starts now, not when the previous partial batch started waiting.
      if (due == null || emitted > 0) {
        if (due != null) {
          cancelFlush(ctx.timerService(), due, stillPending);
        }
        long deadline = timestamp + maxWait.toMillis();
        flushAt.update(deadline);
        ctx.timerService().registerEventTimeTimer(deadline);
      }
      ready.update(leftover);
    }
    if (stillPending.isEmpty()) {
      pending.clear();
    } else {
      pending.update(stillPending);
    }
  }

  /**
   * Deletes the flush timer, unless a pending group settles at the same instant: timers are unique
   * per key and timestamp, so deleting it would also delete that group's settle timer.
   */
  private static void cancelFlush(TimerService timers, long due, List<RLGroup> stillPending) {
    for (RLGroup g : stillPending) {
      if (g.getClosedAtMs() == due) {
        return;
      }
    }
    timers.deleteEventTimeTimer(due);
  }

  private void emit(String modelId, List<RLGroup> groups, Collector<RLBatch> out) throws Exception {
    Long sequence = nextSequence.value();
    long seq = sequence == null ? 0 : sequence;
    out.collect(BatchAssembler.build(modelId, seq, groups));
    nextSequence.update(seq + 1);
    batches.inc();
  }
}
