package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.preference.PreferenceSettings.GroupPairMode;
import io.lodestar.operators.preference.PreferenceSettings.Weights;
import org.junit.jupiter.api.Test;

class PreferenceSettingsTest {

  @Test
  void everySourceWeightMustBeAboveZeroAndAtMostOneAndIsNamedWhenItIsNot() {
    assertThatThrownBy(() -> new Weights(0, 1, 1, 1, 1, 1)).hasMessageContaining("weight of vote");
    assertThatThrownBy(() -> new Weights(1, 1.5, 1, 1, 1, 1))
        .hasMessageContaining("weight of thumb");
    assertThatThrownBy(() -> new Weights(1, 1, -0.1, 1, 1, 1))
        .hasMessageContaining("weight of rating");
    assertThatThrownBy(() -> new Weights(1, 1, 1, Double.NaN, 1, 1))
        .hasMessageContaining("weight of edit");
    assertThatThrownBy(() -> new Weights(1, 1, 1, 1, 0, 1))
        .hasMessageContaining("weight of regenerate");
    assertThatThrownBy(() -> new Weights(1, 1, 1, 1, 1, 2))
        .hasMessageContaining("weight of group-reward");
    assertThat(new Weights(1, 1, 1, 1, 1, 1).groupReward()).isEqualTo(1.0);
    assertThat(new Weights(0.01, 0.01, 0.01, 0.01, 0.01, 0.01).vote()).isEqualTo(0.01);
  }

  @Test
  void groupPairModesAreReadAsWrittenInTheOptions() {
    assertThat(GroupPairMode.parse(" best-worst ")).isEqualTo(GroupPairMode.BEST_WORST);
    assertThat(GroupPairMode.parse("ALL-ABOVE-MARGIN")).isEqualTo(GroupPairMode.ALL_ABOVE_MARGIN);
    assertThat(GroupPairMode.parse("off")).isEqualTo(GroupPairMode.OFF);
    assertThatThrownBy(() -> GroupPairMode.parse("random"))
        .hasMessageContaining("best-random")
        .hasMessageContaining("random");
  }
}
