package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.accuracy;
import static io.lodestar.operators.health.HealthFixtures.scored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.HealthMetrics;
import java.time.Duration;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthWindowFunctionTest {

  private static final long WINDOW = 60_000;
  private static final long LATENESS = 30_000;
  private static final HealthEvents EVENTS = new HealthEvents(false);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private CapturedMetrics metrics;

  @AfterEach
  void close() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<String, HealthEventBatch, HealthMetrics> open(
      long latenessMs) throws Exception {
    metrics = new CapturedMetrics();
    MockEnvironment environment = metrics.environment();
    toClose.add(environment);
    HealthSettings settings =
        HealthSettings.defaults()
            .withWindow(Duration.ofMillis(WINDOW), Duration.ofMillis(latenessMs));
    KeyedOneInputStreamOperatorTestHarness<String, HealthEventBatch, HealthMetrics> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new HealthWindowFunction(settings)),
            batch -> batch.key,
            Types.STRING,
            environment);
    harness.open();
    toClose.add(harness);
    return harness;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, HealthEventBatch, HealthMetrics> h,
      String id,
      long version,
      long t,
      double reward)
      throws Exception {
    for (HealthEvent e : EVENTS.generation(scored(id, version, t, reward, 10, accuracy(reward)))) {
      h.processElement(batchOf(e), t);
    }
  }

  private static HealthEventBatch batchOf(HealthEvent... events) {
    HealthEventBatch batch =
        new HealthEventBatch(
            events[0].key(), HealthEventBuffer.windowStart(events[0].eventTimeMs, WINDOW));
    batch.events.addAll(List.of(events));
    return batch;
  }

  private static List<HealthMetrics> output(
      KeyedOneInputStreamOperatorTestHarness<String, HealthEventBatch, HealthMetrics> h) {
    List<HealthMetrics> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((HealthMetrics) r.getValue());
      }
    }
    return out;
  }

  @Test
  void emitsEachWindowOnceTheWatermarkPassesItsEnd() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    send(h, "b", 7, 2_000, 0.0);
    send(h, "c", 7, 61_000, 1.0);
    h.processWatermark(WINDOW - 2);
    assertThat(output(h)).isEmpty();

    h.processWatermark(WINDOW - 1);

    List<HealthMetrics> out = output(h);
    assertThat(out)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getWindowStartMs()).isZero();
              assertThat(m.getWindowEndMs()).isEqualTo(WINDOW);
              assertThat(m.getRevision()).isZero();
              assertThat(m.getGenerations()).isEqualTo(2);
              assertThat(m.getVerifierPassRate()).isEqualTo(0.5);
              assertThat(m.getModelId()).isEqualTo(HealthFixtures.MODEL);
              assertThat(m.getPolicyVersion()).isEqualTo(7);
              assertThat(m.getDataSource()).isEqualTo(HealthFixtures.SOURCE);
            });
    assertThat(metrics.count(HealthMetricNames.HEALTH_WINDOWS)).isEqualTo(1);
    assertThat(metrics.gauge(HealthMetricNames.HEALTH_VERIFIER_PASS_RATE)).isEqualTo(0.5);
    assertThat(metrics.gauge(HealthMetricNames.HEALTH_LENGTH_REWARD_CORRELATION))
        .isEqualTo(Double.NaN);
  }

  @Test
  void aLateEventWithinTheLatenessReEmitsTheWindowAsTheNextRevision() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    h.processWatermark(WINDOW + 10_000);

    send(h, "late", 7, 5_000, 0.0);

    List<HealthMetrics> out = output(h);
    assertThat(out).hasSize(2);
    assertThat(out.get(1).getRevision()).isEqualTo(1);
    assertThat(out.get(1).getLateEvents()).isEqualTo(1);
    assertThat(out.get(1).getGenerations()).isEqualTo(2);
    assertThat(out.get(1).getMetricsId()).isNotEqualTo(out.get(0).getMetricsId());
    assertThat(metrics.count(HealthMetricNames.HEALTH_LATE_UPDATES)).isEqualTo(1);
  }

  @Test
  void aLateBatchCountsEveryEventInItAndReEmitsTheWindowOnce() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    h.processWatermark(WINDOW + 10_000);
    List<HealthEvent> late = new ArrayList<>();
    for (String id : List.of("x", "y", "z")) {
      late.add(EVENTS.generation(scored(id, 7, 5_000, 0.0, 10, accuracy(0))).get(0));
    }

    h.processElement(batchOf(late.toArray(new HealthEvent[0])), 5_000);

    List<HealthMetrics> out = output(h);
    assertThat(out).hasSize(2);
    assertThat(out.get(1).getLateEvents()).isEqualTo(3);
    assertThat(out.get(1).getGenerations()).isEqualTo(4);
    assertThat(metrics.count(HealthMetricNames.HEALTH_LATE_UPDATES)).isEqualTo(3);
  }

  @Test
  void anEventLaterThanTheLatenessIsCountedAndLeftOut() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    h.processWatermark(WINDOW - 1 + LATENESS);
    int before = output(h).size();

    send(h, "too-late", 7, 5_000, 0.0);

    assertThat(output(h)).hasSize(before);
    assertThat(metrics.count(HealthMetricNames.HEALTH_LATE_DROPPED)).isEqualTo(1);
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void stateAndTimersAreClearedOnceTheLatenessHasPassed() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    send(h, "b", 8, 2_000, 1.0);
    send(h, "c", 7, 65_000, 1.0);
    assertThat(h.numEventTimeTimers()).isEqualTo(6);

    h.processWatermark(WINDOW - 1 + LATENESS);
    assertThat(h.numEventTimeTimers()).isEqualTo(2);
    h.processWatermark(2 * WINDOW - 1 + LATENESS);

    assertThat(output(h)).hasSize(3);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void withoutLatenessAWindowIsClearedWhenEmitted() throws Exception {
    var h = open(0);
    send(h, "a", 7, 1_000, 1.0);
    assertThat(h.numEventTimeTimers()).isEqualTo(1);

    h.processWatermark(WINDOW - 1);
    send(h, "late", 7, 2_000, 1.0);

    assertThat(output(h)).hasSize(1);
    assertThat(metrics.count(HealthMetricNames.HEALTH_LATE_DROPPED)).isEqualTo(1);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void windowsSurviveASnapshotAndRestore() throws Exception {
    var h = open(LATENESS);
    send(h, "a", 7, 1_000, 1.0);
    var snapshot = h.snapshot(1, 1);
    h.close();
    toClose.remove(h);

    var restored = open(LATENESS);
    restored.close();
    toClose.remove(restored);
    KeyedOneInputStreamOperatorTestHarness<String, HealthEventBatch, HealthMetrics> again =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new HealthWindowFunction(
                    HealthSettings.defaults()
                        .withWindow(Duration.ofMillis(WINDOW), Duration.ofMillis(LATENESS)))),
            batch -> batch.key,
            Types.STRING);
    again.initializeState(snapshot);
    again.open();
    toClose.add(again);
    send(again, "b", 7, 2_000, 0.0);
    again.processWatermark(WINDOW - 1);

    assertThat(output(again))
        .singleElement()
        .satisfies(m -> assertThat(m.getGenerations()).isEqualTo(2));
  }

  @Test
  void stateAndEventTypesAreFlinkPojosWithoutKryo() {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);
    for (Class<?> type :
        List.of(
            HealthEvent.class,
            HealthEventBatch.class,
            HealthAccumulator.class,
            RuleState.class,
            HoldInterval.class)) {
      TypeInformation<?> info = TypeInformation.of(type);
      assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
      assertThatCode(() -> info.createSerializer(noGenericTypes))
          .as(type.getSimpleName())
          .doesNotThrowAnyException();
    }
  }
}
