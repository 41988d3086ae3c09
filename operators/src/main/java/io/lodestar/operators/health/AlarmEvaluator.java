package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertCondition;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies one rule to one window of its scope and says whether it fired or cleared.
 *
 * <p>A window in which every condition holds extends the streak (a gap between windows restarts
 * it); the streak reaching the rule's length fires the rule. A window in which a condition fails
 * ends the streak and clears a firing rule. A window in which a metric is undefined (no data for
 * it) ends the streak but does not clear: clearing needs evidence of health.
 */
public final class AlarmEvaluator {

  private AlarmEvaluator() {}

  /** Updates {@code state}; returns the alert to emit, or null. */
  public static Alert evaluate(AlarmRule rule, HealthMetrics current, HealthMetrics previous, RuleState state) {
    List<AlertCondition> observed = new ArrayList<>(rule.conditions().size());
    boolean undefined = false;
    boolean holds = true;
    for (AlarmRule.Condition condition : rule.conditions()) {
      Double value = condition.observe(current, previous);
      observed.add(
          AlertCondition.newBuilder()
              .setMetric(condition.written())
              .setComparison(condition.comparison().symbol())
              .setThreshold(condition.threshold())
              .setObserved(value)
              .build());
      if (value == null) {
        undefined = true;
      } else if (!condition.comparison().holds(value, condition.threshold())) {
        holds = false;
      }
    }
    boolean contiguous = state.lastWindowEndMs == current.getWindowStartMs();
    state.lastWindowEndMs = current.getWindowEndMs();
    if (!holds) {
      state.consecutive = 0;
      if (state.firing) {
        state.firing = false;
        return alert(rule, current, AlertState.CLEARED, observed, state);
      }
      return null;
    }
    if (undefined) {
      state.consecutive = 0;
      return null;
    }
    if (contiguous && state.consecutive > 0) {
      state.consecutive++;
    } else {
      state.consecutive = 1;
      state.streakStartMs = current.getWindowStartMs();
    }
    if (!state.firing && state.consecutive >= rule.windows()) {
      state.firing = true;
      state.holdingSinceMs = state.streakStartMs;
      return alert(rule, current, AlertState.FIRING, observed, state);
    }
    return null;
  }

  private static Alert alert(
      AlarmRule rule, HealthMetrics metrics, AlertState state, List<AlertCondition> conditions, RuleState ruleState) {
    String scopeKey = HealthEvent.key(metrics.getModelId(), metrics.getPolicyVersion(), metrics.getDataSource());
    return Alert.newBuilder()
        .setAlertId(rule.id() + "|" + scopeKey + "|" + metrics.getWindowStartMs() + "|" + state)
        .setRuleId(rule.id())
        .setRule(rule.text())
        .setState(state)
        .setConditions(conditions)
        .setScope(rule.scope())
        .setModelId(metrics.getModelId())
        .setPolicyVersion(metrics.getPolicyVersion())
        .setDataSource(metrics.getDataSource())
        .setWindowStartMs(metrics.getWindowStartMs())
        .setWindowEndMs(metrics.getWindowEndMs())
        .setConsecutiveWindows(ruleState.consecutive)
        .setHoldingSinceMs(ruleState.holdingSinceMs)
        .setGate(rule.gate())
        .build();
  }
}
