package io.lodestar.operators.health;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Evaluates the alarm rules on the health windows of one scope (keyed by {@link #key}) in window
 * order, and emits an {@link Alert} when a rule fires and when it clears.
 *
 * <p>Rules act on the first emission of each window, in window order; late revisions (revision
 * above 0), and windows first emitted after a newer one, update the metrics topic but are not
 * evaluated, so an alert never flips back and forth on a late event.
 *
 * <p>State per scope: the previous window (for {@code delta} conditions) and each rule's streak.
 * A timer one window after the last one seen drops the previous window and every rule that is not
 * firing; a firing rule stays until a window clears it.
 */
public class AlarmFunction extends KeyedProcessFunction<String, HealthMetrics, Alert> {

  private static final long serialVersionUID = 1L;

  private final List<AlarmRule> rules;

  private transient ValueState<HealthMetrics> previous;
  private transient MapState<String, RuleState> states;
  private transient Counter fired;
  private transient Counter cleared;

  public AlarmFunction(List<AlarmRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The key of a health row's scope. */
  public static String key(HealthMetrics metrics) {
    return HealthEvent.key(metrics.getModelId(), metrics.getPolicyVersion(), metrics.getDataSource());
  }

  public static TypeInformation<Alert> alertType() {
    return new AvroTypeInfo<>(Alert.class);
  }

  @Override
  public void open(OpenContext openContext) {
    previous = getRuntimeContext().getState(new ValueStateDescriptor<>("previous-window", new AvroTypeInfo<>(HealthMetrics.class)));
    states = getRuntimeContext().getMapState(new MapStateDescriptor<>("rule-states", Types.STRING, TypeInformation.of(RuleState.class)));
    fired = getRuntimeContext().getMetricGroup().counter(MetricNames.ALERTS_FIRED);
    cleared = getRuntimeContext().getMetricGroup().counter(MetricNames.ALERTS_CLEARED);
  }

  @Override
  public void processElement(HealthMetrics metrics, Context ctx, Collector<Alert> out) throws Exception {
    if (metrics.getRevision() > 0) {
      return;
    }
    HealthMetrics before = previous.value();
    if (before != null && metrics.getWindowStartMs() < before.getWindowEndMs()) {
      // A window that first closed empty and was filled by late events: it comes after newer
      // windows, and evaluating it would rewind the streaks.
      return;
    }
    for (AlarmRule rule : rules) {
      if (!rule.watches(metrics)) {
        continue;
      }
      RuleState state = states.get(rule.id());
      if (state == null) {
        state = new RuleState();
      }
      Alert alert = AlarmEvaluator.evaluate(rule, metrics, before, state);
      if (state.idle()) {
        states.remove(rule.id());
      } else {
        states.put(rule.id(), state);
      }
      if (alert != null) {
        (alert.getState() == AlertState.FIRING ? fired : cleared).inc();
        out.collect(alert);
      }
    }
    previous.update(metrics);
    long size = metrics.getWindowEndMs() - metrics.getWindowStartMs();
    // The next window is emitted at its end - 1; if none came by its end, this scope went quiet.
    ctx.timerService().registerEventTimeTimer(metrics.getWindowEndMs() + size);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    HealthMetrics last = previous.value();
    if (last == null || last.getWindowEndMs() * 2 - last.getWindowStartMs() != timestamp) {
      return;
    }
    // Quiet scope: the streaks cannot continue and delta has nothing to compare with.
    previous.clear();
    List<String> idle = new ArrayList<>();
    for (Map.Entry<String, RuleState> entry : states.entries()) {
      if (!entry.getValue().firing) {
        idle.add(entry.getKey());
      }
    }
    for (String id : idle) {
      states.remove(id);
    }
  }
}
