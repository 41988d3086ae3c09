package io.lodestar.connectors.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schemas.ShippedSchemas;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class EventTimeReaderTest {

  private static final RecordCodec<Generation> CODEC = RecordCodec.of(Generation.class);
  private final EventTimeReader createdAt = EventTimeReader.of(Generation.class, "createdAtMs");

  @Test
  void shouldReadTheEventTimeOfAvroAndJsonMessagesAsTheCodecDecodesIt() {
    for (Generation g : List.of(SampleRecords.generation(), SampleRecords.sparseGeneration())) {
      for (WireFormat format : WireFormat.values()) {
        byte[] bytes = CODEC.encode(g, format);
        assertThat(createdAt.read(bytes))
            .as(format + " " + g.getGenerationId())
            .isEqualTo(g.getCreatedAtMs());
      }
    }
    Feedback feedback = SampleRecords.feedback();
    EventTimeReader feedbackTime = EventTimeReader.of(Feedback.class, "createdAtMs");
    assertThat(feedbackTime.read(RecordCodec.of(Feedback.class).encode(feedback, WireFormat.AVRO)))
        .isEqualTo(feedback.getCreatedAtMs());
    PolicyUpdate update =
        PolicyUpdate.newBuilder().setModelId("m").setPolicyVersion(3).setPublishedAtMs(77L).build();
    EventTimeReader published = EventTimeReader.of(PolicyUpdate.class, "publishedAtMs");
    assertThat(published.read(RecordCodec.of(PolicyUpdate.class).encode(update, WireFormat.JSON)))
        .isEqualTo(77L);
  }

  @Test
  void shouldReadMessagesWrittenWithAReleasedSchema() throws Exception {
    String oldest = ShippedSchemas.releasedVersions().get(0);
    Schema released =
        ShippedSchemas.released(oldest).get(Generation.getClassSchema().getFullName());
    Generation g = SampleRecords.generation();
    GenericRecord old =
        (GenericRecord)
            PlainJson.fromJson(
                PlainJson.parse(CODEC.encode(g, WireFormat.JSON)), released, GenericData.get());
    byte[] bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old).array();

    assertThat(CODEC.decode(bytes).isOk()).isTrue();
    assertThat(createdAt.read(bytes)).isEqualTo(g.getCreatedAtMs());
  }

  @Test
  void shouldNotVouchForMessagesTheCodecRefuses() {
    byte[] avro = CODEC.encode(SampleRecords.generation(), WireFormat.AVRO);
    byte[] unknownSchema = avro.clone();
    unknownSchema[5] ^= 0x55;
    byte[] trailing = Arrays.copyOf(avro, avro.length + 1);
    byte[] confluent = new byte[] {0, 0, 0, 0, 1, 2, 3};
    for (byte[] bytes :
        List.of(
            new byte[0],
            unknownSchema,
            trailing,
            confluent,
            Arrays.copyOf(avro, 10),
            Arrays.copyOf(avro, 2),
            "not json".getBytes(StandardCharsets.UTF_8),
            "[1, 2]".getBytes(StandardCharsets.UTF_8))) {
      assertThat(CODEC.decode(bytes).isOk()).isFalse();
      assertThat(createdAt.read(bytes)).isEqualTo(EventTimeReader.UNKNOWN);
    }
    assertThat(createdAt.read(null)).isEqualTo(EventTimeReader.UNKNOWN);
  }

  @Test
  void shouldNotVouchForJsonWhoseEventTimeIsNotATopLevelLong() {
    for (String json :
        List.of(
            "{\"createdAtMs\": \"1718000000123\"}",
            "{\"createdAtMs\": 1.5}",
            "{\"createdAtMs\": 1e3}",
            "{\"createdAtMs\": 99999999999999999999}",
            "{\"createdAtMs\": null}",
            "{\"policy\": {\"createdAtMs\": 5}}",
            "{\"createdAtMs\": 5, \"createdAtMs\": 6}",
            "{\"createdAtMs\": 5} {}",
            "{\"createdAtMs\": 5")) {
      assertThat(createdAt.read(json.getBytes(StandardCharsets.UTF_8)))
          .as(json)
          .isEqualTo(EventTimeReader.UNKNOWN);
    }
    assertThat(
            createdAt.read(
                " {\"policy\": {\"createdAtMs\": 5}, \"createdAtMs\": 7}"
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(7L);
  }

  /**
   * Every cut and thousands of corruptions of a real message: whenever the reader gives an event
   * time, the codec decodes the message. A record dead-lettered as undecodable never moves the
   * watermark.
   */
  @Test
  void shouldGiveAnEventTimeOnlyForMessagesTheCodecDecodes() {
    Random random = new Random(21);
    int vouched = 0;
    for (Generation g : List.of(SampleRecords.generation(), SampleRecords.sparseGeneration())) {
      for (WireFormat format : WireFormat.values()) {
        byte[] valid = CODEC.encode(g, format);
        for (int cut = 0; cut < valid.length; cut++) {
          byte[] truncated = Arrays.copyOf(valid, cut);
          assertThat(createdAt.read(truncated))
              .as(format + " cut at " + cut)
              .isEqualTo(EventTimeReader.UNKNOWN);
        }
        for (int i = 0; i < 1_000; i++) {
          byte[] corrupt = valid.clone();
          int flips = 1 + random.nextInt(3);
          for (int f = 0; f < flips; f++) {
            // The Avro header is left alone: a changed fingerprint is covered above.
            int at =
                format == WireFormat.AVRO
                    ? 10 + random.nextInt(corrupt.length - 10)
                    : random.nextInt(corrupt.length);
            corrupt[at] = (byte) random.nextInt(256);
          }
          if (createdAt.read(corrupt) != EventTimeReader.UNKNOWN) {
            vouched++;
            if (format == WireFormat.AVRO) {
              assertThat(CODEC.decode(corrupt).isOk()).as("AVRO corruption " + i).isTrue();
            }
          }
        }
      }
    }
    assertThat(vouched).as("corruptions inside strings still decode, and read").isPositive();
  }

  @Test
  void shouldRefuseAFieldThatIsNotATopLevelLong() {
    assertThatThrownBy(() -> EventTimeReader.of(Generation.class, "groupId"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupId");
  }
}
