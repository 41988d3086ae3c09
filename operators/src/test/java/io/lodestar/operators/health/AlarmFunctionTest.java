package io.lodestar.operators.health;

import static io.lodestar.operators.health.AlarmEvaluatorTest.W;
import static io.lodestar.operators.health.AlarmEvaluatorTest.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlarmFunctionTest {

  private static final List<AlarmRule> RULES =
      AlarmRules.parse(
          "high-format: formatRewardMean > 0.9 for 2 windows gate; low-pass: verifierPassRate < 0.5");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private CapturedMetrics metrics;

  @AfterEach
  void close() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> open()
      throws Exception {
    return open(RULES);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> open(
      List<AlarmRule> rules) throws Exception {
    metrics = new CapturedMetrics();
    MockEnvironment environment = metrics.environment();
    toClose.add(environment);
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AlarmFunction(rules)),
            AlarmFunction::key,
            Types.STRING,
            environment);
    harness.open();
    toClose.add(harness);
    return harness;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> h, HealthMetrics m)
      throws Exception {
    h.processElement(m, m.getWindowEndMs() - 1);
    h.processWatermark(m.getWindowEndMs() - 1);
  }

  private static List<Alert> alerts(
      KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> h) {
    List<Alert> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((Alert) r.getValue());
      }
    }
    return out;
  }

  @Test
  void emitsAnAlertWhenARuleFiresAndAnotherWhenItClears() throws Exception {
    var h = open();
    send(h, window(0, 0.95, 0.9));
    send(h, window(1, 0.97, 0.9));
    send(h, window(2, 0.97, 0.9));
    send(h, window(3, 0.5, 0.9));

    assertThat(alerts(h))
        .extracting(Alert::getRuleId, Alert::getState, Alert::getWindowStartMs)
        .containsExactly(
            Tuple.tuple("high-format", AlertState.FIRING, W),
            Tuple.tuple("high-format", AlertState.CLEARED, 3 * W));
    assertThat(metrics.count(HealthMetricNames.ALERTS_FIRED)).isEqualTo(1);
    assertThat(metrics.count(HealthMetricNames.ALERTS_CLEARED)).isEqualTo(1);
  }

  @Test
  void rulesAreEvaluatedIndependently() throws Exception {
    var h = open();
    send(h, window(0, 0.5, 0.2));
    send(h, window(1, 0.5, 0.8));
    assertThat(alerts(h))
        .extracting(Alert::getRuleId, Alert::getState)
        .containsExactly(
            Tuple.tuple("low-pass", AlertState.FIRING),
            Tuple.tuple("low-pass", AlertState.CLEARED));
  }

  @Test
  void lateRevisionsAreNotReEvaluated() throws Exception {
    var h = open();
    HealthMetrics revised = window(0, 0.5, 0.1);
    revised.setRevision(1);
    send(h, revised);
    assertThat(alerts(h)).isEmpty();
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void aWindowOlderThanTheLastEvaluatedOneIsNotEvaluated() throws Exception {
    var h = open();
    send(h, window(0, 0.5, 0.9));
    send(h, window(2, 0.5, 0.9));
    // Window 1 closed empty; late events filled it after window 2 went out.
    h.processElement(window(1, 0.5, 0.1), 2 * W - 1);
    h.processWatermark(3 * W - 1);
    assertThat(alerts(h)).isEmpty();
  }

  @Test
  void aQuietScopeKeepsOnlyItsFiringRules() throws Exception {
    var h = open();
    send(h, window(0, 0.95, 0.1));
    send(h, window(1, 0.95, 0.1));
    // Both rules fire; then a healthy pass rate clears one and the format streak stays.
    send(h, window(2, 0.95, 0.9));
    h.processWatermark(10 * W);

    assertThat(h.numEventTimeTimers()).isZero();
    // Previous window and idle rules dropped: what remains is the scope holding the firing rule.
    assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    send(h, window(20, 0.2, 0.9));
    h.processWatermark(30 * W);
    assertThat(alerts(h)).last().extracting(Alert::getState).isEqualTo(AlertState.CLEARED);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  private static final List<AlarmRule> BASELINE_RULES =
      AlarmRules.parse("drop: verifierPassRate < baseline - 0.3 given verifierJudged >= 20");

  private static HealthMetrics row(long version, int index, double passRate) {
    return AlarmScopeTest.row(version, index, passRate);
  }

  @Test
  void windowsOfSeveralVersionsThatCloseTogetherAreEvaluatedInVersionOrderWhateverTheirArrival()
      throws Exception {
    for (boolean newestFirst : List.of(true, false)) {
      var h = open(BASELINE_RULES);
      send(h, row(1, 0, 0.8));
      send(h, row(1, 1, 0.8));
      // Version 1's third window makes the baseline; version 2's first window of the same time
      // needs it.
      List<HealthMetrics> together =
          newestFirst
              ? List.of(row(2, 2, 0.2), row(1, 2, 0.8))
              : List.of(row(1, 2, 0.8), row(2, 2, 0.2));
      for (HealthMetrics m : together) {
        h.processElement(m, m.getWindowEndMs() - 1);
      }
      assertThat(alerts(h)).as("nothing before the watermark").isEmpty();
      h.processWatermark(3 * W - 1);

      assertThat(alerts(h))
          .as("newest first: %s", newestFirst)
          .extracting(Alert::getAlertId)
          .containsExactly("drop|model@2/gsm8k|120000|FIRING");
    }
  }

  @Test
  void theBaselineHistoryIsForgottenAfterItsRetentionAndNothingIsLeft() throws Exception {
    var h = open(BASELINE_RULES);
    for (int i = 0; i < 4; i++) {
      send(h, row(1, i, 0.8));
    }
    h.processWatermark(10 * W);
    // The version went quiet; its history stays for the next version to compare with.
    assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    assertThat(h.numEventTimeTimers()).isEqualTo(1);

    h.processWatermark((4 + AlarmScope.HISTORY_RETENTION_WINDOWS) * W);

    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
    assertThat(alerts(h)).isEmpty();
  }

  @Test
  void theStateIsAFlinkPojoWithoutKryo() {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);
    for (Class<?> type :
        List.of(
            AlarmScope.class,
            AlarmScope.VersionWatch.class,
            AlarmScope.BaselineHistory.class,
            RuleState.class)) {
      TypeInformation<?> info = TypeInformation.of(type);
      assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
      assertThatCode(() -> info.createSerializer(noGenericTypes))
          .as(type.getSimpleName())
          .doesNotThrowAnyException();
    }
  }
}
