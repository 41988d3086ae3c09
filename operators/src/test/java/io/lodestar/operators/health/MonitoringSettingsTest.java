package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.RewardSource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitoringSettingsTest {

  @Test
  void healthDefaultsAreAOneMinuteWindowWithThirtySecondsOfLateness() {
    HealthSettings s = HealthSettings.defaults();
    assertThat(s.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.allowedLateness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.rollUp()).isTrue();
  }

  @Test
  void badHealthSettingsNameTheirKey() {
    assertThatThrownBy(() -> HealthSettings.defaults().withWindow(Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("health.window");
    assertThatThrownBy(
            () ->
                HealthSettings.defaults().withWindow(Duration.ofMinutes(1), Duration.ofSeconds(-1)))
        .hasMessageContaining("health.allowed-lateness");
    assertThatThrownBy(
            () ->
                new HealthSettings(
                    Duration.ofMinutes(1), Duration.ZERO, List.of(" "), 0.5, 0.5, true))
        .hasMessageContaining("health.format-components");
    assertThatThrownBy(
            () ->
                new HealthSettings(
                    Duration.ofMinutes(1), Duration.ZERO, List.of(), Double.NaN, 0.5, true))
        .hasMessageContaining("health.pass-threshold");
    assertThatThrownBy(
            () ->
                new HealthSettings(
                    Duration.ofMinutes(1),
                    Duration.ZERO,
                    List.of(),
                    0.5,
                    Double.POSITIVE_INFINITY,
                    true))
        .hasMessageContaining("health.model-threshold");
  }

  @Test
  void badGateSettingsNameTheirKey() {
    assertThatThrownBy(() -> new GateSettings(null, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("gate.on-clear");
    assertThatThrownBy(
            () ->
                new GateSettings(
                    GateSettings.OnClear.RELEASE, Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessageContaining("gate.verdict-delay");
    assertThatThrownBy(
            () ->
                new GateSettings(
                    GateSettings.OnClear.RELEASE, Duration.ZERO, Duration.ofSeconds(-1)))
        .hasMessageContaining("gate.retention");
  }

  @Test
  void verifierComponentsAreFormatOrAccuracyByName() {
    HealthSettings s = HealthSettings.defaults();
    assertThat(s.roleOf("format", RewardSource.VERIFIER)).isEqualTo(ComponentRole.FORMAT);
    assertThat(s.roleOf("tag_count", RewardSource.VERIFIER)).isEqualTo(ComponentRole.FORMAT);
    assertThat(s.roleOf("json_schema", RewardSource.VERIFIER)).isEqualTo(ComponentRole.FORMAT);
    assertThat(s.roleOf("math_equivalence", RewardSource.VERIFIER))
        .isEqualTo(ComponentRole.ACCURACY);
    assertThat(s.roleOf("code_tests", RewardSource.VERIFIER)).isEqualTo(ComponentRole.ACCURACY);
    assertThat(s.roleOf("format", RewardSource.MODEL)).isEqualTo(ComponentRole.MODEL);
    assertThat(s.roleOf("j", RewardSource.JUDGE)).isEqualTo(ComponentRole.JUDGE);
    assertThat(s.roleOf("h", RewardSource.HUMAN)).isEqualTo(ComponentRole.HUMAN);
    assertThat(s.roleOf("len", RewardSource.SHAPING)).isEqualTo(ComponentRole.SHAPING);
  }
}
