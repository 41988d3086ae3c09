package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Holds back the records (RL batches, optionally pairs) of a policy version while a gating alarm
 * fires for it. Both inputs are keyed by model id: records on the first, {@link Alert}s on the
 * second.
 *
 * <p>Holds are per policy version ({@link GateHolds}): a FIRING alert opens a hold for its version
 * from the start of its streak, and only the CLEARED alert of the same rule, scope, data source and
 * version closes it, at the start of the window that cleared it. Nothing else releases: not a clear
 * of another rule, scope or version, and not the clear of one rule while another still holds the
 * version.
 *
 * <p>The decision is made in event time, so a replay decides the same: a record waits until the
 * watermark passes its event time plus {@link GateSettings#verdictDelay()} (by then the alerts of
 * its window have arrived), then it is held if an open hold of one of its versions covers its event
 * time, and passes otherwise. When the last open hold of its versions closes, held records are
 * released in the order they were held (event-time order), or discarded to {@link #discarded()}
 * (never dropped silently), by configuration. A record covered only by a hold that has already
 * cleared gets the same treatment at once.
 *
 * <p>At the end of input (bounded mode, or a drain: the watermark reaches its maximum) whatever is
 * still held goes to {@link #heldAtEnd()}, and the gate's state is cleared: nothing stays behind in
 * a final savepoint. A timer at the maximum watermark is registered while a hold is open for that;
 * it is registered where records or alerts arrive, since BATCH mode drops timers registered while
 * timers fire.
 *
 * <p>State per model: records awaiting their verdict (by due time), held records, and hold
 * intervals (one per FIRING; a cleared one is forgotten after {@link GateSettings#retention()} by a
 * timer). All of it, and every timer, is gone once alarms clear and the retention has passed.
 */
public class GateFunction<T> extends KeyedCoProcessFunction<String, T, Alert, T> {

  private static final long serialVersionUID = 1L;

  private static final long END_OF_INPUT = Long.MAX_VALUE;

  private final GateSubject<T> subject;
  private final TypeInformation<T> type;
  private final GateSettings settings;
  private final OutputTag<T> discarded;
  private final OutputTag<T> heldAtEnd;

  private transient MapState<Long, List<T>> awaiting;
  private transient ListState<T> held;
  private transient MapState<String, HoldInterval> intervals;
  private transient Counter heldCount;
  private transient Counter releasedCount;
  private transient Counter discardedCount;
  private transient Counter heldAtEndCount;

  public GateFunction(
      GateSubject<T> subject, TypeInformation<T> type, GateSettings settings, String name) {
    this.subject = subject;
    this.type = type;
    this.settings = settings;
    this.discarded = new OutputTag<>("gate-discarded-" + name, type);
    this.heldAtEnd = new OutputTag<>("gate-held-at-end-" + name, type);
  }

  /** Records a cleared gate discarded (with {@code gate.on-clear=DISCARD}). */
  public OutputTag<T> discarded() {
    return discarded;
  }

  /** Records still held when the input ended (end of a bounded run, or a drain). */
  public OutputTag<T> heldAtEnd() {
    return heldAtEnd;
  }

  @Override
  public void open(OpenContext openContext) {
    awaiting =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("awaiting-verdict", Types.LONG, new ListTypeInfo<>(type)));
    held = getRuntimeContext().getListState(new ListStateDescriptor<>("held", type));
    intervals =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "hold-intervals", Types.STRING, TypeInformation.of(HoldInterval.class)));
    heldCount = getRuntimeContext().getMetricGroup().counter(HealthMetricNames.GATE_HELD);
    releasedCount = getRuntimeContext().getMetricGroup().counter(HealthMetricNames.GATE_RELEASED);
    discardedCount = getRuntimeContext().getMetricGroup().counter(HealthMetricNames.GATE_DISCARDED);
    heldAtEndCount =
        getRuntimeContext().getMetricGroup().counter(HealthMetricNames.GATE_HELD_AT_END);
  }

  @Override
  public void processElement1(T record, Context ctx, Collector<T> out) throws Exception {
    long delay = settings.verdictDelay().toMillis();
    long due = saturatedAdd(subject.eventTimeMs(record), delay);
    // Without a delay the record is decided on arrival, against the alerts seen so far.
    if (delay == 0 || due <= ctx.timerService().currentWatermark()) {
      decide(record, ctx, out);
      return;
    }
    List<T> same = awaiting.get(due);
    List<T> updated = same == null ? new ArrayList<>(1) : new ArrayList<>(same);
    updated.add(record);
    awaiting.put(due, updated);
    ctx.timerService().registerEventTimeTimer(due);
  }

  @Override
  public void processElement2(Alert alert, Context ctx, Collector<T> out) throws Exception {
    if (!alert.getGate()) {
      return;
    }
    if (alert.getState() == AlertState.FIRING) {
      open(alert);
    } else {
      close(alert, ctx, out);
    }
    if (GateHolds.anyOpen(intervals.values())) {
      ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
    } else if (!awaiting.contains(END_OF_INPUT)) {
      // Nothing open, so nothing held (the last clear settled it): the end of input has nothing to
      // flush.
      ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
    }
  }

  /** Opens the alert's hold, unless it is open already (a repeated FIRING changes nothing). */
  private void open(Alert alert) throws Exception {
    String hold = GateHolds.holdOf(alert);
    for (Map.Entry<String, HoldInterval> entry : intervals.entries()) {
      if (entry.getValue().open() && GateHolds.isHold(entry.getValue(), entry.getKey(), alert)) {
        return;
      }
    }
    HoldInterval interval = new HoldInterval();
    interval.hold = hold;
    interval.policyVersion = alert.getPolicyVersion();
    interval.fromMs = alert.getHoldingSinceMs();
    intervals.put(hold + "|" + alert.getHoldingSinceMs(), interval);
  }

  /**
   * Closes the open hold of the alert's rule, scope, data source and version; any other clear is
   * ignored.
   */
  private void close(Alert alert, Context ctx, Collector<T> out) throws Exception {
    List<Map.Entry<String, HoldInterval>> closing = new ArrayList<>(1);
    for (Map.Entry<String, HoldInterval> entry : intervals.entries()) {
      if (entry.getValue().open() && GateHolds.isHold(entry.getValue(), entry.getKey(), alert)) {
        closing.add(entry);
      }
    }
    if (closing.isEmpty()) {
      return;
    }
    for (Map.Entry<String, HoldInterval> entry : closing) {
      HoldInterval interval = entry.getValue();
      interval.untilMs = alert.getWindowStartMs();
      intervals.put(entry.getKey(), interval);
      // Forget the cleared interval once records of its period can no longer be expected.
      ctx.timerService().registerEventTimeTimer(forgetAt(interval));
    }
    reconsiderHeld(ctx, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) throws Exception {
    List<T> due = awaiting.get(timestamp);
    if (due != null) {
      awaiting.remove(timestamp);
      for (T record : due) {
        decide(record, ctx, out);
      }
    }
    if (timestamp == END_OF_INPUT) {
      flushAtEndOfInput(ctx);
      return;
    }
    List<String> forgotten = new ArrayList<>();
    for (Map.Entry<String, HoldInterval> entry : intervals.entries()) {
      if (!entry.getValue().open() && forgetAt(entry.getValue()) <= timestamp) {
        forgotten.add(entry.getKey());
      }
    }
    for (String id : forgotten) {
      intervals.remove(id);
    }
  }

  /**
   * The input has ended: no alert can clear what is held any more. It goes to {@link #heldAtEnd()}
   * in the order it was held, and every hold is forgotten; every other timer fired before this one.
   */
  private void flushAtEndOfInput(OnTimerContext ctx) throws Exception {
    for (T record : held.get()) {
      heldAtEndCount.inc();
      ctx.output(heldAtEnd, record);
    }
    held.clear();
    intervals.clear();
    awaiting.clear();
  }

  private long forgetAt(HoldInterval interval) {
    return saturatedAdd(
        saturatedAdd(interval.untilMs, settings.verdictDelay().toMillis()),
        settings.retention().toMillis());
  }

  private void decide(T record, Context ctx, Collector<T> out) throws Exception {
    GateHolds.Verdict verdict =
        GateHolds.arriving(
            intervals.values(),
            subject.minPolicyVersion(record),
            subject.maxPolicyVersion(record),
            subject.eventTimeMs(record));
    if (verdict == GateHolds.Verdict.HOLD) {
      held.add(record);
      heldCount.inc();
      // Already registered when the hold opened; again for holds restored from state written
      // without it.
      ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
    } else if (verdict == GateHolds.Verdict.CLEARED) {
      heldCount.inc();
      settle(record, ctx, out);
    } else {
      out.collect(record);
    }
  }

  /**
   * Releases or discards what no open hold of its versions keeps any more, keeping the rest in
   * order.
   */
  private void reconsiderHeld(Context ctx, Collector<T> out) throws Exception {
    List<T> keep = new ArrayList<>();
    boolean changed = false;
    for (T record : held.get()) {
      GateHolds.Verdict verdict =
          GateHolds.held(
              intervals.values(),
              subject.minPolicyVersion(record),
              subject.maxPolicyVersion(record),
              subject.eventTimeMs(record));
      if (verdict == GateHolds.Verdict.HOLD) {
        keep.add(record);
      } else {
        changed = true;
        if (verdict == GateHolds.Verdict.CLEARED) {
          settle(record, ctx, out);
        } else {
          // Held while a rule fired, but made after the window that cleared it: healthy.
          releasedCount.inc();
          out.collect(record);
        }
      }
    }
    if (changed) {
      // An empty update clears the list state.
      held.update(keep);
    }
  }

  private void settle(T record, Context ctx, Collector<T> out) {
    if (settings.onClear() == GateSettings.OnClear.RELEASE) {
      releasedCount.inc();
      out.collect(record);
    } else {
      discardedCount.inc();
      ctx.output(discarded, record);
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
