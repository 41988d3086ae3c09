package io.lodestar.connectors.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.ScoredGeneration;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

class HandedOverTypeInfoTest {

  private final AvroTypeInfo<ScoredGeneration> avro = new AvroTypeInfo<>(ScoredGeneration.class);
  private final HandedOverTypeInfo<ScoredGeneration> handedOver = new HandedOverTypeInfo<>(avro);
  private final TypeSerializer<ScoredGeneration> plain =
      avro.createSerializer(new SerializerConfigImpl());
  private final TypeSerializer<ScoredGeneration> serializer =
      handedOver.createSerializer(new SerializerConfigImpl());

  @Test
  void copyingAHandedOverRecordReturnsTheRecordItself() {
    ScoredGeneration record = SampleRecords.scoredGeneration();

    assertThat(serializer.copy(record)).isSameAs(record);
    assertThat(serializer.copy(record, plain.createInstance())).isSameAs(record);
    assertThat(plain.copy(record)).isNotSameAs(record).isEqualTo(record);
  }

  @Test
  void serializesExactlyTheBytesOfTheWrappedType() throws Exception {
    ScoredGeneration record = SampleRecords.scoredGeneration();
    DataOutputSerializer viaHandedOver = new DataOutputSerializer(256);
    DataOutputSerializer viaAvro = new DataOutputSerializer(256);

    serializer.serialize(record, viaHandedOver);
    plain.serialize(record, viaAvro);

    assertThat(viaHandedOver.getCopyOfBuffer()).isEqualTo(viaAvro.getCopyOfBuffer());
    assertThat(serializer.deserialize(new DataInputDeserializer(viaAvro.getCopyOfBuffer())))
        .isEqualTo(record);
  }

  @Test
  void stateWrittenWithEitherTypeRestoresWithTheOther() throws Exception {
    TypeSerializerSnapshot<ScoredGeneration> fromAvro = plain.snapshotConfiguration();
    TypeSerializerSnapshot<ScoredGeneration> fromHandedOver = serializer.snapshotConfiguration();

    assertThat(fromHandedOver).isInstanceOf(fromAvro.getClass());
    assertThat(fromHandedOver.resolveSchemaCompatibility(fromAvro).isCompatibleAsIs()).isTrue();
    assertThat(fromAvro.resolveSchemaCompatibility(fromHandedOver).isCompatibleAsIs()).isTrue();
    assertThat(fromHandedOver.restoreSerializer()).isInstanceOf(AvroSerializer.class);

    ScoredGeneration record = SampleRecords.scoredGeneration();
    DataOutputSerializer written = new DataOutputSerializer(256);
    serializer.serialize(record, written);
    assertThat(
            fromAvro
                .restoreSerializer()
                .deserialize(new DataInputDeserializer(written.getCopyOfBuffer())))
        .isEqualTo(record);
  }

  @Test
  void describesTheWrappedTypeAndEqualsOnlyItsOwnKind() {
    assertThat(handedOver.getTypeClass()).isEqualTo(ScoredGeneration.class);
    assertThat(handedOver)
        .isEqualTo(new HandedOverTypeInfo<>(new AvroTypeInfo<>(ScoredGeneration.class)))
        .isNotEqualTo(avro);
    assertThat(avro).isNotEqualTo(handedOver);
    assertThat(serializer.duplicate()).isEqualTo(serializer);
    assertThat(serializer).isNotEqualTo(plain);
  }
}
