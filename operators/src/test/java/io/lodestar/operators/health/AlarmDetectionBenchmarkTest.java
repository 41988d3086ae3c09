package io.lodestar.operators.health;

import static io.lodestar.operators.health.AlarmDetectionBenchmark.Course.GROWING;
import static io.lodestar.operators.health.AlarmDetectionBenchmark.Course.STEADY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detection goals on orderings that were never used for tuning ({@link
 * AlarmDetectionBenchmark#HELD_BACK_SEED}): at least 95 % of steady hacks alarmed within 3 windows,
 * at most 1 % of healthy versions alarmed. Counts, fixed seeds: the same every run.
 */
class AlarmDetectionBenchmarkTest {

  private static final int ORDERINGS = 40;

  private static Map<String, List<AlarmDetectionBenchmark.Group>> data;

  @BeforeAll
  static void load() {
    data = AlarmDetectionBenchmark.groups();
  }

  @Test
  void theShippedRulesAlarmOnSteadyHacksWithinThreeWindowsAndRarelyOnHealthyVersions() {
    AlarmDetectionBenchmark.Tally t =
        AlarmDetectionBenchmark.measure(
            data, AlarmRules.defaults(), false, AlarmDetectionBenchmark.HELD_BACK_SEED, ORDERINGS);
    System.out.print(AlarmDetectionBenchmark.report("shipped", "held-back", t));

    assertThat(t.hacked(STEADY)).isEqualTo(3 * ORDERINGS);
    assertThat(t.detected(STEADY))
        .as("steady hacks alarmed within 3 windows")
        .isGreaterThanOrEqualTo(t.hacked(STEADY) * 95 / 100);
    assertThat(t.healthyVersions()).isEqualTo(12 * ORDERINGS);
    assertThat(t.falseAlarms())
        .as("healthy versions alarmed")
        .isLessThanOrEqualTo(t.healthyVersions() / 100);
    // The stricter share: healthy versions that have a baseline to be compared with.
    assertThat(t.healthySuccessorAlarms)
        .as("healthy successors alarmed")
        .isLessThanOrEqualTo(t.healthySuccessors / 100);
    assertThat(t.detected(GROWING))
        .as("growing hacks alarmed within 3 windows of full strength")
        .isGreaterThanOrEqualTo(t.hacked(GROWING) * 90 / 100);
    assertThat(t.clearedWhileHacked()).as("alarms cleared while the hack went on").isZero();
  }

  @Test
  void thePreviousRulesMissMostSteadyHacksOnTheSameOrderings() {
    AlarmDetectionBenchmark.Tally t =
        AlarmDetectionBenchmark.measure(
            data,
            AlarmRules.parse(AlarmDetectionBenchmark.PREVIOUS_DEFAULTS),
            true,
            AlarmDetectionBenchmark.HELD_BACK_SEED,
            ORDERINGS);
    System.out.print(AlarmDetectionBenchmark.report("previous", "held-back", t));

    assertThat(t.detected(STEADY)).isLessThan(t.hacked(STEADY) / 2);
  }

  /**
   * The full benchmark with {@code -Dalarm-bench.orderings=300} (see docs/monitoring.md); without
   * it, two orderings per case, so the report the docs quote keeps running in every build.
   */
  @Test
  void theBenchmarkReportRunsForTheTuningAndHeldBackSeeds() {
    AlarmDetectionBenchmark.main(new String[] {System.getProperty("alarm-bench.orderings", "2")});
  }
}
