package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the alarms keep for one model and data source (or the model's roll-up row), across its
 * policy versions: per version, each rule's state and the last window's values for {@code delta};
 * and the baseline history, the last {@link #BASELINE_WINDOWS} healthy windows of every version.
 *
 * <p><b>Baseline.</b> The baseline of a metric for version V is the median of the metric over the
 * history's windows of versions before V, defined once there are {@link #MIN_BASELINE_WINDOWS} of
 * them. A version that is hacked from its first window thus meets the previous versions, not
 * itself. As V's own windows push older ones out of the history, V keeps the baseline it had with
 * the most windows behind it. A window enters the history only while no rule fires for its version,
 * so an alarmed version never becomes the next one's baseline. (Leaving out the windows of a streak
 * too would bias the baseline: noise that starts a streak on one metric is a window picked for
 * being unusual on another.)
 *
 * <p>Where no earlier version has enough windows (a model's first version, or one that follows a
 * silence longer than the history's retention), V's reference windows stand in: the median of its
 * own first windows that entered the history, from {@link #MIN_BASELINE_WINDOWS} of them and frozen
 * at {@link #BASELINE_WINDOWS}. That catches a version growing worse; one hacked from its first
 * window has nothing to be compared with.
 *
 * <p>Windows must come in event-time order (the caller sorts those that close together by version).
 * Plain Java; a Flink POJO kept in keyed state.
 */
public class AlarmScope {

  /** Healthy windows kept per metric for the baseline. */
  public static final int BASELINE_WINDOWS = 12;

  /** Windows of earlier versions needed before a baseline is defined. */
  public static final int MIN_BASELINE_WINDOWS = 3;

  /** Windows of silence after which a scope forgets its history. */
  public static final int HISTORY_RETENTION_WINDOWS = 60;

  public Map<Long, VersionWatch> versions = new HashMap<>();
  public Map<String, BaselineHistory> history = new HashMap<>();

  /** End of the newest window evaluated, of any version. */
  public long lastWindowEndMs = Long.MIN_VALUE;

  /** Length of the windows evaluated. */
  public long windowMs;

  public AlarmScope() {}

  /** One policy version's state. A Flink POJO. */
  public static class VersionWatch {
    /** End of the last window evaluated for this version. */
    public long lastWindowEndMs = Long.MIN_VALUE;

    /** The last window's values of the metrics read as {@code delta}; undefined ones absent. */
    public Map<String, Double> previous = new HashMap<>();

    public Map<String, RuleState> rules = new HashMap<>();

    /** The baseline this version compares with, per metric, and how many windows it came from. */
    public Map<String, Double> baseline = new HashMap<>();

    public Map<String, Integer> baselineWindows = new HashMap<>();

    /**
     * The version's own first windows per metric (up to {@link #BASELINE_WINDOWS}): the reference
     * where no earlier version has a baseline.
     */
    public Map<String, BaselineHistory> reference = new HashMap<>();

    public VersionWatch() {}

    boolean firing() {
      return rules.values().stream().anyMatch(r -> r.firing);
    }
  }

  /**
   * The newest healthy windows' values of one metric, with their versions: a ring. A Flink POJO.
   */
  public static class BaselineHistory {
    public long[] versions = new long[BASELINE_WINDOWS];
    public double[] values = new double[BASELINE_WINDOWS];
    public int size;
    public int next;

    public BaselineHistory() {}

    void add(long version, double value) {
      versions[next] = version;
      values[next] = value;
      next = (next + 1) % values.length;
      size = Math.min(size + 1, values.length);
    }

    /** Values of versions before {@code version}. */
    double[] before(long version) {
      double[] out = new double[size];
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (versions[i] < version) {
          out[n++] = values[i];
        }
      }
      return Arrays.copyOf(out, n);
    }
  }

  /**
   * Evaluates {@code rules} on the first emission of a window; returns the alerts, in rule order.
   */
  public List<Alert> evaluate(HealthMetrics window, List<AlarmRule> rules) {
    if (rules.stream().noneMatch(rule -> rule.watches(window))) {
      // E.g. the roll-up row when every rule is per source: nothing to keep.
      return List.of();
    }
    VersionWatch version =
        versions.computeIfAbsent(window.getPolicyVersion(), v -> new VersionWatch());
    if (window.getWindowStartMs() < version.lastWindowEndMs) {
      // First emitted after a newer window (filled by late events): evaluating it would rewind the
      // streaks.
      return List.of();
    }
    Set<String> deltaMetrics = new LinkedHashSet<>();
    Set<String> baselineMetrics = new LinkedHashSet<>();
    for (AlarmRule rule : rules) {
      deltaMetrics.addAll(rule.deltaMetrics());
      baselineMetrics.addAll(rule.baselineMetrics());
    }
    for (String metric : baselineMetrics) {
      refreshBaseline(version, window.getPolicyVersion(), metric);
    }
    AlarmRule.WindowView view = view(window, version);
    List<Alert> alerts = new ArrayList<>();
    for (AlarmRule rule : rules) {
      if (!rule.watches(window)) {
        continue;
      }
      RuleState state = version.rules.getOrDefault(rule.id(), new RuleState());
      Alert alert = AlarmEvaluator.evaluate(rule, view, state);
      if (state.idle()) {
        version.rules.remove(rule.id());
      } else {
        version.rules.put(rule.id(), state);
      }
      if (alert != null) {
        alerts.add(alert);
      }
    }
    version.previous.clear();
    for (String metric : deltaMetrics) {
      Double value = HealthMetricValues.value(window, metric);
      if (value != null) {
        version.previous.put(metric, value);
      }
    }
    version.lastWindowEndMs = window.getWindowEndMs();
    if (!version.firing()) {
      for (String metric : baselineMetrics) {
        Double value = HealthMetricValues.value(window, metric);
        if (value != null) {
          history
              .computeIfAbsent(metric, m -> new BaselineHistory())
              .add(window.getPolicyVersion(), value);
          BaselineHistory own =
              version.reference.computeIfAbsent(metric, m -> new BaselineHistory());
          if (own.size < own.values.length) {
            own.add(window.getPolicyVersion(), value);
          }
        }
      }
    }
    lastWindowEndMs = Math.max(lastWindowEndMs, window.getWindowEndMs());
    windowMs = window.getWindowEndMs() - window.getWindowStartMs();
    return alerts;
  }

  /**
   * Forgets what event time {@code nowMs} made useless: of a version with no window for a whole
   * window length, everything unless a rule fires for it (a firing rule stays until a window clears
   * it); the history after {@link #HISTORY_RETENTION_WINDOWS} quiet windows once no version is
   * left. Returns whether nothing is left.
   */
  public boolean expire(long nowMs) {
    Iterator<VersionWatch> it = versions.values().iterator();
    while (it.hasNext()) {
      VersionWatch version = it.next();
      if (version.lastWindowEndMs + windowMs > nowMs) {
        continue;
      }
      // Quiet: the streaks cannot continue and delta has nothing to compare with.
      version.previous.clear();
      version.rules.values().removeIf(r -> !r.firing);
      if (!version.firing()) {
        it.remove();
      }
    }
    if (versions.isEmpty() && lastWindowEndMs + HISTORY_RETENTION_WINDOWS * windowMs <= nowMs) {
      history.clear();
    }
    return versions.isEmpty() && history.isEmpty();
  }

  /** Event times at which {@link #expire} may forget something. */
  public List<Long> expiryTimes() {
    List<Long> times = new ArrayList<>();
    for (VersionWatch version : versions.values()) {
      if (version.lastWindowEndMs != Long.MIN_VALUE && !version.firing()) {
        times.add(version.lastWindowEndMs + windowMs);
      }
    }
    if (versions.isEmpty() && !history.isEmpty()) {
      times.add(lastWindowEndMs + HISTORY_RETENTION_WINDOWS * windowMs);
    }
    return times;
  }

  private void refreshBaseline(VersionWatch version, long policyVersion, String metric) {
    BaselineHistory h = history.get(metric);
    double[] earlier = h == null ? new double[0] : h.before(policyVersion);
    if (earlier.length >= MIN_BASELINE_WINDOWS
        && earlier.length >= version.baselineWindows.getOrDefault(metric, 0)) {
      version.baseline.put(metric, median(earlier));
      version.baselineWindows.put(metric, earlier.length);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static AlarmRule.WindowView view(HealthMetrics window, VersionWatch version) {
    boolean adjacent = version.lastWindowEndMs == window.getWindowStartMs();
    return new AlarmRule.WindowView() {
      @Override
      public HealthMetrics current() {
        return window;
      }

      @Override
      public Double previous(String metric) {
        return adjacent ? version.previous.get(metric) : null;
      }

      @Override
      public Double baseline(String metric) {
        Double earlier = version.baseline.get(metric);
        if (earlier != null) {
          return earlier;
        }
        BaselineHistory own = version.reference.get(metric);
        return own == null || own.size < MIN_BASELINE_WINDOWS
            ? null
            : median(Arrays.copyOf(own.values, own.size));
      }
    };
  }
}
