package io.lodestar.operators.health;

import static io.lodestar.operators.health.AlarmEvaluatorTest.W;
import static io.lodestar.operators.health.AlarmEvaluatorTest.shipped;
import static io.lodestar.operators.health.AlarmScopeTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a scope remembers between windows: the previous values {@code delta} compares with, the
 * fewest earlier windows a baseline needs, and a first version's frozen reference windows.
 */
class AlarmScopeMemoryTest {

  private static final List<AlarmRule> DROP =
      AlarmRules.parse("drop: delta(verifierPassRate) < -0.1");
  private static final List<AlarmRule> FORMAT = List.of(shipped("format-over-accuracy"));

  @Test
  void aDropBetweenAdjacentWindowsOfAVersionFiresADeltaRule() {
    AlarmScope scope = new AlarmScope();
    assertThat(scope.evaluate(row(1, 0, 0.6), DROP)).isEmpty();

    List<Alert> alerts = scope.evaluate(row(1, 1, 0.4), DROP);

    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
              assertThat(a.getWindowStartMs()).isEqualTo(W);
            });
  }

  @Test
  void aDropAcrossAMissingWindowIsNoDelta() {
    AlarmScope scope = new AlarmScope();
    scope.evaluate(row(1, 0, 0.6), DROP);

    assertThat(scope.evaluate(row(1, 2, 0.4), DROP)).isEmpty();
  }

  @Test
  void aWindowWhereTheMetricIsUndefinedLeavesNothingForTheNextDeltaToCompareWith() {
    AlarmScope scope = new AlarmScope();
    scope.evaluate(row(1, 0, 0.6), DROP);
    HealthMetrics undefined = row(1, 1, 0.0);
    undefined.setVerifierPassRate(null);
    scope.evaluate(undefined, DROP);

    assertThat(scope.versions.get(1L).previous).isEmpty();
    assertThat(scope.evaluate(row(1, 2, 0.4), DROP)).isEmpty();
  }

  @Test
  void aFiringVersionThatGoesQuietForgetsTheValuesDeltaComparesWith() {
    AlarmScope scope = new AlarmScope();
    scope.evaluate(row(1, 0, 0.6), DROP);
    scope.evaluate(row(1, 1, 0.4), DROP);
    assertThat(scope.versions.get(1L).previous).containsEntry("verifierPassRate", 0.4);

    scope.expire(3 * W);

    assertThat(scope.versions).containsOnlyKeys(1L);
    assertThat(scope.versions.get(1L).previous).isEmpty();
  }

  @Test
  void threeWindowsOfEarlierVersionsAreEnoughForABaseline() {
    AlarmScope scope = new AlarmScope();
    scope.evaluate(row(1, 0, 0.6), FORMAT);
    scope.evaluate(row(1, 1, 0.4), FORMAT);
    scope.evaluate(row(1, 2, 0.7), FORMAT);

    scope.evaluate(row(2, 3, 0.6), FORMAT);

    assertThat(scope.versions.get(2L).baseline).containsEntry("verifierPassRate", 0.6);
    assertThat(scope.versions.get(2L).baselineWindows).containsEntry("verifierPassRate", 3);
  }

  @Test
  void aFirstVersionsReferenceStaysItsFirstTwelveWindowsWhileLaterHealthyOnesPass() {
    AlarmScope scope = new AlarmScope();
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < AlarmScope.BASELINE_WINDOWS; i++) {
      alerts.addAll(scope.evaluate(row(1, i, 0.8), FORMAT));
    }
    // Lower, yet above 0.55 of 0.8: healthy, so these windows enter the history too.
    for (int i = AlarmScope.BASELINE_WINDOWS; i < 2 * AlarmScope.BASELINE_WINDOWS; i++) {
      alerts.addAll(scope.evaluate(row(1, i, 0.5), FORMAT));
    }
    assertThat(alerts).isEmpty();

    int next = 2 * AlarmScope.BASELINE_WINDOWS;
    alerts.addAll(scope.evaluate(row(1, next, 0.3), FORMAT));
    alerts.addAll(scope.evaluate(row(1, next + 1, 0.3), FORMAT));

    // Against the frozen 0.8 the bound is 0.44; had the reference followed to 0.5 it would be
    // 0.275.
    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.getConditions().get(1).getBaseline()).isEqualTo(0.8));
  }

  @Test
  void threeOfAFirstVersionsOwnWindowsAreEnoughForItsReference() {
    AlarmScope scope = new AlarmScope();
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      alerts.addAll(scope.evaluate(row(1, i, 0.8), FORMAT));
    }

    alerts.addAll(scope.evaluate(row(1, 3, 0.3), FORMAT));
    alerts.addAll(scope.evaluate(row(1, 4, 0.3), FORMAT));

    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.getWindowStartMs()).isEqualTo(4 * W));
  }

  @Test
  void aWindowThatOnlyStartsAStreakStillEntersTheBaseline() {
    AlarmScope scope = new AlarmScope();
    for (int i = 0; i < 3; i++) {
      scope.evaluate(row(1, i, 0.6), FORMAT);
    }
    assertThat(scope.evaluate(row(1, 3, 0.2), FORMAT)).isEmpty();
    assertThat(scope.versions.get(1L).rules.get("format-over-accuracy").consecutive).isEqualTo(1);

    scope.evaluate(row(2, 4, 0.6), FORMAT);

    assertThat(scope.versions.get(2L).baselineWindows).containsEntry("verifierPassRate", 4);
    assertThat(scope.versions.get(2L).baseline).containsEntry("verifierPassRate", 0.6);
  }
}
