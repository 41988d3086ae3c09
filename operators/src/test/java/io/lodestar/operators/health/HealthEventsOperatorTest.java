package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.accuracy;
import static io.lodestar.operators.health.HealthFixtures.scored;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthEventsOperatorTest {

  private static final long WINDOW = 60_000;
  private static final HealthEvents EVENTS = new HealthEvents(false);

  private HealthEventsOperator<ScoredGeneration> operator;
  private OneInputStreamOperatorTestHarness<ScoredGeneration, HealthEventBatch> harness;

  private void open(int maxBuffered) throws Exception {
    operator = new HealthEventsOperator<>(EVENTS::generation, WINDOW, maxBuffered);
    harness = new OneInputStreamOperatorTestHarness<>(operator);
    harness.setup(
        TypeInformation.of(HealthEventBatch.class)
            .createSerializer(harness.getExecutionConfig().getSerializerConfig()));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(String id, long t) throws Exception {
    harness.processElement(scored(id, 7, t, 1.0, 10, accuracy(1)), t);
  }

  @Test
  void bufferedEventsGoOutBeforeTheWatermarkThatFollowsThem() throws Exception {
    open(1_000);
    send("a", 1_000);
    send("b", 2_000);
    assertThat(harness.getOutput()).isEmpty();

    harness.processWatermark(WINDOW - 1);

    List<Object> out = new ArrayList<>(harness.getOutput());
    assertThat(out).hasSize(2);
    HealthEventBatch batch = (HealthEventBatch) ((StreamRecord<?>) out.get(0)).getValue();
    assertThat(batch.events).extracting(e -> e.eventTimeMs).containsExactly(1_000L, 2_000L);
    assertThat(((StreamRecord<?>) out.get(0)).getTimestamp()).isEqualTo(2_000L);
    assertThat(out.get(1)).isEqualTo(new Watermark(WINDOW - 1));
    assertThat(operator.buffered()).isZero();
  }

  @Test
  void nothingIsLeftBufferedWhenACheckpointBarrierPasses() throws Exception {
    open(1_000);
    send("a", 1_000);

    harness.prepareSnapshotPreBarrier(1);

    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(b -> assertThat(b.events).hasSize(1));
    assertThat(operator.buffered()).isZero();
  }

  @Test
  void aFullBufferGoesOutWithoutWaitingForAWatermark() throws Exception {
    open(3);
    send("a", 1_000);
    send("b", 2_000);
    assertThat(harness.getOutput()).isEmpty();

    send("c", 3_000);

    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(b -> assertThat(b.events).hasSize(3));
    assertThat(operator.buffered()).isZero();
  }

  @Test
  void theEndOfInputFlushesTheBuffer() throws Exception {
    open(1_000);
    send("a", 1_000);
    send("b", WINDOW + 1);

    harness.endInput();

    assertThat(harness.extractOutputValues())
        .extracting(b -> b.windowStartMs)
        .containsExactly(0L, WINDOW);
    assertThat(operator.buffered()).isZero();
  }
}
