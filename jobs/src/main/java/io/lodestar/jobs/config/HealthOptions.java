package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.operators.health.AlarmRule;
import io.lodestar.operators.health.AlarmRules;
import io.lodestar.operators.health.GateSettings;
import io.lodestar.operators.health.HealthSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * Stream health: windowed aggregates, alarm rules, and the gate that holds a policy version's
 * outputs while a gating rule fires (docs/monitoring.md).
 */
public final class HealthOptions {

  private HealthOptions() {}

  /** What a cleared gate does with what it held ({@code gate.on-clear}). */
  public enum OnClearChoice implements DescribedEnum {
    RELEASE("release", GateSettings.OnClear.RELEASE, "Emit what was held."),
    DISCARD(
        "discard",
        GateSettings.OnClear.DISCARD,
        "Set it aside: batches' groups to topics.filtered-groups, pairs to dead letters.");

    private final String id;
    private final GateSettings.OnClear onClear;
    private final String description;

    OnClearChoice(String id, GateSettings.OnClear onClear, String description) {
      this.id = id;
      this.onClear = onClear;
      this.description = description;
    }

    public GateSettings.OnClear onClear() {
      return onClear;
    }

    @Override
    public String toString() {
      return id;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<Boolean> HEALTH_ENABLED =
      ConfigOptions.key("health.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription("Windowed health aggregates, alarms and their topics.");
  public static final ConfigOption<Duration> HEALTH_WINDOW =
      ConfigOptions.key("health.window")
          .durationType()
          .defaultValue(HealthSettings.defaults().window())
          .withDescription("Event-time window of the health aggregates.");
  public static final ConfigOption<Duration> HEALTH_ALLOWED_LATENESS =
      ConfigOptions.key("health.allowed-lateness")
          .durationType()
          .defaultValue(HealthSettings.defaults().allowedLateness())
          .withDescription(
              "Late events update their window (re-emitted with the next revision) within this.");
  public static final ConfigOption<String> HEALTH_FORMAT_COMPONENTS =
      ConfigOptions.key("health.format-components")
          .stringType()
          .defaultValue(String.join(",", HealthSettings.DEFAULT_FORMAT_COMPONENTS))
          .withDescription(
              "Verifier components that judge format rather than accuracy (comma-separated).");
  public static final ConfigOption<Double> HEALTH_PASS_THRESHOLD =
      ConfigOptions.key("health.pass-threshold")
          .doubleType()
          .defaultValue(HealthSettings.defaults().passThreshold())
          .withDescription("A verifier or judge verdict passes at or above this.");
  public static final ConfigOption<Double> HEALTH_MODEL_THRESHOLD =
      ConfigOptions.key("health.model-threshold")
          .doubleType()
          .defaultValue(HealthSettings.defaults().modelThreshold())
          .withDescription("A reward model's verdict is positive at or above this.");
  public static final ConfigOption<Boolean> HEALTH_ROLL_UP =
      ConfigOptions.key("health.roll-up")
          .booleanType()
          .defaultValue(HealthSettings.defaults().rollUp())
          .withDescription(
              "Also aggregate every data source of a policy version into one row (data source *).");
  public static final ConfigOption<String> ALARM_RULES =
      ConfigOptions.key("alarms.rules")
          .stringType()
          .defaultValue(AlarmRules.DEFAULTS)
          .withDescription("Alarm rules, one per line (docs/monitoring.md); empty: none.");
  public static final ConfigOption<Boolean> GATE_ENABLED =
      ConfigOptions.key("gate.enabled")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Hold RL batches of a policy version while a gating rule fires for it; what is still"
                  + " held at the end of input or a drain goes to topics.filtered-groups.");
  public static final ConfigOption<Boolean> GATE_PAIRS =
      ConfigOptions.key("gate.pairs")
          .booleanType()
          .defaultValue(false)
          .withDescription("Also hold preference pairs (with gate.enabled).");
  public static final ConfigOption<OnClearChoice> GATE_ON_CLEAR =
      ConfigOptions.key("gate.on-clear")
          .enumType(OnClearChoice.class)
          .defaultValue(OnClearChoice.RELEASE)
          .withDescription("What a cleared gate does with what it held.");
  public static final ConfigOption<Duration> GATE_VERDICT_DELAY =
      ConfigOptions.key("gate.verdict-delay")
          .durationType()
          .defaultValue(GateSettings.defaults().verdictDelay())
          .withDescription("Event time a record waits past its own for the alarms of its window.");
  public static final ConfigOption<Duration> GATE_RETENTION =
      ConfigOptions.key("gate.retention")
          .durationType()
          .defaultValue(GateSettings.defaults().retention())
          .withDescription(
              "Event time a cleared hold is remembered for records of its period that arrive late.");

  static void validate(Configuration config) {
    healthSettings(config);
    alarmRules(config);
    gateSettings(config);
  }

  static HealthSettings healthSettings(Configuration config) {
    List<String> formats = new ArrayList<>();
    for (String part : config.get(HEALTH_FORMAT_COMPONENTS).split(",")) {
      if (!part.isBlank()) {
        formats.add(part.trim());
      }
    }
    return new HealthSettings(
        config.get(HEALTH_WINDOW),
        config.get(HEALTH_ALLOWED_LATENESS),
        formats,
        config.get(HEALTH_PASS_THRESHOLD),
        config.get(HEALTH_MODEL_THRESHOLD),
        config.get(HEALTH_ROLL_UP));
  }

  /**
   * The alarm rules; a rule that does not parse fails start-up naming {@code alarms.rules} and the
   * rule.
   */
  static List<AlarmRule> alarmRules(Configuration config) {
    String text = config.get(ALARM_RULES);
    return text.isBlank() ? List.of() : AlarmRules.parse(text);
  }

  static GateSettings gateSettings(Configuration config) {
    return new GateSettings(
        config.get(GATE_ON_CLEAR).onClear(),
        config.get(GATE_VERDICT_DELAY),
        config.get(GATE_RETENTION));
  }
}
