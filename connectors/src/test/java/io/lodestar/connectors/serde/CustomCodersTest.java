package io.lodestar.connectors.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Generation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated classes encode and decode themselves when {@code
 * org.apache.avro.specific.use_custom_coders} is on (every JVM the build starts sets it); the bytes
 * and the records must be exactly those of Avro's reflective path, including when the writer's
 * schema is older than the reader's.
 */
class CustomCodersTest {

  static Stream<Named<SpecificRecordBase>> records() {
    return SampleRecords.all();
  }

  @Test
  void theBuildRunsWithCustomCodersOnForTheClassesFlinkSerialises() {
    // Flink's Avro serializer uses each generated class's own MODEL$, read here the same way.
    assertThat(SpecificData.getForClass(Generation.class).useCustomCoders()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("records")
  void customCodersWriteTheBytesOfTheReflectivePath(SpecificRecordBase record) throws IOException {
    assertThat(encode(record, data(true))).isEqualTo(encode(record, data(false)));
  }

  @ParameterizedTest
  @MethodSource("records")
  void customCodersReadBackAnEqualRecord(SpecificRecordBase record) throws IOException {
    byte[] bytes = encode(record, data(false));
    SpecificDatumReader<SpecificRecordBase> reader =
        new SpecificDatumReader<>(record.getSchema(), record.getSchema(), data(true));
    assertThat(reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null)))
        .isEqualTo(record);
  }

  @Test
  void aRecordWrittenWithoutAnOptionalFieldReadsWithThatFieldsDefault() throws IOException {
    Generation generation = SampleRecords.generation();
    Schema current = Generation.getClassSchema();
    Schema.Field dropped =
        current.getFields().stream()
            .filter(Schema.Field::hasDefaultValue)
            .findFirst()
            .orElseThrow();
    List<Schema.Field> kept =
        current.getFields().stream()
            .filter(f -> !f.name().equals(dropped.name()))
            .map(f -> new Schema.Field(f, f.schema()))
            .collect(Collectors.toList());
    Schema older =
        Schema.createRecord(
            current.getName(), current.getDoc(), current.getNamespace(), false, kept);

    GenericRecord written = new GenericData.Record(older);
    for (Schema.Field field : older.getFields()) {
      written.put(field.name(), generation.get(field.name()));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(older, SpecificData.get()).write(written, encoder);
    encoder.flush();

    SpecificDatumReader<Generation> reader = new SpecificDatumReader<>(older, current, data(true));
    Generation read =
        reader.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

    Generation expected = Generation.newBuilder(generation).build();
    expected.put(dropped.name(), data(false).getDefaultValue(dropped));
    assertThat(read).isEqualTo(expected);
  }

  private static SpecificData data(boolean customCoders) {
    SpecificData data = new SpecificData();
    data.setCustomCoders(customCoders);
    return data;
  }

  private static byte[] encode(SpecificRecordBase record, SpecificData data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<SpecificRecordBase>(record.getSchema(), data).write(record, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }
}
