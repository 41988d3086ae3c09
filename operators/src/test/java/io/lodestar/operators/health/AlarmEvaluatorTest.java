package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.DistributionSummary;
import io.lodestar.schema.HealthMetrics;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class AlarmEvaluatorTest {

  static final long W = 60_000;

  /** An on-time health row of window {@code index} with these rates (null: undefined). */
  static HealthMetrics window(int index, Double formatRewardMean, Double verifierPassRate) {
    HealthAccumulator empty = new HealthAccumulator();
    empty.modelId = HealthFixtures.MODEL;
    empty.policyVersion = HealthFixtures.VERSION;
    empty.dataSource = HealthFixtures.SOURCE;
    HealthMetrics m = empty.toMetrics(index * W, (index + 1) * W, 0);
    m.setFormatRewardMean(formatRewardMean);
    m.setVerifierPassRate(verifierPassRate);
    m.setVerifierJudged(100);
    return m;
  }

  private static final AlarmRule HACK =
      AlarmRules.parse(
              "hack: formatRewardMean >= 0.95 and delta(verifierPassRate) < 0 for 2 windows gate")
          .get(0);

  @Test
  void firesAfterTheConditionHeldForConsecutiveWindowsAndClearsOnTheFirstHealthyOne() {
    RuleState state = new RuleState();
    HealthMetrics w0 = window(0, 0.9, 0.8);
    HealthMetrics w1 = window(1, 0.96, 0.7);
    HealthMetrics w2 = window(2, 0.99, 0.6);
    HealthMetrics w3 = window(3, 0.99, 0.65);

    assertThat(AlarmEvaluator.evaluate(HACK, w0, null, state)).isNull();
    assertThat(AlarmEvaluator.evaluate(HACK, w1, w0, state)).isNull();
    assertThat(state.consecutive).isEqualTo(1);
    Alert fired = AlarmEvaluator.evaluate(HACK, w2, w1, state);
    Alert cleared = AlarmEvaluator.evaluate(HACK, w3, w2, state);

    assertThat(fired.getState()).isEqualTo(AlertState.FIRING);
    assertThat(fired.getConsecutiveWindows()).isEqualTo(2);
    assertThat(fired.getHoldingSinceMs()).isEqualTo(W);
    assertThat(fired.getWindowStartMs()).isEqualTo(2 * W);
    assertThat(fired.getGate()).isTrue();
    assertThat(fired.getConditions().get(0).getObserved()).isEqualTo(0.99);
    assertThat(fired.getConditions().get(1).getMetric()).isEqualTo("delta(verifierPassRate)");
    assertThat(fired.getConditions().get(1).getObserved())
        .isCloseTo(-0.1, Assertions.within(1e-12));
    assertThat(fired.getAlertId()).isEqualTo("hack|model@7/gsm8k|120000|FIRING");
    assertThat(cleared.getState()).isEqualTo(AlertState.CLEARED);
    assertThat(cleared.getHoldingSinceMs()).isEqualTo(W);
    assertThat(cleared.getConsecutiveWindows()).isZero();
    assertThat(state.idle()).isTrue();
  }

  @Test
  void withClearConditionsARuleStaysFiringUntilRecoveryIsShown() {
    AlarmRule rule =
        AlarmRules.parse(
                "hack: formatRewardMean >= 0.95 and delta(verifierPassRate) < 0 gate clear when delta(verifierPassRate) > 0")
            .get(0);
    RuleState state = new RuleState();
    assertThat(
            AlarmEvaluator.evaluate(rule, window(1, 1.0, 0.7), window(0, 1.0, 0.8), state)
                .getState())
        .isEqualTo(AlertState.FIRING);
    // Accuracy stops falling but stays low: the fire conditions fail, yet nothing shows recovery.
    assertThat(AlarmEvaluator.evaluate(rule, window(2, 1.0, 0.7), window(1, 1.0, 0.7), state))
        .isNull();
    assertThat(state.firing).isTrue();

    Alert cleared = AlarmEvaluator.evaluate(rule, window(3, 1.0, 0.75), window(2, 1.0, 0.7), state);

    assertThat(cleared.getState()).isEqualTo(AlertState.CLEARED);
    assertThat(cleared.getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getMetric()).isEqualTo("delta(verifierPassRate)");
              assertThat(c.getObserved()).isCloseTo(0.05, Assertions.within(1e-12));
            });
  }

  @Test
  void aGapBetweenWindowsRestartsTheStreak() {
    AlarmRule rule = AlarmRules.parse("hi: formatRewardMean > 0.9 for 2 windows").get(0);
    RuleState state = new RuleState();
    assertThat(AlarmEvaluator.evaluate(rule, window(0, 1.0, 1.0), null, state)).isNull();
    assertThat(AlarmEvaluator.evaluate(rule, window(2, 1.0, 1.0), null, state)).isNull();
    assertThat(state.consecutive).isEqualTo(1);
    assertThat(AlarmEvaluator.evaluate(rule, window(3, 1.0, 1.0), null, state).getState())
        .isEqualTo(AlertState.FIRING);
  }

  @Test
  void anUndefinedMetricNeitherFiresNorClearsNorEndsTheStreak() {
    AlarmRule rule = AlarmRules.parse("hi: formatRewardMean > 0.9").get(0);
    RuleState state = new RuleState();
    assertThat(AlarmEvaluator.evaluate(rule, window(0, 1.0, 1.0), null, state).getState())
        .isEqualTo(AlertState.FIRING);

    assertThat(AlarmEvaluator.evaluate(rule, window(1, null, 1.0), null, state)).isNull();
    assertThat(state.firing).isTrue();

    assertThat(AlarmEvaluator.evaluate(rule, window(2, 0.5, 1.0), null, state).getState())
        .isEqualTo(AlertState.CLEARED);

    AlarmRule twice = AlarmRules.parse("hi: formatRewardMean > 0.9 for 2 windows").get(0);
    RuleState streak = new RuleState();
    assertThat(AlarmEvaluator.evaluate(twice, window(0, 1.0, 1.0), null, streak)).isNull();
    assertThat(AlarmEvaluator.evaluate(twice, window(1, null, 1.0), null, streak)).isNull();
    assertThat(AlarmEvaluator.evaluate(twice, window(2, 1.0, 1.0), null, streak).getState())
        .isEqualTo(AlertState.FIRING);
  }

  private static final AlarmRule PADDING = shipped("length-reward-coupling");

  static AlarmRule shipped(String id) {
    return AlarmRules.defaults().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * A window with {@code points} scored generations whose length and reward correlate as given
   * (null: none scored).
   */
  static HealthMetrics lengthReward(int index, Double correlation, int points) {
    HealthMetrics m = window(index, 1.0, 0.5);
    m.setLengthRewardCorrelation(correlation);
    m.setLengthRewardPoints(points);
    m.setReward(
        points == 0
            ? null
            : new DistributionSummary((long) points, 0.5, 0.5, 0.0, 1.0, 0.0, 0.5, 1.0));
    m.setGenerations(points);
    return m;
  }

  @Test
  void aSteadyPaddingHackFiresTheShippedRuleAndNeitherASmallNorABatchOnlyWindowClearsIt() {
    RuleState state = new RuleState();
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(0, 0.9, 60), null, state)).isNull();
    Alert fired = AlarmEvaluator.evaluate(PADDING, lengthReward(1, 0.9, 60), null, state);
    assertThat(fired).isNotNull();
    assertThat(fired.getState()).isEqualTo(AlertState.FIRING);
    assertThat(fired.getHoldingSinceMs()).isZero();

    // Two groups' worth of generations, then a window holding only a batch event: neither decides
    // anything.
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(2, -0.5, 8), null, state)).isNull();
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(3, null, 0), null, state)).isNull();
    assertThat(state.firing).isTrue();
    assertThat(state.healthy).isZero();
  }

  @Test
  void theShippedRulesClearOnlyAfterThreeConsecutiveHealthyWindowsEachWithEnoughData() {
    RuleState state = new RuleState();
    AlarmEvaluator.evaluate(PADDING, lengthReward(0, 0.9, 60), null, state);
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(1, 0.9, 60), null, state).getState())
        .isEqualTo(AlertState.FIRING);

    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(2, 0.1, 60), null, state)).isNull();
    // A small window between healthy ones neither counts nor breaks the run ...
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(3, 0.1, 8), null, state)).isNull();
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(4, 0.1, 60), null, state)).isNull();
    assertThat(state.healthy).isEqualTo(2);
    // ... a hacked window does, and the count starts again.
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(5, 0.9, 60), null, state)).isNull();
    assertThat(state.healthy).isZero();
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(6, 0.1, 60), null, state)).isNull();
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(7, 0.1, 60), null, state)).isNull();
    Alert cleared = AlarmEvaluator.evaluate(PADDING, lengthReward(8, 0.1, 60), null, state);

    assertThat(cleared.getState()).isEqualTo(AlertState.CLEARED);
    assertThat(cleared.getWindowStartMs()).isEqualTo(8 * W);
    assertThat(cleared.getHoldingSinceMs()).isZero();
    assertThat(cleared.getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getMetric()).isEqualTo("lengthRewardCorrelation");
              assertThat(c.getObserved()).isEqualTo(0.1);
            });
    assertThat(state.idle()).isTrue();
  }

  @Test
  void aGapRestartsTheHealthyCount() {
    RuleState state = new RuleState();
    AlarmEvaluator.evaluate(PADDING, lengthReward(0, 0.9, 60), null, state);
    AlarmEvaluator.evaluate(PADDING, lengthReward(1, 0.9, 60), null, state);
    AlarmEvaluator.evaluate(PADDING, lengthReward(2, 0.1, 60), null, state);
    AlarmEvaluator.evaluate(PADDING, lengthReward(3, 0.1, 60), null, state);
    assertThat(AlarmEvaluator.evaluate(PADDING, lengthReward(5, 0.1, 60), null, state)).isNull();
    assertThat(state.healthy).isEqualTo(1);
  }

  @Test
  void deltaIsUndefinedWithoutTheAdjacentPreviousWindow() {
    AlarmRule rule = AlarmRules.parse("falling: delta(verifierPassRate) < 0").get(0);
    RuleState state = new RuleState();
    assertThat(AlarmEvaluator.evaluate(rule, window(2, 1.0, 0.1), window(0, 1.0, 0.9), state))
        .isNull();
    assertThat(
            AlarmEvaluator.evaluate(rule, window(3, 1.0, 0.05), window(2, 1.0, 0.1), state)
                .getState())
        .isEqualTo(AlertState.FIRING);
  }

  @Test
  void aPolicyRuleWatchesOnlyTheRollUpRow() {
    AlarmRule perPolicy = AlarmRules.parse("p: generations >= 0 per policy").get(0);
    AlarmRule perSource = AlarmRules.parse("s: generations >= 0").get(0);
    HealthMetrics source = window(0, 1.0, 1.0);
    HealthMetrics rollUp = window(0, 1.0, 1.0);
    rollUp.setDataSource(HealthEvent.ALL_SOURCES);
    assertThat(perPolicy.watches(source)).isFalse();
    assertThat(perPolicy.watches(rollUp)).isTrue();
    assertThat(perSource.watches(source)).isTrue();
    assertThat(perSource.watches(rollUp)).isFalse();
  }

  @Test
  void componentAndDistributionMetricsAreReadable() {
    HealthAccumulator acc = new HealthAccumulator();
    for (HealthEvent e :
        new HealthEvents(false)
            .generation(
                HealthFixtures.scored(
                    "g", 1, 0.5, 12, HealthFixtures.format(1), HealthFixtures.accuracy(0)))) {
      acc.add(e, HealthSettings.defaults());
    }
    HealthMetrics m = acc.toMetrics(0, W, 0);
    assertThat(HealthMetricValues.value(m, "component.format.mean")).isEqualTo(1.0);
    assertThat(HealthMetricValues.value(m, "component.format.scored")).isEqualTo(1.0);
    assertThat(HealthMetricValues.value(m, "component.absent.mean")).isNull();
    assertThat(HealthMetricValues.value(m, "responseLength.max")).isEqualTo(12.0);
    assertThat(HealthMetricValues.value(m, "staleness.mean")).isNull();
    assertThat(HealthMetricValues.value(m, "pairsBySource.VOTE")).isEqualTo(0.0);
    assertThat(HealthMetricValues.value(m, "generations")).isEqualTo(1.0);
  }
}
