package io.lodestar.operators.health;

import io.lodestar.operators.verify.VerifierCatalogue;
import io.lodestar.schema.RewardSource;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the health window.
 *
 * @param window event-time window size ({@code health.window}, default 1 minute)
 * @param allowedLateness how long after a window closes late events still update it ({@code
 *     health.allowed-lateness}, default 30 s)
 * @param formatComponents verifier component names that check format, not correctness ({@code
 *     health.format-components}; default the FORMAT entries of {@link VerifierCatalogue}: {@code
 *     format}, {@code tag_count} and {@code json_schema})
 * @param passThreshold a verifier, format or judge average at or above it passes ({@code
 *     health.pass-threshold}, default 0.5)
 * @param modelThreshold a reward-model score at or above it counts as "good" ({@code
 *     health.model-threshold}, default 0.5)
 * @param rollUp also aggregate every data source of a policy into one row with data source {@code
 *     *} ({@code health.roll-up}, default true); {@code per policy} rules need it
 */
public record HealthSettings(
    Duration window,
    Duration allowedLateness,
    List<String> formatComponents,
    double passThreshold,
    double modelThreshold,
    boolean rollUp)
    implements Serializable {

  public static final List<String> DEFAULT_FORMAT_COMPONENTS =
      VerifierCatalogue.names(VerifierCatalogue.Role.FORMAT);

  public HealthSettings {
    if (window == null || window.toMillis() < 1) {
      throw new IllegalArgumentException("health.window must be at least 1 ms, was " + window);
    }
    if (allowedLateness == null || allowedLateness.isNegative()) {
      throw new IllegalArgumentException(
          "health.allowed-lateness must be 0 or more, was " + allowedLateness);
    }
    if (formatComponents == null
        || formatComponents.stream().anyMatch(n -> n == null || n.isBlank())) {
      throw new IllegalArgumentException(
          "health.format-components must be a list of component names, was " + formatComponents);
    }
    if (!Double.isFinite(passThreshold)) {
      throw new IllegalArgumentException(
          "health.pass-threshold must be a finite number, was " + passThreshold);
    }
    if (!Double.isFinite(modelThreshold)) {
      throw new IllegalArgumentException(
          "health.model-threshold must be a finite number, was " + modelThreshold);
    }
    formatComponents = List.copyOf(formatComponents);
  }

  public static HealthSettings defaults() {
    return new HealthSettings(
        Duration.ofMinutes(1), Duration.ofSeconds(30), DEFAULT_FORMAT_COMPONENTS, 0.5, 0.5, true);
  }

  public HealthSettings withWindow(Duration newWindow, Duration newLateness) {
    return new HealthSettings(
        newWindow, newLateness, formatComponents, passThreshold, modelThreshold, rollUp);
  }

  public ComponentRole roleOf(String name, RewardSource source) {
    if (source == null) {
      return ComponentRole.SHAPING;
    }
    switch (source) {
      case VERIFIER:
        return formatComponents.contains(name) ? ComponentRole.FORMAT : ComponentRole.ACCURACY;
      case MODEL:
        return ComponentRole.MODEL;
      case JUDGE:
        return ComponentRole.JUDGE;
      case HUMAN:
        return ComponentRole.HUMAN;
      default:
        return ComponentRole.SHAPING;
    }
  }
}
