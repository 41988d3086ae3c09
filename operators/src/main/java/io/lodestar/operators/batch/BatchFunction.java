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
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Packs groups of one model (the key) into batches of {@code groupsPerBatch}. A group waits until
 * the watermark passes its close time, so groups are packed in event-time order and a replay
 * yields the same batches. A partial batch goes out {@code maxWait} of event time after its first
 * group settled, or at the end of input.
 *
 * <p>With a {@link Staleness} bound, a group whose oldest sample lags the newest policy version
 * seen (in settle order) by more than the bound is set aside or down-weighted, and counted.
 *
 * <p>State per model: groups waiting for the watermark, indexed by close time (so each timer reads
 * only its own groups, not every waiting group); groups ready to pack, appended without rereading;
 * their count; the flush deadline; the next batch sequence number (the only entry kept when
 * nothing waits) and, with a staleness bound, the newest policy version.
 */
public class BatchFunction extends KeyedProcessFunction<String, RLGroup, RLBatch> {

  private static final long serialVersionUID = 1L;

  private final int groupsPerBatch;
  private final Duration maxWait;
  private final Staleness staleness;

  private transient MapState<Long, List<RLGroup>> pendingByCloseTime;
  private transient ListState<RLGroup> ready;
  private transient ValueState<Integer> readyCount;
  private transient ValueState<Long> flushAt;
  private transient ValueState<Long> nextSequence;
  private transient ValueState<Long> newestVersion;
  private transient Counter batches;
  private transient Counter stale;

  /** Groups set aside as too far behind the newest policy version. */
  public static final OutputTag<RLGroup> STALE_GROUPS = new OutputTag<>("stale-groups", new AvroTypeInfo<>(RLGroup.class));

  public BatchFunction(int groupsPerBatch, Duration maxWait) {
    this(groupsPerBatch, maxWait, Staleness.off());
  }

  public BatchFunction(int groupsPerBatch, Duration maxWait, Staleness staleness) {
    if (groupsPerBatch < 1) {
      throw new IllegalArgumentException("groupsPerBatch must be at least 1, was " + groupsPerBatch);
    }
    this.groupsPerBatch = groupsPerBatch;
    this.maxWait = maxWait;
    this.staleness = staleness;
  }

  @Override
  public void open(OpenContext openContext) {
    AvroTypeInfo<RLGroup> groupType = new AvroTypeInfo<>(RLGroup.class);
    pendingByCloseTime =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, new ListTypeInfo<>(groupType)));
    ready = getRuntimeContext().getListState(new ListStateDescriptor<>("ready", groupType));
    readyCount = getRuntimeContext().getState(new ValueStateDescriptor<>("ready-count", Types.INT));
    flushAt = getRuntimeContext().getState(new ValueStateDescriptor<>("flush-at", Types.LONG));
    nextSequence = getRuntimeContext().getState(new ValueStateDescriptor<>("next-sequence", Types.LONG));
    newestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>("newest-policy-version", Types.LONG));
    batches = getRuntimeContext().getMetricGroup().counter(MetricNames.BATCHES);
    stale = getRuntimeContext().getMetricGroup().counter(MetricNames.GROUPS_STALE);
  }

  @Override
  public void processElement(RLGroup group, Context ctx, Collector<RLBatch> out) throws Exception {
    long closedAt = group.getClosedAtMs();
    List<RLGroup> same = pendingByCloseTime.get(closedAt);
    List<RLGroup> updated = same == null ? new ArrayList<>(1) : new ArrayList<>(same);
    updated.add(group);
    pendingByCloseTime.put(closedAt, updated);
    ctx.timerService().registerEventTimeTimer(closedAt);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RLBatch> out) throws Exception {
    List<RLGroup> settled = pendingByCloseTime.get(timestamp);
    if (settled != null) {
      pendingByCloseTime.remove(timestamp);
      List<RLGroup> ordered = new ArrayList<>(settled);
      BatchAssembler.sortForPacking(ordered);
      for (RLGroup group : ordered) {
        if (staleness.enabled() && isStale(group, ctx)) {
          continue;
        }
        addToReady(group, timestamp, ctx, out);
      }
    }
    Long due = flushAt.value();
    boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE && pendingByCloseTime.isEmpty();
    if (count() > 0 && (endOfInput || (due != null && due <= timestamp))) {
      emitReady(ctx, out);
    }
  }

  /** Tracks the newest version in settle order; drops or down-weights a group that lags it too far. */
  private boolean isStale(RLGroup group, OnTimerContext ctx) throws Exception {
    Long known = newestVersion.value();
    long newest = known == null ? group.getMaxPolicyVersion() : Math.max(known, group.getMaxPolicyVersion());
    newestVersion.update(newest);
    if (!staleness.isStale(group, newest)) {
      return false;
    }
    stale.inc();
    if (staleness.action() == Staleness.Action.DROP) {
      ctx.output(STALE_GROUPS, group);
      return true;
    }
    staleness.downweight(group, newest);
    return false;
  }

  private void addToReady(RLGroup group, long settledAt, OnTimerContext ctx, Collector<RLBatch> out)
      throws Exception {
    int count = count();
    if (count == 0) {
      // The partial batch's wait starts when its first group settles.
      long deadline = settledAt + maxWait.toMillis();
      flushAt.update(deadline);
      ctx.timerService().registerEventTimeTimer(deadline);
    }
    ready.add(group);
    readyCount.update(count + 1);
    if (count + 1 >= groupsPerBatch) {
      emitReady(ctx, out);
    }
  }

  private void emitReady(OnTimerContext ctx, Collector<RLBatch> out) throws Exception {
    List<RLGroup> groups = new ArrayList<>();
    ready.get().forEach(groups::add);
    String modelId = ctx.getCurrentKey();
    Long sequence = nextSequence.value();
    long seq = sequence == null ? 0 : sequence;
    out.collect(BatchAssembler.build(modelId, seq, groups));
    nextSequence.update(seq + 1);
    batches.inc();
    ready.clear();
    readyCount.clear();
    Long due = flushAt.value();
    if (due != null) {
      cancelFlush(ctx.timerService(), due);
      flushAt.clear();
    }
  }

  /**
   * Deletes the flush timer, unless groups settle at the same instant: timers are unique per key
   * and timestamp, so deleting it would also delete their settle timer.
   */
  private void cancelFlush(TimerService timers, long due) throws Exception {
    if (!pendingByCloseTime.contains(due)) {
      timers.deleteEventTimeTimer(due);
    }
  }

  private int count() throws Exception {
    Integer count = readyCount.value();
    return count == null ? 0 : count;
  }
}
