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
 * it) ends the streak but does not clear: clearing needs evidence of health. A rule with clear
 * conditions clears only in a window where all of them are defined and hold, and the CLEARED alert
 * reports their observed values.
 */
public final class AlarmEvaluator {

  private AlarmEvaluator() {}

  /** Updates {@code state}; returns the alert to emit, or null. */
  public static Alert evaluate(AlarmRule rule, HealthMetrics current, HealthMetrics previous, RuleState state) {
    Outcome fire = observe(rule.conditions(), current, previous);
    boolean contiguous = state.lastWindowEndMs == current.getWindowStartMs();
    state.lastWindowEndMs = current.getWindowEndMs();
    if (state.firing && !rule.clearConditions().isEmpty()) {
      // With clear conditions, the fire conditions failing is not enough: recovery must be shown.
      Outcome clear = observe(rule.clearConditions(), current, previous);
      if (clear.holds && !clear.undefined) {
        state.firing = false;
        state.consecutive = 0;
        return alert(rule, current, AlertState.CLEARED, clear.observed, state);
      }
      extendStreak(fire, contiguous, current, state);
      return null;
    }
    if (!fire.holds) {
      state.consecutive = 0;
      if (state.firing) {
        state.firing = false;
        return alert(rule, current, AlertState.CLEARED, fire.observed, state);
      }
      return null;
    }
    extendStreak(fire, contiguous, current, state);
    if (!state.firing && state.consecutive >= rule.windows()) {
      state.firing = true;
      state.holdingSinceMs = state.streakStartMs;
      return alert(rule, current, AlertState.FIRING, fire.observed, state);
    }
    return null;
  }

  private static void extendStreak(Outcome fire, boolean contiguous, HealthMetrics current, RuleState state) {
    if (!fire.holds || fire.undefined) {
      state.consecutive = 0;
    } else if (contiguous && state.consecutive > 0) {
      state.consecutive++;
    } else {
      state.consecutive = 1;
      state.streakStartMs = current.getWindowStartMs();
    }
  }

  /** The observed values of some conditions, whether a defined one failed, and whether one was undefined. */
  private record Outcome(List<AlertCondition> observed, boolean holds, boolean undefined) {}

  private static Outcome observe(List<AlarmRule.Condition> conditions, HealthMetrics current, HealthMetrics previous) {
    List<AlertCondition> observed = new ArrayList<>(conditions.size());
    boolean undefined = false;
    boolean holds = true;
    for (AlarmRule.Condition condition : conditions) {
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
    return new Outcome(observed, holds, undefined);
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
