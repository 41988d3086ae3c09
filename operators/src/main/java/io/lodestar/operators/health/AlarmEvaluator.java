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
 * <p>A window decides nothing when a guard ({@code given ...}) fails or a metric the rule reads is
 * undefined (no data, no previous window for {@code delta}, no baseline yet): streak and healthy
 * count stay as they were, so a small window can neither fire, nor clear, nor break a run of
 * healthy windows. A gap (a window of the scope that never came) restarts both counts.
 *
 * <p>Otherwise, a window in which every condition holds extends the streak, and the streak reaching
 * the rule's length fires the rule; a window in which a condition fails ends the streak. While the
 * rule fires, a healthy window (every clear condition holds or, without clear conditions, a
 * condition fails) adds to the healthy count and any other window resets it; the count reaching
 * {@code clear after N windows} clears the rule, and the CLEARED alert reports what showed health.
 */
public final class AlarmEvaluator {

  private AlarmEvaluator() {}

  /** {@link #evaluate(AlarmRule, AlarmRule.WindowView, RuleState)} without a baseline. */
  public static Alert evaluate(
      AlarmRule rule, HealthMetrics current, HealthMetrics previous, RuleState state) {
    return evaluate(rule, view(current, previous), state);
  }

  /** Updates {@code state}; returns the alert to emit, or null. */
  public static Alert evaluate(AlarmRule rule, AlarmRule.WindowView window, RuleState state) {
    HealthMetrics current = window.current();
    if (state.lastWindowEndMs != current.getWindowStartMs()) {
      state.consecutive = 0;
      state.healthy = 0;
    }
    // Even a window that decides nothing keeps the scope contiguous: only a missing window is a
    // gap.
    state.lastWindowEndMs = current.getWindowEndMs();
    Outcome guards = observe(rule.guards(), window);
    if (!guards.holds || guards.undefined) {
      return null;
    }
    Outcome fire = observe(rule.conditions(), window);
    if (!fire.undefined) {
      if (fire.holds) {
        if (state.consecutive == 0) {
          state.streakStartMs = current.getWindowStartMs();
        }
        state.consecutive++;
      } else {
        state.consecutive = 0;
      }
    }
    if (!state.firing) {
      if (!fire.undefined && fire.holds && state.consecutive >= rule.windows()) {
        state.firing = true;
        state.healthy = 0;
        state.holdingSinceMs = state.streakStartMs;
        return alert(rule, current, AlertState.FIRING, fire.observed, state);
      }
      return null;
    }
    Outcome health =
        rule.clearConditions().isEmpty() ? fire.negated() : observe(rule.clearConditions(), window);
    if (health.undefined) {
      return null;
    }
    if (!health.holds) {
      state.healthy = 0;
      return null;
    }
    state.healthy++;
    if (state.healthy < rule.clearAfter()) {
      return null;
    }
    state.firing = false;
    state.consecutive = 0;
    state.healthy = 0;
    return alert(rule, current, AlertState.CLEARED, health.observed, state);
  }

  /** A view of {@code current} with {@code previous} for delta (when adjacent) and no baseline. */
  public static AlarmRule.WindowView view(HealthMetrics current, HealthMetrics previous) {
    boolean adjacent = previous != null && previous.getWindowEndMs() == current.getWindowStartMs();
    return new AlarmRule.WindowView() {
      @Override
      public HealthMetrics current() {
        return current;
      }

      @Override
      public Double previous(String metric) {
        return adjacent ? HealthMetricValues.value(previous, metric) : null;
      }

      @Override
      public Double baseline(String metric) {
        return null;
      }
    };
  }

  /**
   * The observed values of some conditions, whether all defined ones hold, and whether one was
   * undefined.
   */
  private record Outcome(List<AlertCondition> observed, boolean holds, boolean undefined) {

    /** Whether some defined condition fails: the fire conditions read as health. */
    Outcome negated() {
      return new Outcome(observed, !holds, undefined);
    }
  }

  private static Outcome observe(
      List<AlarmRule.Condition> conditions, AlarmRule.WindowView window) {
    List<AlertCondition> observed = new ArrayList<>(conditions.size());
    boolean undefined = false;
    boolean holds = true;
    for (AlarmRule.Condition condition : conditions) {
      Double value = condition.observe(window);
      Double baseline =
          condition.usesBaseline() ? window.baseline(condition.baselineMetric()) : null;
      Double bound = condition.bound(baseline);
      observed.add(
          AlertCondition.newBuilder()
              .setMetric(condition.written())
              .setComparison(condition.comparison().symbol())
              .setThreshold(bound == null ? condition.threshold() : bound)
              .setObserved(value)
              .setBaseline(baseline)
              .build());
      if (value == null || bound == null) {
        undefined = true;
      } else if (!condition.comparison().holds(value, bound)) {
        holds = false;
      }
    }
    return new Outcome(observed, holds, undefined);
  }

  private static Alert alert(
      AlarmRule rule,
      HealthMetrics metrics,
      AlertState state,
      List<AlertCondition> conditions,
      RuleState ruleState) {
    String scopeKey =
        HealthEvent.key(metrics.getModelId(), metrics.getPolicyVersion(), metrics.getDataSource());
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
