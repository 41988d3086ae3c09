package io.lodestar.operators.health;

import io.lodestar.schema.AlertScope;
import io.lodestar.schema.HealthMetrics;
import java.io.Serializable;
import java.util.List;

/**
 * A health rule: every condition holds for {@code windows} consecutive windows of one scope, then
 * it fires; the first window in which a condition fails clears it or, when the rule has clear
 * conditions, the first window in which all of those hold. Written and parsed by
 * {@link AlarmRules}.
 *
 * @param id unique among the rules; names the rule in alerts and errors
 * @param conditions all must hold
 * @param windows consecutive windows needed to fire, at least 1
 * @param scope SOURCE watches each data source of a policy, POLICY the roll-up over its sources
 * @param gate whether the policy's batches are held while the rule fires
 * @param clearConditions when not empty, a firing rule clears only once all of these hold
 * @param text the rule as written
 */
public record AlarmRule(
    String id, List<Condition> conditions, int windows, AlertScope scope, boolean gate, List<Condition> clearConditions, String text)
    implements Serializable {

  /**
   * {@code metric comparison threshold}; with {@code delta}, the metric's change since the previous
   * window of the same scope (undefined when that window is missing).
   */
  public record Condition(String metric, boolean delta, Comparison comparison, double threshold) implements Serializable {

    /** The metric as written, e.g. {@code delta(verifierPassRate)}. */
    public String written() {
      return delta ? "delta(" + metric + ")" : metric;
    }

    /** The observed value in {@code current}; null when undefined. */
    public Double observe(HealthMetrics current, HealthMetrics previous) {
      Double now = HealthMetricValues.value(current, metric);
      if (!delta || now == null) {
        return now;
      }
      if (previous == null || previous.getWindowEndMs() != current.getWindowStartMs()) {
        return null;
      }
      Double before = HealthMetricValues.value(previous, metric);
      return before == null ? null : now - before;
    }
  }

  public AlarmRule {
    conditions = List.copyOf(conditions);
    clearConditions = List.copyOf(clearConditions);
  }

  /** Whether a health row is in this rule's scope. */
  public boolean watches(HealthMetrics metrics) {
    boolean rollUp = HealthEvent.ALL_SOURCES.equals(metrics.getDataSource());
    return scope == AlertScope.POLICY ? rollUp : !rollUp;
  }
}
