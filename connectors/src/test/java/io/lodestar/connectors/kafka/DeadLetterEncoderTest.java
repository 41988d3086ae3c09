package io.lodestar.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeadLetterEncoderTest {

  private static final RecordCodec<DeadLetter> CODEC = RecordCodec.of(DeadLetter.class);
  private static final OutputLimits DEFAULTS =
      new OutputLimits(1_048_576, 1_048_588, Long.MAX_VALUE);

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void shouldWriteAFittingDeadLetterUnchanged(WireFormat format) {
    DeadLetter small = deadLetter("g-1", payload(1_000), "response has too many chars");
    DeadLetterEncoder.Fitted fitted = new DeadLetterEncoder(CODEC, format, DEFAULTS).encode(small);
    assertThat(fitted.truncated()).isFalse();
    assertThat(CODEC.decodeOrThrow(fitted.record().value)).isEqualTo(small);
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void shouldCutTheFullSizedPayloadOfAnOversizedInputSoTheDeadLetterFits(WireFormat format) {
    // A 9 MB input keeps dead-letter.max-payload-bytes (1 MiB) of its bytes: with the rest of the
    // dead letter that was 1,048,804 bytes, over the producer's limit.
    byte[] original = payload(1 << 20);
    DeadLetter dead =
        DeadLetter.newBuilder(deadLetter("g-9mb", original, "message exceeds the limit"))
            .setPayloadSize(9_000_000)
            .build();

    DeadLetterEncoder.Fitted fitted = new DeadLetterEncoder(CODEC, format, DEFAULTS).encode(dead);

    assertThat(fitted.truncated()).isTrue();
    assertThat(DEFAULTS.fits(OutputLimits.recordBytes(fitted.record().key, fitted.record().value)))
        .isTrue();
    DeadLetter written = CODEC.decodeOrThrow(fitted.record().value);
    assertThat(written.getPayloadSize()).as("the original size").isEqualTo(9_000_000);
    byte[] kept = bytes(written.getPayload());
    assertThat(kept.length).isPositive().isLessThan(original.length);
    assertThat(kept).isEqualTo(Arrays.copyOf(original, kept.length));
    assertThat(written.getReason()).isEqualTo(dead.getReason());
    assertThat(written.getRecordId()).isEqualTo("g-9mb");
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void shouldCutIdsKeyAndReasonWhenEvenWithoutPayloadItWouldNotFit(WireFormat format) {
    OutputLimits smallest =
        new OutputLimits(
            OutputLimits.MIN_RECORD_BYTES, OutputLimits.MIN_RECORD_BYTES, Long.MAX_VALUE);
    DeadLetter huge =
        DeadLetter.newBuilder(
                deadLetter("\u00e9".repeat(50_000), payload(10_000), "\u2603".repeat(50_000)))
            .setKey(ByteBuffer.wrap(payload(50_000)))
            .setTopic("t".repeat(300))
            .build();

    DeadLetterEncoder.Fitted fitted = new DeadLetterEncoder(CODEC, format, smallest).encode(huge);

    assertThat(fitted.record()).isNotNull();
    assertThat(smallest.fits(OutputLimits.recordBytes(fitted.record().key, fitted.record().value)))
        .isTrue();
    DeadLetter written = CODEC.decodeOrThrow(fitted.record().value);
    assertThat(written.getPayload()).isNull();
    assertThat(written.getErrorKind()).isEqualTo("INVALID");
    assertThat(written.getPayloadSize()).isEqualTo(10_000);
    assertThat(huge.getReason()).startsWith(written.getReason());
  }

  static DeadLetter deadLetter(String id, byte[] payload, String reason) {
    return DeadLetter.newBuilder()
        .setOrigin("parse.generations")
        .setTopic("generations")
        .setPartition(1)
        .setOffset(42L)
        .setPayload(ByteBuffer.wrap(payload))
        .setPayloadSize(payload.length)
        .setErrorKind("INVALID")
        .setReason(reason)
        .setRecordId(id)
        .setDeadAtMs(1_796_600_000_000L)
        .build();
  }

  static byte[] payload(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
