package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.accuracy;
import static io.lodestar.operators.health.HealthFixtures.format;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.ScoredGeneration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Health, alarms and the gate end to end on a synthetic stream: policy version 7 learns to hack the
 * format reward (format stays at 1 while accuracy falls window after window), version 8 stays
 * healthy. The shipped default rules fire for version 7 and its batches are held (and come out as
 * held at the end of input); version 8's pass.
 */
class HealthGateITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long W = 60_000;
  private static final int WINDOWS = 6;
  private static final int PER_WINDOW = 40;

  @Test
  void aFormatHackingPolicyFiresTheDefaultAlarmAndItsBatchesAreHeld() throws Exception {
    List<ScoredGeneration> generations = new ArrayList<>();
    List<RLBatch> batches = new ArrayList<>();
    for (int w = 0; w < WINDOWS; w++) {
      // Version 7: accuracy 0.9, 0.75, 0.6, ... ; version 8: a steady 0.8. Format is 1 for both.
      int hacked = (int) Math.round(PER_WINDOW * (0.9 - 0.15 * w));
      int steady = (int) Math.round(PER_WINDOW * 0.8);
      for (int i = 0; i < PER_WINDOW; i++) {
        long t = w * W + i * 1_000L;
        generations.add(
            HealthFixtures.scored(
                "v7-" + w + "-" + i,
                7,
                t,
                i < hacked ? 1.0 : 0.0,
                100 + i,
                accuracy(i < hacked ? 1 : 0),
                format(1)));
        generations.add(
            HealthFixtures.scored(
                "v8-" + w + "-" + i,
                8,
                t,
                i < steady ? 1.0 : 0.0,
                100 + i,
                accuracy(i < steady ? 1 : 0),
                format(1)));
      }
      batches.add(HealthFixtures.batch("v7-batch-" + w, 2L * w, w * W + 30_000, 7));
      batches.add(HealthFixtures.batch("v8-batch-" + w, 2L * w + 1, w * W + 30_000, 8));
    }

    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.configure(conf, HealthGateITCase.class.getClassLoader());
    env.setParallelism(2);
    DataStream<ScoredGeneration> scored =
        env.fromData(generations, new AvroTypeInfo<>(ScoredGeneration.class))
            .uid("generations")
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<ScoredGeneration>forMonotonousTimestamps()
                    .withTimestampAssigner((g, ts) -> g.getGeneration().getCreatedAtMs()))
            .uid("generation-times");
    DataStream<RLBatch> batchStream =
        env.fromData(batches, new AvroTypeInfo<>(RLBatch.class))
            .uid("batches")
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<RLBatch>forMonotonousTimestamps()
                    .withTimestampAssigner((b, ts) -> b.getClosedAtMs()))
            .uid("batch-times");

    HealthSettings settings = HealthSettings.defaults();
    HealthEvents toEvents = HealthEvents.of(settings);
    DataStream<HealthMetrics> health =
        HealthMonitoring.windows(
            HealthMonitoring.events(scored, toEvents::generation, settings, "health-events-scored"),
            settings);
    DataStream<Alert> alerts = HealthMonitoring.alarms(health, AlarmRules.defaults());
    // Waiting three windows for a verdict holds every batch of the rules' two-window streak.
    GateSettings gateSettings =
        new GateSettings(
            GateSettings.OnClear.RELEASE, Duration.ofMillis(3 * W), Duration.ofMinutes(10));
    HealthMonitoring.Gated<RLBatch> gated =
        HealthMonitoring.gate(
            batchStream,
            alerts,
            GateSubject.RL_BATCHES,
            new AvroTypeInfo<>(RLBatch.class),
            gateSettings,
            "gate-rl-batches");

    CloseableIterator<HealthMetrics> healthOut = health.collectAsync();
    CloseableIterator<Alert> alertsOut = alerts.collectAsync();
    CloseableIterator<RLBatch> passedOut = gated.passed().collectAsync();
    CloseableIterator<RLBatch> heldAtEndOut = gated.heldAtEnd().collectAsync();
    env.execute("health-gate");

    List<HealthMetrics> windows = drain(healthOut);
    List<Alert> fired = drain(alertsOut);
    List<String> passed = drain(passedOut).stream().map(RLBatch::getBatchId).sorted().toList();
    List<String> heldAtEnd = drain(heldAtEndOut).stream().map(RLBatch::getBatchId).toList();

    // One row per window for each version's data source, and one roll-up row each.
    assertThat(windows).hasSize(WINDOWS * 4);
    assertThat(windows)
        .filteredOn(
            m ->
                m.getPolicyVersion() == 7
                    && m.getDataSource().equals("gsm8k")
                    && m.getWindowStartMs() == 2 * W)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getVerifierPassRate()).isEqualTo(0.6);
              assertThat(m.getFormatRewardMean()).isEqualTo(1.0);
              assertThat(m.getGenerations()).isEqualTo(PER_WINDOW);
            });

    // Version 7 is the model's first: its own first three windows (median 0.75) are its reference.
    // Windows 4 and 5 (0.3, 0.15) fall below 0.55 of it and 0.35 under it: both gating rules fire
    // at window 5 for a streak from window 4, and are still firing at the end.
    assertThat(fired)
        .extracting(Alert::getRuleId)
        .containsExactlyInAnyOrder("format-over-accuracy", "accuracy-drop");
    assertThat(fired)
        .allSatisfy(
            a -> {
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
              assertThat(a.getPolicyVersion()).isEqualTo(7);
              assertThat(a.getWindowStartMs()).isEqualTo(5 * W);
              assertThat(a.getHoldingSinceMs()).isEqualTo(4 * W);
              assertThat(a.getGate()).isTrue();
            });
    // Version 8 passes untouched; of version 7 the batches before the streak pass.
    assertThat(passed)
        .containsExactly(
            "v7-batch-0",
            "v7-batch-1",
            "v7-batch-2",
            "v7-batch-3",
            "v8-batch-0",
            "v8-batch-1",
            "v8-batch-2",
            "v8-batch-3",
            "v8-batch-4",
            "v8-batch-5");
    // The rules never clear: when the input ends, what the gate holds comes out in event-time
    // order.
    assertThat(heldAtEnd).containsExactly("v7-batch-4", "v7-batch-5");
  }

  private static <T> List<T> drain(CloseableIterator<T> iterator) throws Exception {
    List<T> out = new ArrayList<>();
    try (iterator) {
      iterator.forEachRemaining(out::add);
    }
    return out;
  }
}
