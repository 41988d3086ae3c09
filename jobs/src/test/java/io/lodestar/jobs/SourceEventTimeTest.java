package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.SourceEventTime.Stamp;
import io.lodestar.jobs.SourceEventTime.Trust;
import io.lodestar.jobs.SourceEventTime.TrustedWatermarks;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class SourceEventTimeTest {

  private static final long NOW = 1_780_000_000_000L;
  private static final long SKEW = 300_000L;
  private static final long KAFKA_TIME = NOW - 7;

  private final Trust trust = new Trust(SKEW, () -> NOW);
  private final Stamp stamp = new Stamp(trust);
  private final TrustedWatermarks watermarks = new TrustedWatermarks(trust, 5_000);
  private final List<Long> emitted = new ArrayList<>();
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
      };

  private static RawRecord record(long eventTimeMs) {
    RawRecord raw = new RawRecord("generations", 0, 1, KAFKA_TIME, null, new byte[] {1});
    raw.eventTimeMs = eventTimeMs;
    return raw;
  }

  private long lastWatermarkAfter(RawRecord... records) {
    for (RawRecord r : records) {
      watermarks.onEvent(r, stamp.extractTimestamp(r, r.timestampMs), output);
    }
    watermarks.onPeriodicEmit(output);
    return emitted.isEmpty() ? Long.MIN_VALUE : emitted.get(emitted.size() - 1);
  }

  @Test
  void shouldStampARecordWithItsEventTimeAndHoldTheWatermarkTheOutOfOrdernessBehindTheLatest() {
    assertThat(stamp.extractTimestamp(record(NOW - 60_000), KAFKA_TIME)).isEqualTo(NOW - 60_000);
    assertThat(lastWatermarkAfter(record(NOW - 60_000), record(NOW - 50_000), record(NOW - 55_000)))
        .isEqualTo(NOW - 50_000 - 5_000 - 1);
  }

  @Test
  void shouldEmitNothingBeforeATrustedRecord() {
    assertThat(lastWatermarkAfter()).isEqualTo(Long.MIN_VALUE);
    assertThat(lastWatermarkAfter(record(RawRecord.NO_EVENT_TIME))).isEqualTo(Long.MIN_VALUE);
    assertThat(emitted).isEmpty();
  }

  @Test
  void shouldNotLetAnUnreadableRecordMoveTheWatermark() {
    long before = lastWatermarkAfter(record(NOW - 60_000));

    RawRecord unreadable = record(RawRecord.NO_EVENT_TIME);
    assertThat(stamp.extractTimestamp(unreadable, KAFKA_TIME)).isEqualTo(KAFKA_TIME);
    assertThat(lastWatermarkAfter(unreadable)).isEqualTo(before);
  }

  @Test
  void shouldNotLetARecordBeyondTheClockSkewMoveTheWatermark() {
    long before = lastWatermarkAfter(record(NOW - 60_000));

    RawRecord hoursAhead = record(NOW + 2 * 3_600_000L);
    RawRecord inMicroseconds = record((NOW - 60_000) * 1_000);
    assertThat(stamp.extractTimestamp(hoursAhead, KAFKA_TIME))
        .as("the broker's time, which it accepts")
        .isEqualTo(KAFKA_TIME);
    assertThat(lastWatermarkAfter(hoursAhead, inMicroseconds)).isEqualTo(before);

    RawRecord justInside = record(NOW + SKEW);
    assertThat(lastWatermarkAfter(justInside)).isEqualTo(NOW + SKEW - 5_000 - 1);
  }

  @Test
  void shouldNotTrustANonPositiveEventTime() {
    assertThat(lastWatermarkAfter(record(0), record(-5))).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void shouldStampTheRecordsOfARealGenerationTopicFromTheirBytes() {
    Generation g =
        Generation.newBuilder()
            .setGenerationId("g")
            .setPromptId("p")
            .setGroupId("grp")
            .setPrompt(List.of(new ChatMessage("user", "hi")))
            .setResponse("42")
            .setTask(TaskMetadata.newBuilder().build())
            .setPolicy(Policy.newBuilder().setModelId("m").build())
            .setCreatedAtMs(NOW - 1_000)
            .build();
    byte[] bytes = RecordCodec.of(Generation.class).encode(g, WireFormat.AVRO);

    assertThat(SourceEventTime.Input.GENERATIONS.reader().read(bytes)).isEqualTo(NOW - 1_000);
  }
}
