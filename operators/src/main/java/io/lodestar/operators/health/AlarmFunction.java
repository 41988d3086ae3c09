package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Evaluates the alarm rules on the health windows of one model and data source (keyed by {@link
 * #key}, every policy version together, so that rules can compare a version with earlier ones) and
 * emits an {@link Alert} when a rule fires and when it clears. The logic is {@link AlarmScope}'s;
 * this wrapper orders the windows and keeps the state.
 *
 * <p>Rules act on the first emission of each window; late revisions (revision above 0), and windows
 * first emitted after a newer one of their version, update the metrics topic but are not evaluated,
 * so an alert never flips back and forth on a late event.
 *
 * <p>Windows of several versions that close together come from different upstream subtasks in any
 * order; each waits in state until the watermark reaches its end, and those due are evaluated in
 * window and version order. Every version's baseline is thus the same in a replay, and so are the
 * alerts and their ids.
 *
 * <p>State per key: the {@link AlarmScope} and the windows waiting. Timers: one per window end to
 * evaluate, and those at which {@link AlarmScope#expire} forgets quiet versions and, after {@link
 * AlarmScope#HISTORY_RETENTION_WINDOWS}, the baseline history; a firing rule stays until a window
 * clears it.
 */
public class AlarmFunction extends KeyedProcessFunction<String, HealthMetrics, Alert> {

  private static final long serialVersionUID = 1L;

  private static final Comparator<HealthMetrics> WINDOW_ORDER =
      Comparator.comparingLong(HealthMetrics::getWindowStartMs)
          .thenComparingLong(HealthMetrics::getPolicyVersion);

  private final List<AlarmRule> rules;

  private transient ValueState<AlarmScope> scope;
  private transient ListState<HealthMetrics> waiting;
  private transient Counter fired;
  private transient Counter cleared;

  public AlarmFunction(List<AlarmRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The key of a health row: its model and data source; every policy version shares it. */
  public static String key(HealthMetrics metrics) {
    return metrics.getModelId() + "/" + metrics.getDataSource();
  }

  public static TypeInformation<Alert> alertType() {
    return new AvroTypeInfo<>(Alert.class);
  }

  /** The type of the state, a Flink POJO. */
  public static TypeInformation<AlarmScope> scopeType() {
    return TypeInformation.of(AlarmScope.class);
  }

  @Override
  public void open(OpenContext openContext) {
    scope = getRuntimeContext().getState(new ValueStateDescriptor<>("alarm-scope", scopeType()));
    waiting =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>(
                    "alarm-waiting-windows", new AvroTypeInfo<>(HealthMetrics.class)));
    fired = getRuntimeContext().getMetricGroup().counter(HealthMetricNames.ALERTS_FIRED);
    cleared = getRuntimeContext().getMetricGroup().counter(HealthMetricNames.ALERTS_CLEARED);
  }

  @Override
  public void processElement(HealthMetrics metrics, Context ctx, Collector<Alert> out)
      throws Exception {
    if (metrics.getRevision() > 0) {
      return;
    }
    waiting.add(metrics);
    ctx.timerService().registerEventTimeTimer(metrics.getWindowEndMs() - 1);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    List<HealthMetrics> due = new ArrayList<>();
    List<HealthMetrics> later = new ArrayList<>();
    Iterable<HealthMetrics> all = waiting.get();
    if (all != null) {
      for (HealthMetrics m : all) {
        (m.getWindowEndMs() - 1 <= timestamp ? due : later).add(m);
      }
    }
    AlarmScope current = scope.value();
    if (current == null) {
      current = new AlarmScope();
    }
    if (!due.isEmpty()) {
      waiting.update(later);
      due.sort(WINDOW_ORDER);
      for (HealthMetrics m : due) {
        for (Alert alert : current.evaluate(m, rules)) {
          (alert.getState() == AlertState.FIRING ? fired : cleared).inc();
          out.collect(alert);
        }
      }
    }
    if (current.expire(timestamp) && later.isEmpty()) {
      // Nothing waits and nothing is remembered: this key is done.
      scope.clear();
      return;
    }
    scope.update(current);
    for (long at : current.expiryTimes()) {
      if (at > timestamp) {
        ctx.timerService().registerEventTimeTimer(at);
      }
    }
  }
}
