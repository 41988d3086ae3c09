package io.lodestar.operators.health;

import io.lodestar.connectors.MetricNames;
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
 * <p>The decision is made in event time, so a replay decides the same: a record waits until the
 * watermark passes its event time plus {@link GateSettings#verdictDelay()} (by then the alerts of
 * its window have arrived), then it is held if a gating rule's {@link HoldInterval} covers its
 * versions and event time, and passes otherwise. When the rule clears, held records are released in
 * the order they were held (event-time order), or discarded to {@link #discarded()} (never dropped silently), by configuration.
 * A record covered only by an interval that has already cleared gets the same treatment at once.
 *
 * <p>State per model: records awaiting their verdict (by due time), held records, and hold
 * intervals (an open one per firing rule; a cleared one is forgotten after
 * {@link GateSettings#retention()} by a timer). All of it returns to empty once alarms clear.
 */
public class GateFunction<T> extends KeyedCoProcessFunction<String, T, Alert, T> {

  private static final long serialVersionUID = 1L;

  private final GateSubject<T> subject;
  private final TypeInformation<T> type;
  private final GateSettings settings;
  private final OutputTag<T> discarded;

  private transient MapState<Long, List<T>> awaiting;
  private transient ListState<T> held;
  private transient MapState<String, HoldInterval> intervals;
  private transient Counter heldCount;
  private transient Counter releasedCount;
  private transient Counter discardedCount;

  public GateFunction(GateSubject<T> subject, TypeInformation<T> type, GateSettings settings, String name) {
    this.subject = subject;
    this.type = type;
    this.settings = settings;
    this.discarded = new OutputTag<>("gate-discarded-" + name, type);
  }

  /** Records a cleared gate discarded (with {@code gate.on-clear=DISCARD}). */
  public OutputTag<T> discarded() {
    return discarded;
  }

  @Override
  public void open(OpenContext openContext) {
    awaiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("awaiting-verdict", Types.LONG, new ListTypeInfo<>(type)));
    held = getRuntimeContext().getListState(new ListStateDescriptor<>("held", type));
    intervals =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("hold-intervals", Types.STRING, TypeInformation.of(HoldInterval.class)));
    heldCount = getRuntimeContext().getMetricGroup().counter(MetricNames.GATE_HELD);
    releasedCount = getRuntimeContext().getMetricGroup().counter(MetricNames.GATE_RELEASED);
    discardedCount = getRuntimeContext().getMetricGroup().counter(MetricNames.GATE_DISCARDED);
  }

  @Override
  public void processElement1(T record, Context ctx, Collector<T> out) throws Exception {
    long delay = settings.verdictDelay().toMillis();
    long due = subject.eventTimeMs(record) + delay;
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
    String id = alert.getRuleId() + "|" + alert.getDataSource() + "|" + alert.getPolicyVersion() + "|" + alert.getHoldingSinceMs();
    HoldInterval interval = intervals.get(id);
    if (interval == null) {
      interval = new HoldInterval();
      interval.policyVersion = alert.getPolicyVersion();
      interval.fromMs = alert.getHoldingSinceMs();
    }
    if (alert.getState() == AlertState.FIRING) {
      interval.untilMs = HoldInterval.OPEN;
      intervals.put(id, interval);
      return;
    }
    interval.untilMs = alert.getWindowStartMs();
    intervals.put(id, interval);
    // Forget the cleared interval once records of its period can no longer be expected.
    ctx.timerService().registerEventTimeTimer(forgetAt(interval));
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

  private long forgetAt(HoldInterval interval) {
    return interval.untilMs + settings.verdictDelay().toMillis() + settings.retention().toMillis();
  }

  private void decide(T record, Context ctx, Collector<T> out) throws Exception {
    Verdict verdict = verdict(record);
    if (verdict == Verdict.HOLD) {
      held.add(record);
      heldCount.inc();
    } else if (verdict == Verdict.CLEARED) {
      heldCount.inc();
      settle(record, ctx, out);
    } else {
      out.collect(record);
    }
  }

  /** Releases or discards what no open interval covers any more, keeping the rest in order. */
  private void reconsiderHeld(Context ctx, Collector<T> out) throws Exception {
    List<T> keep = new ArrayList<>();
    boolean changed = false;
    for (T record : held.get()) {
      Verdict verdict = verdict(record);
      if (verdict == Verdict.HOLD) {
        keep.add(record);
      } else {
        changed = true;
        if (verdict == Verdict.CLEARED) {
          settle(record, ctx, out);
        } else {
          // Held while a rule fired, but after the window that cleared it: healthy.
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

  private enum Verdict {
    PASS,
    HOLD,
    CLEARED
  }

  private Verdict verdict(T record) throws Exception {
    long min = subject.minPolicyVersion(record);
    long max = subject.maxPolicyVersion(record);
    long time = subject.eventTimeMs(record);
    Verdict verdict = Verdict.PASS;
    for (HoldInterval interval : intervals.values()) {
      if (interval.covers(min, max, time)) {
        if (interval.open()) {
          return Verdict.HOLD;
        }
        verdict = Verdict.CLEARED;
      }
    }
    return verdict;
  }
}
