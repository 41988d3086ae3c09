package io.lodestar.operators.dedup;

import static io.lodestar.operators.TestRecords.CREATED_AT_MS;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.Generation;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicateFunctionTest {

  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final long RETENTION_MS = RETENTION.toMillis();

  private CapturedMetrics metrics;
  private MockEnvironment environment;
  private KeyedOneInputStreamOperatorTestHarness<String, Generation, Generation> harness;

  @BeforeEach
  void openHarness() throws Exception {
    metrics = new CapturedMetrics();
    environment = metrics.environment();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeduplicateFunction<Generation>(RETENTION)),
            Generation::getGenerationId,
            Types.STRING,
            environment);
    harness.open();
  }

  @AfterEach
  void closeHarness() throws Exception {
    harness.close();
    environment.close();
  }

  private void send(Generation g) throws Exception {
    harness.processElement(g, g.getCreatedAtMs());
  }

  @Test
  void letsTheFirstRecordOfEachIdThrough() throws Exception {
    Generation first = generation("g-1").build();
    Generation second = generation("g-2").setCreatedAtMs(CREATED_AT_MS + 1).build();

    send(first);
    send(second);

    assertThat(harness.extractOutputValues()).containsExactly(first, second);
    assertThat(metrics.count(DedupMetricNames.DUPLICATES)).isZero();
  }

  @Test
  void dropsAndCountsRepeatedGenerationIds() throws Exception {
    Generation first = generation("g-1").build();
    Generation resent =
        generation("g-1")
            .setResponse("a retried delivery")
            .setCreatedAtMs(CREATED_AT_MS + 500)
            .build();

    send(first);
    send(first);
    send(resent);

    assertThat(harness.extractOutputValues()).containsExactly(first);
    assertThat(metrics.count(DedupMetricNames.DUPLICATES)).isEqualTo(2);
  }

  @Test
  void keepsDroppingRepeatsUntilTheRetentionEnds() throws Exception {
    send(generation("g-1").build());

    harness.processWatermark(CREATED_AT_MS + RETENTION_MS - 1);
    send(generation("g-1").setCreatedAtMs(CREATED_AT_MS + RETENTION_MS - 1).build());

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(metrics.count(DedupMetricNames.DUPLICATES)).isEqualTo(1);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
  }

  @Test
  void forgetsTheIdAndItsTimerOnceTheWatermarkPassesRetention() throws Exception {
    send(generation("g-1").build());
    send(generation("g-2").setCreatedAtMs(CREATED_AT_MS + 1_000).build());
    assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    assertThat(harness.numEventTimeTimers()).isEqualTo(2);

    harness.processWatermark(CREATED_AT_MS + RETENTION_MS);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(CREATED_AT_MS + 1_000 + RETENTION_MS);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void letsAnIdThroughAgainAfterRetention() throws Exception {
    Generation first = generation("g-1").build();
    Generation again = generation("g-1").setCreatedAtMs(CREATED_AT_MS + RETENTION_MS + 5).build();

    send(first);
    harness.processWatermark(CREATED_AT_MS + RETENTION_MS);
    send(again);

    assertThat(harness.extractOutputValues()).containsExactly(first, again);
    assertThat(metrics.count(DedupMetricNames.DUPLICATES)).isZero();
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
  }

  @Test
  void aRepeatAfterAGapLongerThanTheRetentionPassesBeforeTheWatermarkCatchesUp() throws Exception {
    Generation first = generation("g-1").build();
    Generation afterGap =
        generation("g-1").setCreatedAtMs(CREATED_AT_MS + RETENTION_MS + 1).build();
    Generation withinRetention =
        generation("g-1").setCreatedAtMs(CREATED_AT_MS + RETENTION_MS).build();

    send(first);
    send(withinRetention);
    send(afterGap);

    assertThat(harness.extractOutputValues()).containsExactly(first, afterGap);
    assertThat(harness.numEventTimeTimers())
        .as("only the retention of the one let through last")
        .isEqualTo(1);
    harness.processWatermark(CREATED_AT_MS + 2 * RETENTION_MS + 1);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void usesTheWatermarkAsEventTimeForRecordsWithoutTimestamp() throws Exception {
    long watermark = CREATED_AT_MS + 42_000;
    harness.processWatermark(watermark);

    harness.processElement(new StreamRecord<>(generation("g-1").build()));
    harness.processElement(new StreamRecord<>(generation("g-1").build()));
    assertThat(harness.extractOutputValues()).hasSize(1);

    harness.processWatermark(watermark + RETENTION_MS - 1);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    harness.processWatermark(watermark + RETENTION_MS);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void saturatesInsteadOfOverflowingWhenAddingRetention() {
    assertThat(DeduplicateFunction.saturatedAdd(Long.MAX_VALUE - 1, RETENTION_MS))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(DeduplicateFunction.saturatedAdd(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(DeduplicateFunction.saturatedAdd(CREATED_AT_MS, RETENTION_MS))
        .isEqualTo(CREATED_AT_MS + RETENTION_MS);
  }
}
