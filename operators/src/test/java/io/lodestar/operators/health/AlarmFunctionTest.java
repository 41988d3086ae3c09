package io.lodestar.operators.health;

import static io.lodestar.operators.health.AlarmEvaluatorTest.W;
import static io.lodestar.operators.health.AlarmEvaluatorTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.MetricNames;
import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlarmFunctionTest {

  private static final List<AlarmRule> RULES =
      AlarmRules.parse("high-format: formatRewardMean > 0.9 for 2 windows gate; low-pass: verifierPassRate < 0.5");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private CapturedMetrics metrics;

  @AfterEach
  void close() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> open() throws Exception {
    metrics = new CapturedMetrics();
    MockEnvironment environment = metrics.environment();
    toClose.add(environment);
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AlarmFunction(RULES)), AlarmFunction::key, Types.STRING, environment);
    harness.open();
    toClose.add(harness);
    return harness;
  }

  private static void send(KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> h, HealthMetrics m) throws Exception {
    h.processElement(m, m.getWindowEndMs() - 1);
    h.processWatermark(m.getWindowEndMs() - 1);
  }

  private static List<Alert> alerts(KeyedOneInputStreamOperatorTestHarness<String, HealthMetrics, Alert> h) {
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
            org.assertj.core.groups.Tuple.tuple("high-format", AlertState.FIRING, W),
            org.assertj.core.groups.Tuple.tuple("high-format", AlertState.CLEARED, 3 * W));
    assertThat(metrics.count(MetricNames.ALERTS_FIRED)).isEqualTo(1);
    assertThat(metrics.count(MetricNames.ALERTS_CLEARED)).isEqualTo(1);
  }

  @Test
  void rulesAreEvaluatedIndependently() throws Exception {
    var h = open();
    send(h, window(0, 0.5, 0.2));
    send(h, window(1, 0.5, 0.8));
    assertThat(alerts(h)).extracting(Alert::getRuleId, Alert::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("low-pass", AlertState.FIRING),
            org.assertj.core.groups.Tuple.tuple("low-pass", AlertState.CLEARED));
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
    // previous window dropped; only the firing rule's state remains.
    assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    send(h, window(20, 0.2, 0.9));
    h.processWatermark(30 * W);
    assertThat(alerts(h)).last().extracting(Alert::getState).isEqualTo(AlertState.CLEARED);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }
}
