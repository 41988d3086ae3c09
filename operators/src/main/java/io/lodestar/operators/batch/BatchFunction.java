package io.lodestar.operators.batch;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Packs groups of one model (the key) into batches of {@link BatchLimits#groups()} groups, or fewer
 * when a token budget is set and the next group would exceed it. A batch holds one policy version
 * unless {@code mixPolicyVersions} is set ({@link BatchAssembler#packingKey}): each version has its
 * own open batch, with its own wait. A group waits until the watermark passes its close time, so
 * groups are packed in event-time order and a replay yields the same batches. A partial batch goes
 * out {@code maxWait} of event time after its first group settled, or at the end of input. For a
 * batch-wide estimator ({@link AdvantageSpec#needsWholeBatch}) the batch step runs here, on the
 * finished batch.
 *
 * <p>The second input is the trainers' control topic ({@link PolicyUpdate}), keyed by the same
 * model id: the announced version counts from its {@code publishedAtMs} on, in event time (an
 * update that arrives behind the watermark counts at once). With a {@link Staleness} bound, a group
 * whose oldest sample lags the newest of (versions seen in settled groups, versions announced) by
 * more than the bound is set aside or down-weighted, and counted.
 *
 * <p>State per model: groups waiting for the watermark, indexed by close time (so each timer reads
 * only its own groups); the open batches by packing key (count, tokens, flush deadline), their
 * groups, one entry each (appended without rereading), and the packing keys due at each deadline
 * (so a timer looks up its own); announced versions waiting for their time; the next batch sequence
 * number (the only entry kept when nothing waits and no trainer has spoken), the newest announced
 * version and, with a staleness bound, the newest version seen. Groups an earlier layout held in
 * its single open batch are moved into the current one the first time their model is touched.
 *
 * <p>Batch ids come from the batch's content ({@link BatchAssembler#batchId}); the sequence number
 * only orders a model's batches within the life of this state.
 */
public class BatchFunction extends KeyedCoProcessFunction<String, RLGroup, PolicyUpdate, RLBatch> {

  private static final long serialVersionUID = 1L;

  private final BatchLimits limits;
  private final Duration maxWait;
  private final Staleness staleness;
  private final AdvantageSpec advantageSpec;
  private final boolean mixPolicyVersions;

  private transient MapState<Long, List<RLGroup>> pendingByCloseTime;
  private transient MapState<String, OpenBatch> openBatches;
  private transient MapState<String, RLGroup> openBatchGroups;
  private transient MapState<Long, List<String>> flushDeadlines;
  // The earlier layout's single open batch, read only to move it into the current one.
  private transient ListState<RLGroup> ready;
  private transient ValueState<Integer> readyCount;
  private transient ValueState<Long> readyTokens;
  private transient ValueState<Long> flushAt;
  private transient ValueState<Long> nextSequence;
  private transient ValueState<Long> newestVersion;
  private transient ValueState<Long> trainerVersion;
  private transient MapState<Long, Long> announcedByTime;
  private transient Counter batches;
  private transient Counter stale;
  private transient Counter refused;
  private transient Counter policyUpdates;

  /** Groups set aside as too far behind the newest policy version. */
  public static final OutputTag<RLGroup> STALE_GROUPS =
      new OutputTag<>("stale-groups", new AvroTypeInfo<>(RLGroup.class));

  /**
   * Groups of a batch whose batch-wide step the trainer's arithmetic refuses (verl: one scored
   * token).
   */
  public static final OutputTag<RLGroup> REFUSED_GROUPS =
      new OutputTag<>("refused-batch-groups", new AvroTypeInfo<>(RLGroup.class));

  public BatchFunction(int groupsPerBatch, Duration maxWait) {
    this(groupsPerBatch, maxWait, Staleness.off());
  }

  public BatchFunction(int groupsPerBatch, Duration maxWait, Staleness staleness) {
    this(BatchLimits.ofGroups(groupsPerBatch), maxWait, staleness, AdvantageSpec.lodestarGrpo());
  }

  /** Batches that never mix policy versions. */
  public BatchFunction(
      BatchLimits limits, Duration maxWait, Staleness staleness, AdvantageSpec advantageSpec) {
    this(limits, maxWait, staleness, advantageSpec, false);
  }

  public BatchFunction(
      BatchLimits limits,
      Duration maxWait,
      Staleness staleness,
      AdvantageSpec advantageSpec,
      boolean mixPolicyVersions) {
    this.limits = limits;
    this.maxWait = maxWait;
    this.staleness = staleness;
    this.advantageSpec = advantageSpec;
    this.mixPolicyVersions = mixPolicyVersions;
  }

  @Override
  public void open(OpenContext openContext) {
    AvroTypeInfo<RLGroup> groupType = new AvroTypeInfo<>(RLGroup.class);
    pendingByCloseTime =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, new ListTypeInfo<>(groupType)));
    openBatches =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "open-batches", Types.STRING, Types.POJO(OpenBatch.class)));
    openBatchGroups =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("open-batch-groups", Types.STRING, groupType));
    flushDeadlines =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "flush-deadlines", Types.LONG, new ListTypeInfo<>(Types.STRING)));
    ready = getRuntimeContext().getListState(new ListStateDescriptor<>("ready", groupType));
    readyCount = getRuntimeContext().getState(new ValueStateDescriptor<>("ready-count", Types.INT));
    readyTokens =
        getRuntimeContext().getState(new ValueStateDescriptor<>("ready-tokens", Types.LONG));
    flushAt = getRuntimeContext().getState(new ValueStateDescriptor<>("flush-at", Types.LONG));
    nextSequence =
        getRuntimeContext().getState(new ValueStateDescriptor<>("next-sequence", Types.LONG));
    newestVersion =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("newest-policy-version", Types.LONG));
    trainerVersion =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("trainer-policy-version", Types.LONG));
    announcedByTime =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("announced-versions", Types.LONG, Types.LONG));
    batches = getRuntimeContext().getMetricGroup().counter(BatchMetricNames.BATCHES);
    stale = getRuntimeContext().getMetricGroup().counter(BatchMetricNames.GROUPS_STALE);
    refused = getRuntimeContext().getMetricGroup().counter(BatchMetricNames.BATCH_GROUPS_REFUSED);
    policyUpdates = getRuntimeContext().getMetricGroup().counter(BatchMetricNames.POLICY_UPDATES);
  }

  @Override
  public void processElement1(RLGroup group, Context ctx, Collector<RLBatch> out) throws Exception {
    adoptEarlierLayout();
    long closedAt = group.getClosedAtMs();
    List<RLGroup> same = pendingByCloseTime.get(closedAt);
    List<RLGroup> updated = same == null ? new ArrayList<>(1) : new ArrayList<>(same);
    updated.add(group);
    pendingByCloseTime.put(closedAt, updated);
    ctx.timerService().registerEventTimeTimer(closedAt);
  }

  @Override
  public void processElement2(PolicyUpdate update, Context ctx, Collector<RLBatch> out)
      throws Exception {
    policyUpdates.inc();
    long at = update.getPublishedAtMs();
    if (at <= ctx.timerService().currentWatermark()) {
      announce(update.getPolicyVersion());
      return;
    }
    Long known = announcedByTime.get(at);
    announcedByTime.put(
        at, known == null ? update.getPolicyVersion() : Math.max(known, update.getPolicyVersion()));
    ctx.timerService().registerEventTimeTimer(at);
  }

  private void announce(long version) throws Exception {
    Long known = trainerVersion.value();
    if (known == null || version > known) {
      trainerVersion.update(version);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RLBatch> out) throws Exception {
    adoptEarlierLayout();
    // A version announced at t counts for groups closing at t.
    Long announced = announcedByTime.get(timestamp);
    if (announced != null) {
      announcedByTime.remove(timestamp);
      announce(announced);
    }
    List<RLGroup> settled = pendingByCloseTime.get(timestamp);
    if (settled != null) {
      pendingByCloseTime.remove(timestamp);
      List<RLGroup> ordered = new ArrayList<>(settled);
      BatchAssembler.sortForPacking(ordered);
      for (RLGroup group : ordered) {
        if (staleness.enabled() && isStale(group, ctx)) {
          continue;
        }
        addToOpenBatch(group, timestamp, ctx, out);
      }
    }
    boolean endOfInput =
        ctx.timerService().currentWatermark() == Long.MAX_VALUE && pendingByCloseTime.isEmpty();
    // Due batches go out in deadline order, then by packing key, so sequence numbers replay the
    // same.
    List<Map.Entry<String, OpenBatch>> due = new ArrayList<>();
    if (endOfInput) {
      for (Map.Entry<String, OpenBatch> open : openBatches.entries()) {
        due.add(Map.entry(open.getKey(), open.getValue()));
      }
    } else {
      List<String> keys = flushDeadlines.get(timestamp);
      if (keys != null) {
        for (String key : keys) {
          due.add(Map.entry(key, openBatches.get(key)));
        }
      }
    }
    due.sort(
        Comparator.<Map.Entry<String, OpenBatch>>comparingLong(e -> e.getValue().flushAtMs)
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, OpenBatch> open : due) {
      emit(open.getKey(), open.getValue(), ctx, out);
    }
  }

  /**
   * Tracks the newest version seen in settle order; drops or down-weights a group that lags the
   * newest of that and the trainer's announced version too far.
   */
  private boolean isStale(RLGroup group, OnTimerContext ctx) throws Exception {
    Long known = newestVersion.value();
    long seen =
        known == null ? group.getMaxPolicyVersion() : Math.max(known, group.getMaxPolicyVersion());
    newestVersion.update(seen);
    Long trainer = trainerVersion.value();
    long newest = trainer == null ? seen : Math.max(seen, trainer);
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

  private void addToOpenBatch(
      RLGroup group, long settledAt, OnTimerContext ctx, Collector<RLBatch> out) throws Exception {
    String key = BatchAssembler.packingKey(group, mixPolicyVersions);
    long tokens = TokenCounts.group(group);
    OpenBatch open = openBatches.get(key);
    if (open != null && BatchAssembler.overflows(limits, open.groups, open.tokens, tokens)) {
      emit(key, open, ctx, out); // the next group would exceed the budget
      open = null;
    }
    if (open == null) {
      // A partial batch's wait starts when its first group settles.
      open = new OpenBatch(0, 0, settledAt + maxWait.toMillis());
      addDeadline(open.flushAtMs, key);
      ctx.timerService().registerEventTimeTimer(open.flushAtMs);
    }
    openBatchGroups.put(groupKey(key, open.groups), group);
    open.groups++;
    open.tokens += tokens;
    if (BatchAssembler.isFull(limits, open.groups, open.tokens)) {
      emit(key, open, ctx, out);
    } else {
      openBatches.put(key, open);
    }
  }

  private void addDeadline(long flushAtMs, String key) throws Exception {
    List<String> keys = flushDeadlines.get(flushAtMs);
    List<String> updated = keys == null ? new ArrayList<>(1) : new ArrayList<>(keys);
    updated.add(key);
    flushDeadlines.put(flushAtMs, updated);
  }

  private static String groupKey(String packingKey, int index) {
    return packingKey + "#" + index;
  }

  private void emit(String key, OpenBatch open, OnTimerContext ctx, Collector<RLBatch> out)
      throws Exception {
    List<RLGroup> groups = new ArrayList<>(open.groups);
    for (int i = 0; i < open.groups; i++) {
      String groupKey = groupKey(key, i);
      groups.add(openBatchGroups.get(groupKey));
      openBatchGroups.remove(groupKey);
    }
    openBatches.remove(key);
    cancelFlush(ctx.timerService(), key, open.flushAtMs);
    String modelId = ctx.getCurrentKey();
    Long sequence = nextSequence.value();
    long seq = sequence == null ? 0 : sequence;
    Long trainer = trainerVersion.value();
    // From the content, not the sequence: a run without this state counts from 0 again.
    String batchId = BatchAssembler.batchId(modelId, groups, trainer);
    try {
      BatchAdvantages.apply(groups, advantageSpec, batchId);
    } catch (IllegalArgumentException e) {
      // The trainer's arithmetic has no answer for this batch: set its groups aside, never fail.
      for (RLGroup group : groups) {
        refused.inc();
        ctx.output(REFUSED_GROUPS, group);
      }
      return;
    }
    out.collect(BatchAssembler.build(batchId, modelId, seq, groups, open.tokens, trainer));
    nextSequence.update(seq + 1);
    batches.inc();
  }

  /**
   * Forgets an emitted batch's deadline and deletes its timer, unless another open batch, settling
   * groups or a version announcement need the same instant: timers are unique per key and
   * timestamp, so deleting it would also delete theirs.
   */
  private void cancelFlush(TimerService timers, String key, long due) throws Exception {
    List<String> keys = flushDeadlines.get(due);
    List<String> others = new ArrayList<>();
    if (keys != null) {
      keys.stream().filter(k -> !k.equals(key)).forEach(others::add);
    }
    if (!others.isEmpty()) {
      flushDeadlines.put(due, others);
      return;
    }
    flushDeadlines.remove(due);
    if (!pendingByCloseTime.contains(due) && !announcedByTime.contains(due)) {
      timers.deleteEventTimeTimer(due);
    }
  }

  /**
   * Moves groups that an earlier state layout held in its single open batch into the open batches
   * of their packing keys, with that batch's deadline (whose timer is still registered).
   */
  private void adoptEarlierLayout() throws Exception {
    Integer count = readyCount.value();
    if (count == null) {
      return;
    }
    Long due = flushAt.value();
    long flushAtMs = due == null ? Long.MAX_VALUE : due;
    Iterable<RLGroup> earlier = ready.get();
    if (earlier != null) {
      for (RLGroup group : earlier) {
        String key = BatchAssembler.packingKey(group, mixPolicyVersions);
        OpenBatch open = openBatches.get(key);
        if (open == null) {
          open = new OpenBatch(0, 0, flushAtMs);
          addDeadline(flushAtMs, key);
        }
        openBatchGroups.put(groupKey(key, open.groups), group);
        open.groups++;
        open.tokens += TokenCounts.group(group);
        openBatches.put(key, open);
      }
    }
    ready.clear();
    readyCount.clear();
    readyTokens.clear();
    flushAt.clear();
  }
}
