package io.lodestar.operators.health;

import io.lodestar.schema.AlertScope;
import io.lodestar.schema.HealthMetrics;
import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A health rule, written and parsed by {@link AlarmRules}; {@link AlarmEvaluator} applies it.
 *
 * <p>A window in which a guard fails or a metric is undefined decides nothing: it neither extends
 * nor breaks a streak, and neither clears nor counts towards clearing. In the other windows, every
 * condition holding for {@code windows} consecutive windows fires the rule; once firing, it clears
 * after {@code clearAfter} consecutive healthy windows: windows in which all clear conditions hold
 * or, without clear conditions, in which a condition fails.
 *
 * @param id unique among the rules; names the rule in alerts and errors
 * @param conditions all must hold
 * @param guards sample-size conditions ({@code given ...}): a window that fails one decides nothing
 * @param windows consecutive windows needed to fire, at least 1
 * @param scope SOURCE watches each data source of a policy, POLICY the roll-up over its sources
 * @param gate whether the policy's batches are held while the rule fires
 * @param clearConditions when not empty, a window counts as healthy only when all of these hold
 * @param clearAfter consecutive healthy windows needed to clear, at least 1
 * @param text the rule as written
 */
public record AlarmRule(
    String id,
    List<Condition> conditions,
    List<Condition> guards,
    int windows,
    AlertScope scope,
    boolean gate,
    List<Condition> clearConditions,
    int clearAfter,
    String text)
    implements Serializable {

  /**
   * A window as conditions read it: its metrics, the adjacent previous window's, and the baseline.
   */
  public interface WindowView {
    HealthMetrics current();

    /**
     * The metric in the adjacent previous window of the same scope; null when missing or undefined.
     */
    Double previous(String metric);

    /** The metric's baseline; null when there is none. */
    Double baseline(String metric);
  }

  /** What a condition compares its metric with. */
  public enum Reference {
    /** The threshold itself. */
    FIXED,
    /** The baseline plus the threshold (which may be negative). */
    BASELINE_PLUS,
    /** The baseline times the threshold. */
    BASELINE_TIMES
  }

  /**
   * {@code metric comparison threshold}; with {@code delta}, the metric's change since the previous
   * window of the same scope (undefined when that window is missing). With a baseline reference,
   * the metric is compared with {@code baselineMetric}'s baseline (see {@link AlarmScope}) plus or
   * times the threshold; undefined while there is no baseline.
   */
  public record Condition(
      String metric,
      boolean delta,
      Comparison comparison,
      double threshold,
      Reference reference,
      String baselineMetric)
      implements Serializable {

    /** A comparison with a fixed threshold. */
    public Condition(String metric, boolean delta, Comparison comparison, double threshold) {
      this(metric, delta, comparison, threshold, Reference.FIXED, null);
    }

    /** The metric as written, e.g. {@code delta(verifierPassRate)}. */
    public String written() {
      return delta ? "delta(" + metric + ")" : metric;
    }

    public boolean usesBaseline() {
      return reference != Reference.FIXED;
    }

    /** The observed value in the window; null when undefined. */
    public Double observe(WindowView window) {
      Double now = HealthMetricValues.value(window.current(), metric);
      if (!delta || now == null) {
        return now;
      }
      Double before = window.previous(metric);
      return before == null ? null : now - before;
    }

    /**
     * The number the observed value is compared with, given the baseline; null when that is needed
     * and missing.
     */
    public Double bound(Double baseline) {
      switch (reference) {
        case FIXED:
          return threshold;
        case BASELINE_PLUS:
          return baseline == null ? null : baseline + threshold;
        default:
          return baseline == null ? null : baseline * threshold;
      }
    }
  }

  public AlarmRule {
    conditions = List.copyOf(conditions);
    guards = List.copyOf(guards);
    clearConditions = List.copyOf(clearConditions);
  }

  /** The rule as before guards and hysteresis: no guard, and one healthy window clears. */
  public AlarmRule(
      String id,
      List<Condition> conditions,
      int windows,
      AlertScope scope,
      boolean gate,
      List<Condition> clearConditions,
      String text) {
    this(id, conditions, List.of(), windows, scope, gate, clearConditions, 1, text);
  }

  /** Whether a health row is in this rule's scope. */
  public boolean watches(HealthMetrics metrics) {
    boolean rollUp = HealthEvent.ALL_SOURCES.equals(metrics.getDataSource());
    return scope == AlertScope.POLICY ? rollUp : !rollUp;
  }

  /** The metrics whose baseline this rule reads. */
  public Set<String> baselineMetrics() {
    Set<String> metrics = new LinkedHashSet<>();
    for (List<Condition> list : List.of(conditions, guards, clearConditions)) {
      for (Condition c : list) {
        if (c.usesBaseline()) {
          metrics.add(c.baselineMetric());
        }
      }
    }
    return metrics;
  }

  /** The metrics this rule reads as {@code delta(...)}. */
  public Set<String> deltaMetrics() {
    Set<String> metrics = new LinkedHashSet<>();
    for (List<Condition> list : List.of(conditions, guards, clearConditions)) {
      for (Condition c : list) {
        if (c.delta()) {
          metrics.add(c.metric());
        }
      }
    }
    return metrics;
  }
}
