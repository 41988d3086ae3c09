package io.lodestar.tools.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.tools.loop.LoopReport.Scored;
import io.lodestar.tools.loop.LoopReport.VersionStats;
import java.util.List;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

class LoopReportTest {

  @Test
  void theCurveCountsPassesAndMeanRewardPerVersionLeavingUnscoredSamplesOutOfTheMean() {
    NavigableMap<Long, VersionStats> curve =
        LoopReport.curve(
            List.of(
                new Scored(2, true, 1.0),
                new Scored(1, false, 0.0),
                new Scored(2, false, 0.0),
                new Scored(2, false, null),
                new Scored(1, true, 1.0)));

    assertThat(curve.keySet()).containsExactly(1L, 2L);
    assertThat(curve.get(1L)).isEqualTo(new VersionStats(1, 2, 1, 2, 1.0));
    assertThat(curve.get(2L).passRate()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(curve.get(2L).meanReward()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void pooledPassRatesSkipVersionsWithTooFewSamples() {
    NavigableMap<Long, VersionStats> curve =
        LoopReport.curve(
            List.of(
                new Scored(1, false, 0.0),
                new Scored(1, false, 0.0),
                new Scored(2, true, 1.0),
                new Scored(3, true, 1.0),
                new Scored(3, true, 1.0),
                new Scored(4, true, 1.0),
                new Scored(4, false, 0.0)));

    assertThat(LoopReport.pooledPassRate(curve, 1, 2, true)).isEqualTo(0.0);
    assertThat(LoopReport.pooledPassRate(curve, 1, 2, false)).isEqualTo(0.5);
    assertThat(LoopReport.pooledPassRate(curve, 2, 2, false)).isEqualTo(0.75);
    assertThat(LoopReport.pooledPassRate(curve, 2, 5, false)).isNaN();
  }

  @Test
  void percentilesAreNearestRank() {
    List<Long> values = List.of(5L, 1L, 4L, 2L, 3L, 10L, 9L, 8L, 7L, 6L);
    assertThat(LoopReport.percentile(values, 0.5)).isEqualTo(5);
    assertThat(LoopReport.percentile(values, 0.99)).isEqualTo(10);
    assertThat(LoopReport.percentile(values, 0.1)).isEqualTo(1);
    assertThat(LoopReport.percentile(List.of(), 0.5)).isEqualTo(-1);
  }
}
