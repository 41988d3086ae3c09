package io.lodestar.tools.loop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The learning loop's figures, computed from what the pipeline and the trainer wrote. */
final class LoopReport {

  private LoopReport() {}

  /** Scored samples of one policy version: how many passed the verifier, and their rewards. */
  record VersionStats(long version, int samples, int passed, int rewarded, double rewardSum) {

    VersionStats plus(boolean pass, Double reward) {
      return new VersionStats(
          version,
          samples + 1,
          passed + (pass ? 1 : 0),
          rewarded + (reward == null ? 0 : 1),
          rewardSum + (reward == null ? 0.0 : reward));
    }

    double passRate() {
      return samples == 0 ? 0.0 : (double) passed / samples;
    }

    /** Mean over scored samples; NaN when none was scored. */
    double meanReward() {
      return rewarded == 0 ? Double.NaN : rewardSum / rewarded;
    }
  }

  /** One scored generation: its policy version, whether the verifier passed it, its reward. */
  record Scored(long version, boolean passed, Double reward) {}

  /** The learning curve: per policy version, its scored samples. */
  static NavigableMap<Long, VersionStats> curve(List<Scored> scored) {
    NavigableMap<Long, VersionStats> curve = new TreeMap<>();
    for (Scored s : scored) {
      VersionStats row = curve.getOrDefault(s.version(), new VersionStats(s.version(), 0, 0, 0, 0));
      curve.put(s.version(), row.plus(s.passed(), s.reward()));
    }
    return curve;
  }

  /**
   * The pooled pass rate of the first {@code count} versions with at least {@code minSamples}
   * samples ({@code fromStart}), or of the last {@code count} such versions.
   */
  static double pooledPassRate(
      Map<Long, VersionStats> curve, int count, int minSamples, boolean fromStart) {
    List<VersionStats> rows = new ArrayList<>();
    for (VersionStats row : curve.values()) {
      if (row.samples() >= minSamples) {
        rows.add(row);
      }
    }
    if (!fromStart) {
      Collections.reverse(rows);
    }
    int samples = 0;
    int passed = 0;
    for (VersionStats row : rows.subList(0, Math.min(count, rows.size()))) {
      samples += row.samples();
      passed += row.passed();
    }
    return samples == 0 ? Double.NaN : (double) passed / samples;
  }

  /** The nearest-rank {@code q}-quantile (0 < q <= 1) of {@code values}; -1 when empty. */
  static long percentile(List<Long> values, double q) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** A text bar of {@code fraction} (0 to 1) in {@code width} characters. */
  static String bar(double fraction, int width) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return "#".repeat(filled) + ".".repeat(width - filled);
  }
}
