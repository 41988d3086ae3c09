package io.lodestar.operators.health;

import static io.lodestar.operators.health.AlarmEvaluatorTest.W;
import static io.lodestar.operators.health.AlarmEvaluatorTest.shipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class AlarmScopeTest {

  private static final List<AlarmRule> FORMAT = List.of(shipped("format-over-accuracy"));

  /** Window {@code index} of {@code version}: format reward 1, 100 judged, this pass rate. */
  static HealthMetrics row(long version, int index, double passRate) {
    HealthMetrics m = AlarmEvaluatorTest.window(index, 1.0, passRate);
    m.setPolicyVersion(version);
    m.setMetricsId(version + "@" + index);
    return m;
  }

  private static List<Alert> feed(
      AlarmScope scope, List<AlarmRule> rules, long version, int from, int to, double passRate) {
    List<Alert> alerts = new ArrayList<>();
    for (int i = from; i < to; i++) {
      alerts.addAll(scope.evaluate(row(version, i, passRate), rules));
    }
    return alerts;
  }

  @Test
  void aVersionHackedFromItsFirstWindowIsComparedWithThePreviousVersion() {
    AlarmScope scope = new AlarmScope();
    assertThat(feed(scope, FORMAT, 1, 0, 4, 0.6)).isEmpty();

    List<Alert> alerts = feed(scope, FORMAT, 2, 4, 8, 0.2);

    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
              assertThat(a.getPolicyVersion()).isEqualTo(2);
              assertThat(a.getWindowStartMs()).isEqualTo(5 * W);
              assertThat(a.getHoldingSinceMs()).isEqualTo(4 * W);
              assertThat(a.getGate()).isTrue();
              assertThat(a.getAlertId())
                  .isEqualTo("format-over-accuracy|model@2/gsm8k|300000|FIRING");
              assertThat(a.getConditions().get(1).getMetric()).isEqualTo("verifierPassRate");
              assertThat(a.getConditions().get(1).getBaseline()).isEqualTo(0.6);
              assertThat(a.getConditions().get(1).getThreshold()).isCloseTo(0.33, within(1e-12));
              assertThat(a.getConditions().get(1).getObserved()).isEqualTo(0.2);
            });
  }

  @Test
  void aFirstVersionHackedFromItsFirstWindowHasNothingToBeComparedWith() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 2, 0.6);
    // Two windows of version 1 are too few for a baseline; version 2's own first windows stand in.
    assertThat(feed(scope, FORMAT, 2, 2, 10, 0.2)).isEmpty();
    assertThat(scope.versions.get(2L).baseline).isEmpty();
    assertThat(scope.versions.get(2L).reference.get("verifierPassRate").size).isEqualTo(8);
  }

  @Test
  void aFirstVersionGrowingWorseIsComparedWithItsOwnFirstWindows() {
    AlarmScope scope = new AlarmScope();
    assertThat(feed(scope, FORMAT, 1, 0, 3, 0.8)).isEmpty();
    assertThat(feed(scope, FORMAT, 1, 3, 4, 0.7)).isEmpty();

    List<Alert> alerts = feed(scope, FORMAT, 1, 4, 6, 0.3);

    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getWindowStartMs()).isEqualTo(5 * W);
              assertThat(a.getHoldingSinceMs()).isEqualTo(4 * W);
              assertThat(a.getConditions().get(1).getBaseline()).isEqualTo(0.8);
            });
  }

  @Test
  void rowsThatNoRuleWatchesLeaveNoState() {
    AlarmScope scope = new AlarmScope();
    HealthMetrics rollUp = row(1, 0, 0.6);
    rollUp.setDataSource(HealthEvent.ALL_SOURCES);
    assertThat(scope.evaluate(rollUp, FORMAT)).isEmpty();
    assertThat(scope.versions).isEmpty();
    assertThat(scope.history).isEmpty();
  }

  @Test
  void theBaselineIsTheMedianOfEarlierVersionsWindows() {
    AlarmScope scope = new AlarmScope();
    scope.evaluate(row(1, 0, 0.6), FORMAT);
    scope.evaluate(row(1, 1, 0.1), FORMAT);
    scope.evaluate(row(1, 2, 0.7), FORMAT);
    scope.evaluate(row(1, 3, 0.5), FORMAT);
    scope.evaluate(row(2, 4, 0.6), FORMAT);
    // 0.1, 0.5, 0.6, 0.7: one odd window moves the median little.
    assertThat(scope.versions.get(2L).baseline).containsEntry("verifierPassRate", 0.55);
  }

  @Test
  void anAlarmedVersionNeverBecomesTheNextVersionsBaseline() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 4, 0.6);
    assertThat(feed(scope, FORMAT, 2, 4, 8, 0.2))
        .extracting(Alert::getState)
        .containsExactly(AlertState.FIRING);

    List<Alert> next = feed(scope, FORMAT, 3, 8, 12, 0.2);

    assertThat(next)
        .extracting(Alert::getPolicyVersion, Alert::getState)
        .containsExactly(Tuple.tuple(3L, AlertState.FIRING));
    assertThat(scope.versions.get(3L).baseline).containsEntry("verifierPassRate", 0.6);
  }

  @Test
  void aVersionKeepsItsBaselineOnceItsOwnWindowsFillTheHistory() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 4, 0.6);
    assertThat(feed(scope, FORMAT, 2, 4, 4 + 2 * AlarmScope.BASELINE_WINDOWS, 0.6)).isEmpty();
    assertThat(scope.history.get("verifierPassRate").before(2)).isEmpty();

    int late = 4 + 2 * AlarmScope.BASELINE_WINDOWS;
    assertThat(feed(scope, FORMAT, 2, late, late + 2, 0.2))
        .extracting(Alert::getState)
        .containsExactly(AlertState.FIRING);
  }

  @Test
  void aHealthyVersionClearsAfterThreeHealthyWindowsAgainstItsBaseline() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 4, 0.6);
    feed(scope, FORMAT, 2, 4, 6, 0.2);

    assertThat(feed(scope, FORMAT, 2, 6, 8, 0.55)).isEmpty();
    List<Alert> cleared = feed(scope, FORMAT, 2, 8, 9, 0.55);

    assertThat(cleared)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getState()).isEqualTo(AlertState.CLEARED);
              assertThat(a.getHoldingSinceMs()).isEqualTo(4 * W);
              assertThat(a.getConditions())
                  .singleElement()
                  .satisfies(c -> assertThat(c.getThreshold()).isCloseTo(0.48, within(1e-12)));
            });
  }

  @Test
  void healthyMathTrafficWithMostGroupsAtZeroVarianceFiresNothing() {
    // Real MATH groups of 8 score all-equal 70 to 95 % of the time; a steady share is no alarm.
    AlarmScope scope = new AlarmScope();
    List<AlarmRule> rules = AlarmRules.defaults();
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      HealthMetrics m = row(i < 10 ? 1 : 2, i, 0.95);
      m.setGroups(12);
      m.setZeroVarianceGroups(i % 2 == 0 ? 11 : 10);
      m.setZeroVarianceFraction(m.getZeroVarianceGroups() / 12.0);
      alerts.addAll(scope.evaluate(m, rules));
    }
    assertThat(alerts).isEmpty();
  }

  @Test
  void aQuietVersionIsForgottenUnlessFiringAndTheHistoryAfterItsRetention() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 4, 0.6);
    feed(scope, FORMAT, 2, 4, 6, 0.2);
    feed(scope, FORMAT, 3, 6, 7, 0.6);

    assertThat(scope.expire(8 * W)).isFalse();
    // Version 1 and 3 went quiet; version 2 fires and stays.
    assertThat(scope.versions).containsOnlyKeys(2L);
    assertThat(scope.expiryTimes()).isEmpty();

    scope.versions.clear();
    assertThat(scope.expiryTimes()).containsExactly((7 + AlarmScope.HISTORY_RETENTION_WINDOWS) * W);
    assertThat(scope.expire((6 + AlarmScope.HISTORY_RETENTION_WINDOWS) * W)).isFalse();
    assertThat(scope.expire((7 + AlarmScope.HISTORY_RETENTION_WINDOWS) * W)).isTrue();
    assertThat(scope.history).isEmpty();
  }

  @Test
  void aWindowFirstEmittedAfterANewerOneOfItsVersionIsNotEvaluated() {
    AlarmScope scope = new AlarmScope();
    feed(scope, FORMAT, 1, 0, 4, 0.6);
    feed(scope, FORMAT, 2, 4, 5, 0.2);
    feed(scope, FORMAT, 2, 6, 7, 0.2);
    assertThat(feed(scope, FORMAT, 2, 5, 6, 0.2)).isEmpty();
    assertThat(scope.versions.get(2L).lastWindowEndMs).isEqualTo(7 * W);
  }
}
