package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DynamicSamplingFiltersTest {

  @Test
  void verlKeepsGroupsWithSpreadAndGroupsOfOne() {
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {1.0, 0.0, 1.0})).isTrue();
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {0.7})).isTrue();
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {null, 0.7, Double.NaN})).isTrue();
  }

  @Test
  void verlDropsGroupsWhoseRewardsAreAllEqualOrUnscored() {
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {1.0, 1.0, 1.0})).isFalse();
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {0.3, 0.3})).isFalse();
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {})).isFalse();
    assertThat(DynamicSamplingFilters.verlKeeps(new Double[] {null, Double.NaN})).isFalse();
  }

  @Test
  void openRlhfKeepsGroupsWhoseMeanLiesStrictlyInsideZeroOne() {
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {1.0, 0.0, 0.0, 0.0})).isTrue();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {0.5, 0.5})).isTrue();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {1.0, 1.0})).isFalse();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {0.0, 0.0, null})).isFalse();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {2.0, -1.0})).isTrue(); // mean 0.5
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {null})).isFalse();
  }

  @Test
  void openRlhfHonoursACustomRange() {
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {1.0, 1.0, 1.0, 0.0}, 0.1, 0.9))
        .isTrue();
    Double[] ninetyPercent = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0};
    assertThat(DynamicSamplingFilters.openRlhfKeeps(ninetyPercent, 0.1, 0.9)).isFalse();
  }

  @Test
  void openRlhfWithAStdThresholdAlsoDropsEqualContinuousRewards() {
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {0.5, 0.5}, 0, 1, 0.0)).isFalse();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {0.4, 0.6}, 0, 1, 0.0)).isTrue();
    assertThat(DynamicSamplingFilters.openRlhfKeeps(new Double[] {0.4, 0.6}, 0, 1, 0.2)).isFalse();
  }
}
