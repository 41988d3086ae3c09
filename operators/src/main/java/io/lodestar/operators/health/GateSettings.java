package io.lodestar.operators.health;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the gate.
 *
 * @param onClear what happens to held records when the rule clears ({@code gate.on-clear}: RELEASE,
 *     the default, or DISCARD to the discarded side output)
 * @param verdictDelay how long past its event time a record waits for the alarms of its window
 *     before it may pass ({@code gate.verdict-delay}, default 1 minute, the health window); 0 lets
 *     records pass at once unless a rule already fires. To hold every record of a rule's streak,
 *     use the rule's windows times the health window.
 * @param retention how long (event time) a cleared hold is remembered, for records of its period
 *     that arrive after it cleared ({@code gate.retention}, default 10 minutes)
 */
public record GateSettings(OnClear onClear, Duration verdictDelay, Duration retention)
    implements Serializable {

  /** What a cleared gate does with what it held. */
  public enum OnClear {
    RELEASE,
    DISCARD
  }

  public GateSettings {
    if (onClear == null) {
      throw new IllegalArgumentException("gate.on-clear must be RELEASE or DISCARD");
    }
    if (verdictDelay == null || verdictDelay.isNegative()) {
      throw new IllegalArgumentException(
          "gate.verdict-delay must be 0 or more, was " + verdictDelay);
    }
    if (retention == null || retention.isNegative()) {
      throw new IllegalArgumentException("gate.retention must be 0 or more, was " + retention);
    }
  }

  public static GateSettings defaults() {
    return new GateSettings(OnClear.RELEASE, Duration.ofMinutes(1), Duration.ofMinutes(10));
  }
}
