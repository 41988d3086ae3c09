package io.lodestar.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.TaskMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckedEncoderTest {

  private static final RecordCodec<Generation> CODEC = RecordCodec.of(Generation.class);
  private static final OutputLimits DEFAULTS =
      new OutputLimits(1_048_576, 1_048_588, Long.MAX_VALUE);
  private static final CheckedEncoder<Generation> ENCODER =
      new CheckedEncoder<>(
          "scored",
          "lodestar.scored",
          CODEC,
          WireFormat.AVRO,
          Generation::getGenerationId,
          DEFAULTS);

  @Test
  void shouldPassARecordThatFitsAsTheBytesTheSinkSends() {
    Generation g = generation("g-1", "42");
    CheckedEncoder.Encoded encoded = ENCODER.encode(g);
    assertThat(encoded.fits()).isTrue();
    assertThat(encoded.record().key).isEqualTo("g-1".getBytes());
    assertThat(CODEC.decodeOrThrow(encoded.record().value)).isEqualTo(g);
  }

  @Test
  void shouldTurnARecordOverTheLimitIntoAnOutputTooLargeDeadLetter() {
    Generation big = generation("g-5mb", "x".repeat(5_000_000));
    CheckedEncoder.Encoded encoded = ENCODER.encode(big);
    assertThat(encoded.fits()).isFalse();

    var dead = ENCODER.tooLarge(big, encoded, 1_767_225_600_000L, 1 << 20, 1_796_600_000_000L);

    assertThat(dead.getErrorKind()).isEqualTo(DeadLetters.OUTPUT_TOO_LARGE);
    assertThat(dead.getOrigin()).isEqualTo("sink.scored");
    assertThat(dead.getRecordId()).isEqualTo("g-5mb");
    assertThat(dead.getReason())
        .contains("scored record of " + encoded.recordBytes() + " bytes")
        .contains("lodestar.scored")
        .contains("limit is 1048576 bytes");
    assertThat(dead.getPayloadSize()).isEqualTo(encoded.record().value.length);
    assertThat(dead.getPayload().remaining()).isEqualTo(1 << 20);
    assertThat(dead.getRecordTimestampMs()).isEqualTo(1_767_225_600_000L);
  }

  @Test
  void shouldMeasureTheRecordInTheConfiguredWireFormat() {
    // Just under the limit in Avro; plain JSON spends more bytes on the same record.
    int avroOverhead = ENCODER.encode(generation("g-edge", "")).recordBytes();
    Generation g = generation("g-edge", "y".repeat(DEFAULTS.maxRecordBytes() - avroOverhead - 32));
    assertThat(ENCODER.encode(g).fits()).isTrue();
    var json =
        new CheckedEncoder<>(
            "scored", "t", CODEC, WireFormat.JSON, Generation::getGenerationId, DEFAULTS);
    assertThat(json.encode(g).fits()).isFalse();
  }

  private static Generation generation(String id, String response) {
    return Generation.newBuilder()
        .setGenerationId(id)
        .setPromptId("p")
        .setGroupId("grp")
        .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
        .setResponse(response)
        .setTask(TaskMetadata.newBuilder().setDataSource("t").setGroundTruth("42").build())
        .setPolicy(Policy.newBuilder().setModelId("m").build())
        .setCreatedAtMs(1_767_225_600_000L)
        .build();
  }
}
