package io.lodestar.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.TaskMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the data contracts: every schema compiled into this build must read data written by every
 * released version, and every released version must read data written by this build, because
 * producers, Lodestar and trainers upgrade at different times.
 */
class SchemaCompatibilityTest {

  static Stream<Arguments> releasedRecords() {
    List<Arguments> cases = new ArrayList<>();
    for (String version : ShippedSchemas.releasedVersions()) {
      for (String fullName : ShippedSchemas.released(version).keySet()) {
        cases.add(Arguments.of(version, fullName));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{1} reads {0}")
  @MethodSource("releasedRecords")
  void currentSchemaReadsEveryReleasedVersion(String version, String fullName) {
    Schema released = ShippedSchemas.released(version).get(fullName);
    List<String> problems = incompatibilities(currentSchema(fullName), released);
    if (!problems.isEmpty()) {
      fail("current %s cannot read data written by released %s: %s", fullName, version, problems);
    }
  }

  @ParameterizedTest(name = "{0} reads current {1}")
  @MethodSource("releasedRecords")
  void everyReleasedVersionReadsCurrentData(String version, String fullName) {
    Schema released = ShippedSchemas.released(version).get(fullName);
    List<String> problems = incompatibilities(released, currentSchema(fullName));
    if (!problems.isEmpty()) {
      fail(
          "released %s of %s cannot read data written by the current one: %s",
          version, fullName, problems);
    }
  }

  @Test
  void everyReleaseShipsAtLeastTheCoreRecords() {
    // Without this, an empty or misread history would let the parameterized checks pass vacuously.
    assertThat(ShippedSchemas.releasedVersions()).isNotEmpty();
    for (String version : ShippedSchemas.releasedVersions()) {
      assertThat(ShippedSchemas.released(version))
          .as("records of release %s", version)
          .containsKeys(
              "io.lodestar.schema.Generation",
              "io.lodestar.schema.Feedback",
              "io.lodestar.schema.DeadLetter");
    }
  }

  @Test
  void everyNullableFieldDefaultsToNull() {
    List<String> offenders = new ArrayList<>();
    for (Schema record : currentRecords().values()) {
      offenders.addAll(nullableFieldsWithoutNullDefault(record));
    }
    assertThat(offenders).as("nullable fields without a null default").isEmpty();
  }

  @Test
  void fieldsAddedSinceAReleaseHaveDefaults() {
    Map<String, Schema> current = currentRecords();
    List<String> offenders = new ArrayList<>();
    for (String version : ShippedSchemas.releasedVersions()) {
      Map<String, Schema> released = new LinkedHashMap<>();
      for (Schema top : ShippedSchemas.released(version).values()) {
        collectRecords(top, released);
      }
      for (Schema record : current.values()) {
        Schema old = released.get(record.getFullName());
        if (old != null) {
          for (String field : addedFieldsWithoutDefault(record, old)) {
            offenders.add(field + " (absent in " + version + ")");
          }
        }
      }
    }
    assertThat(offenders).as("fields added since a release without a default").isEmpty();
  }

  @Test
  void topLogprobsTravelBetweenTheFirstReleaseAndTheCurrentSchemaBothWays() throws IOException {
    Schema first = ShippedSchemas.released("0.1.0").get("io.lodestar.schema.Generation");
    Generation current =
        Generation.newBuilder()
            .setGenerationId("g")
            .setPromptId("p")
            .setGroupId("grp")
            .setPrompt(List.of(ChatMessage.newBuilder().setRole("user").setContent("q").build()))
            .setResponse("a")
            .setTask(TaskMetadata.newBuilder().build())
            .setPolicy(Policy.newBuilder().setModelId("m").build())
            .setResponseTokenIds(List.of(5))
            .setResponseLogprobs(List.of(-0.5f))
            .setTopLogprobs(List.of(List.of(-0.5f, -1.25f)))
            .setCreatedAtMs(1L)
            .build();

    // An old reader skips the new field.
    GenericRecord oldView =
        decode(encode(current, Generation.getClassSchema()), current.getSchema(), first, false);
    assertThat(oldView.get("generationId").toString()).isEqualTo("g");
    assertThat(oldView.getSchema().getField("topLogprobs")).isNull();

    // An old record reads as one without top-k.
    Generation fromOld = decode(encode(oldView, first), first, Generation.getClassSchema(), true);
    assertThat(fromOld.getTopLogprobs()).isNull();
    assertThat(fromOld.getResponseLogprobs()).containsExactly(-0.5f);

    Generation roundTripped =
        decode(
            encode(current, Generation.getClassSchema()),
            Generation.getClassSchema(),
            Generation.getClassSchema(),
            true);
    assertThat(roundTripped.getTopLogprobs()).containsExactly(List.of(-0.5f, -1.25f));
  }

  // --- The checks above must be able to fail: each is run here against a deliberately broken copy.

  @Test
  void checkerRejectsANewRequiredFieldWithoutDefault() {
    Schema released = Generation.getClassSchema();
    Schema broken =
        withExtraField(
            released,
            new Schema.Field(
                "reviewer", Schema.create(Schema.Type.STRING), "added without a default"));

    SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(broken, released);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(result.getResult().getIncompatibilities())
        .extracting(Incompatibility::getType)
        .contains(SchemaCompatibility.SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE);
    assertThat(incompatibilities(broken, released)).singleElement().asString().contains("reviewer");
    assertThat(addedFieldsWithoutDefault(broken, released))
        .containsExactly("io.lodestar.schema.Generation.reviewer");
  }

  @Test
  void checkerRejectsARemovedRequiredFieldForOldReaders() {
    Schema released = Generation.getClassSchema();
    Schema withoutPromptId =
        parseEdited(released, "{\"name\":\"promptId\",", "{\"name\":\"promptKey\",");

    assertThat(incompatibilities(withoutPromptId, released)).isNotEmpty();
    assertThat(incompatibilities(released, withoutPromptId))
        .singleElement()
        .asString()
        .contains("promptId");
  }

  @Test
  void checkerRejectsAChangedFieldType() {
    Schema released = Generation.getClassSchema();
    Schema changed =
        parseEdited(
            released,
            "{\"name\":\"createdAtMs\",\"type\":\"long\"",
            "{\"name\":\"createdAtMs\",\"type\":\"string\"");

    assertThat(incompatibilities(changed, released)).isNotEmpty();
    assertThat(incompatibilities(released, changed)).isNotEmpty();
  }

  @Test
  void nullableFieldCheckFlagsAMissingNullDefault() {
    Schema record =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Probe\","
                    + "\"namespace\":\"io.lodestar.test\",\"fields\":["
                    + "{\"name\":\"ok\",\"type\":[\"null\",\"string\"],\"default\":null},"
                    + "{\"name\":\"noDefault\",\"type\":[\"null\",\"string\"]},"
                    + "{\"name\":\"stringDefault\",\"type\":[\"string\",\"null\"],"
                    + "\"default\":\"x\"}]}");

    assertThat(nullableFieldsWithoutNullDefault(record))
        .containsExactly(
            "io.lodestar.test.Probe.noDefault", "io.lodestar.test.Probe.stringDefault");
  }

  // --- helpers

  private static byte[] encode(Object record, Schema schema) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<Object>(schema, SpecificData.get()).write(record, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static <T> T decode(byte[] bytes, Schema writer, Schema reader, boolean specific)
      throws IOException {
    DatumReader<Object> datumReader =
        specific
            ? new SpecificDatumReader<>(writer, reader)
            : new GenericDatumReader<>(writer, reader);
    return (T) datumReader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }

  /** Avro's own verdict on whether {@code reader} can read data written with {@code writer}. */
  private static List<String> incompatibilities(Schema reader, Schema writer) {
    SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    List<String> problems = new ArrayList<>();
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
        problems.add(
            incompatibility.getType()
                + " at "
                + incompatibility.getLocation()
                + ": "
                + incompatibility.getMessage());
      }
      if (problems.isEmpty()) {
        problems.add(result.getDescription());
      }
    }
    return problems;
  }

  private static Schema currentSchema(String fullName) {
    try {
      Class<?> generated = Class.forName(fullName);
      return SpecificData.get().getSchema(generated);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(
          "released record " + fullName + " has no generated class any more", e);
    }
  }

  /** Every record of this build, nested ones included, by full name. */
  private static Map<String, Schema> currentRecords() {
    Map<String, Schema> records = new LinkedHashMap<>();
    for (String version : ShippedSchemas.releasedVersions()) {
      for (String fullName : ShippedSchemas.released(version).keySet()) {
        collectRecords(currentSchema(fullName), records);
      }
    }
    return records;
  }

  private static void collectRecords(Schema schema, Map<String, Schema> into) {
    switch (schema.getType()) {
      case RECORD:
        if (into.putIfAbsent(schema.getFullName(), schema) == null) {
          for (Schema.Field field : schema.getFields()) {
            collectRecords(field.schema(), into);
          }
        }
        break;
      case ARRAY:
        collectRecords(schema.getElementType(), into);
        break;
      case MAP:
        collectRecords(schema.getValueType(), into);
        break;
      case UNION:
        for (Schema branch : schema.getTypes()) {
          collectRecords(branch, into);
        }
        break;
      default:
        break;
    }
  }

  private static List<String> nullableFieldsWithoutNullDefault(Schema record) {
    List<String> offenders = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      boolean nullable =
          field.schema().isUnion()
              && field.schema().getTypes().stream()
                  .anyMatch(branch -> branch.getType() == Schema.Type.NULL);
      boolean defaultsToNull =
          field.hasDefaultValue() && field.defaultVal() == JsonProperties.NULL_VALUE;
      if (nullable && !defaultsToNull) {
        offenders.add(record.getFullName() + "." + field.name());
      }
    }
    return offenders;
  }

  private static List<String> addedFieldsWithoutDefault(Schema current, Schema released) {
    List<String> offenders = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      boolean existed =
          released.getField(field.name()) != null
              || field.aliases().stream().anyMatch(alias -> released.getField(alias) != null);
      if (!existed && !field.hasDefaultValue()) {
        offenders.add(current.getFullName() + "." + field.name());
      }
    }
    return offenders;
  }

  private static Schema withExtraField(Schema record, Schema.Field extra) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(extra);
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  /** Parses a copy of {@code schema} with one textual edit, failing loudly if the edit misses. */
  private static Schema parseEdited(Schema schema, String target, String replacement) {
    String json = schema.toString();
    assertThat(json).as("schema text to edit").contains(target);
    return new Schema.Parser().parse(json.replace(target, replacement));
  }
}
