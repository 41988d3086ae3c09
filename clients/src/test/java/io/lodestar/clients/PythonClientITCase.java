package io.lodestar.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.operators.batch.TrainerSamples;
import io.lodestar.operators.preference.PreferenceSamples;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schemas.ShippedSchemas;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python trainer client's tests ({@code clients/python/tests}) against a real in-process
 * broker and records written by Lodestar's own codecs: both wire formats, transactions the pipeline
 * committed and aborted, corrupt records, a writer schema newer than the client's, and the trainer
 * rows of {@code docs/exports.md} as the Java exports build them. The client's {@code PolicyUpdate}
 * records are read back here with the codec the pipeline reads them with.
 */
class PythonClientITCase {

  private static final Path CLIENT = Path.of("python").toAbsolutePath();
  private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
  private static final Path FIXTURES = Path.of("target", "python-client-fixtures").toAbsolutePath();
  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String FORMATS_TOPIC = "it.batches.formats";
  private static final String PAIRS_TOPIC = "it.pairs";
  private static final String UNPAIRED_TOPIC = "it.unpaired";
  private static final String REPLAY_TOPIC = "it.batches.replay";
  private static final String NEWER_TOPIC = "it.batches.newer";
  private static final String POLICY_TOPIC = "it.policy-updates";

  private static final RecordCodec<RLBatch> BATCHES = RecordCodec.of(RLBatch.class);
  private static final RecordCodec<PreferencePair> PAIRS = RecordCodec.of(PreferencePair.class);
  private static final RecordCodec<UnpairedExample> UNPAIRED =
      RecordCodec.of(UnpairedExample.class);
  private static final RecordCodec<PolicyUpdate> POLICY_UPDATES =
      RecordCodec.of(PolicyUpdate.class);

  private static EmbeddedKafka kafka;
  private static String missingPythonModules;

  @BeforeAll
  static void startBrokerAndWriteFixtures() throws Exception {
    missingPythonModules = missingPythonModules();
    if (!missingPythonModules.isEmpty()) {
      return;
    }
    kafka = EmbeddedKafka.start();
    kafka.createTopics(1, FORMATS_TOPIC, PAIRS_TOPIC, UNPAIRED_TOPIC, NEWER_TOPIC, POLICY_TOPIC);
    kafka.createTopics(2, REPLAY_TOPIC);
    Files.createDirectories(FIXTURES);
    ObjectNode topics = JSON.createObjectNode();
    topics.set("formats", formatsTopic());
    topics.set("pairs", pairsTopics());
    topics.set("replay", replayTopic());
    topics.set("newer", newerTopic());
    topics.put("policy_updates", POLICY_TOPIC);
    write("topics.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(topics));
    writeCodecFixtures();
    writeRowFixtures();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void decodesBothWireFormatsAsTheJavaCodecWritesThem() throws Exception {
    runPython("tests.test_codec", "tests.test_benchmark");
  }

  @Test
  void buildsTheTrainerRowsTheJavaExportsWrite() throws Exception {
    runPython("tests.test_rows");
  }

  @Test
  void laysOutAKnownBatchInVerlsTensorLayout() throws Exception {
    runPython("tests.test_verl");
  }

  @Test
  void readsOnlyCommittedRecordsAndReportsSkipsAndCountsCorruptOnes() throws Exception {
    runPython("tests.test_reader");
  }

  @Test
  void acknowledgementsSurviveRebalancesFailedCommitsAndBrokerErrors() throws Exception {
    runPython("tests.test_acknowledgement");
  }

  @Test
  void aKilledTrainerGetsEveryUnacknowledgedBatchAgain() throws Exception {
    runPython("tests.test_replay");
  }

  @Test
  void theLearningLoopTrainerStepsOnAdvantagesAndCheckpointsWhatItSteppedOn() throws Exception {
    runPython("tests.test_tabular_reinforce");
  }

  @Test
  void recordsOfANewerWriterSchemaResolveOnceTheClientIsGivenThatSchema() throws Exception {
    runPython("tests.test_newer_schema");
  }

  @Test
  void policyUpdatesPublishedByTheClientDecodeWithThePipelinesCodec() throws Exception {
    runPython("tests.test_policy_updates");

    List<ConsumerRecord<byte[], byte[]>> records = readCommitted(POLICY_TOPIC, 2);
    List<PolicyUpdate> updates = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      DecodeResult<PolicyUpdate> decoded = POLICY_UPDATES.decode(record.value());
      assertThat(decoded.isOk())
          .withFailMessage(
              () -> "not a PolicyUpdate: " + decoded.errorKind() + ": " + decoded.reason())
          .isTrue();
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("policy-7b");
      updates.add(decoded.value());
    }
    // The first was sent in Avro single-object encoding, the second as plain JSON.
    assertThat(records.get(0).value()[0]).isEqualTo((byte) 0xC3);
    assertThat(records.get(1).value()[0]).isEqualTo((byte) '{');
    assertThat(updates)
        .containsExactly(
            PolicyUpdate.newBuilder()
                .setModelId("policy-7b")
                .setPolicyVersion(6)
                .setPublishedAtMs(TrainerRecords.CLOSED_AT_MS + 1_000)
                .setTrainerId("grpo-run-17")
                .setTrainingStep(120L)
                .setCheckpointUri("s3://checkpoints/grpo-run-17/step-120")
                .build(),
            PolicyUpdate.newBuilder()
                .setModelId("policy-7b")
                .setPolicyVersion(7)
                .setPublishedAtMs(TrainerRecords.CLOSED_AT_MS + 2_000)
                .setTrainerId("grpo-run-17")
                .setTrainingStep(140L)
                .setCheckpointUri(null)
                .build());
  }

  // ------------------------------------------------------------------ topics

  /**
   * Committed Avro and JSON batches, an aborted transaction, and every kind of corrupt record
   * between them, on one partition so their order is known.
   */
  private static ObjectNode formatsTopic() throws Exception {
    RLBatch b1 = TrainerRecords.batch("fmt-b1", 0, 2, 4, 16);
    RLBatch b2 = TrainerRecords.batch("fmt-b2", 1, 2, 4, 16);
    RLBatch aborted = TrainerRecords.batch("fmt-aborted", 2, 1, 2, 4);
    RLBatch b3 = TrainerRecords.batch("fmt-b3", 3, 1, 4, 8);
    RLBatch b4 = TrainerRecords.batch("fmt-b4", 4, 3, 2, 8);
    byte[] avro = BATCHES.encode(b3, WireFormat.AVRO);
    byte[] unknownFingerprint = avro.clone();
    unknownFingerprint[5] ^= 0x5A;
    ObjectNode missingField = (ObjectNode) JSON.readTree(BATCHES.encode(b3, WireFormat.JSON));
    missingField.remove("batchId");
    missingField.put("note", "PAYLOAD-MARKER");

    try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("it-formats")) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, FORMATS_TOPIC, b1.getBatchId(), BATCHES.encode(b1, WireFormat.AVRO));
      send(producer, FORMATS_TOPIC, b2.getBatchId(), BATCHES.encode(b2, WireFormat.JSON));
      producer.commitTransaction();
      producer.beginTransaction();
      send(producer, FORMATS_TOPIC, aborted.getBatchId(), BATCHES.encode(aborted, WireFormat.AVRO));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      send(
          producer,
          FORMATS_TOPIC,
          "garbage",
          "PAYLOAD-MARKER is not a record".getBytes(StandardCharsets.UTF_8));
      send(producer, FORMATS_TOPIC, b3.getBatchId(), avro);
      send(producer, FORMATS_TOPIC, "truncated", Arrays.copyOf(avro, avro.length / 2));
      send(producer, FORMATS_TOPIC, "unknown-fingerprint", unknownFingerprint);
      send(producer, FORMATS_TOPIC, "missing-field", JSON.writeValueAsBytes(missingField));
      send(producer, FORMATS_TOPIC, "empty", new byte[0]);
      send(
          producer,
          FORMATS_TOPIC,
          "a-pair",
          PAIRS.encode(TrainerRecords.pair("pair-x", null, "gen-a1"), WireFormat.AVRO));
      send(producer, FORMATS_TOPIC, b4.getBatchId(), BATCHES.encode(b4, WireFormat.JSON));
      producer.commitTransaction();
    }
    for (RLBatch batch : List.of(b1, b2, b3, b4)) {
      write("expected/" + batch.getBatchId() + ".json", BATCHES.encode(batch, WireFormat.JSON));
    }
    ObjectNode topic = JSON.createObjectNode();
    topic.put("topic", FORMATS_TOPIC);
    topic.set("batches", strings("fmt-b1", "fmt-b2", "fmt-b3", "fmt-b4"));
    topic.set("formats", strings("avro", "json", "avro", "json"));
    topic.put("aborted", aborted.getBatchId());
    topic.put("marker", "PAYLOAD-MARKER");
    ObjectNode corrupt = topic.putObject("corrupt");
    corrupt.put("UNRECOGNIZED_ENCODING", 1);
    corrupt.put("MALFORMED", 2);
    corrupt.put("UNKNOWN_SCHEMA", 2);
    corrupt.put("EMPTY", 1);
    return topic;
  }

  private static ObjectNode pairsTopics() throws Exception {
    PreferencePair vote = TrainerRecords.pair("pair-vote", null, "gen-a1");
    PreferencePair margin = TrainerRecords.pair("pair-margin", 0.75, null);
    UnpairedExample liked = TrainerRecords.unpaired("example-up", true);
    UnpairedExample disliked = TrainerRecords.unpaired("example-down", false);
    try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("it-pairs")) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, PAIRS_TOPIC, "pair-vote", PAIRS.encode(vote, WireFormat.AVRO));
      send(producer, PAIRS_TOPIC, "pair-margin", PAIRS.encode(margin, WireFormat.JSON));
      send(producer, UNPAIRED_TOPIC, "example-up", UNPAIRED.encode(liked, WireFormat.JSON));
      send(producer, UNPAIRED_TOPIC, "example-down", UNPAIRED.encode(disliked, WireFormat.AVRO));
      producer.commitTransaction();
    }
    ObjectNode topic = JSON.createObjectNode();
    topic.put("pairs", PAIRS_TOPIC);
    topic.put("unpaired", UNPAIRED_TOPIC);
    topic.set("pair_ids", strings("pair-vote", "pair-margin"));
    topic.set("example_ids", strings("example-up", "example-down"));
    return topic;
  }

  /** Eight batches over two partitions, alternating wire formats. */
  private static ObjectNode replayTopic() throws Exception {
    ArrayNode expected = JSON.createArrayNode();
    try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("it-replay")) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 8; i++) {
        RLBatch batch = TrainerRecords.batch("replay-b" + i, i, 1, 2, 4);
        WireFormat format = i % 3 == 0 ? WireFormat.JSON : WireFormat.AVRO;
        producer.send(
            new ProducerRecord<>(
                REPLAY_TOPIC, i % 2, key(batch.getBatchId()), BATCHES.encode(batch, format)));
        expected.add(batch.getBatchId());
      }
      producer.commitTransaction();
    }
    ObjectNode topic = JSON.createObjectNode();
    topic.put("topic", REPLAY_TOPIC);
    topic.set("batches", expected);
    return topic;
  }

  /**
   * A release after the client's: RLBatch gains a field at the end, each RLSample one in the
   * middle, and FinishReason a symbol. The newer schema is written where the client can be pointed
   * at it.
   */
  private static ObjectNode newerTopic() throws Exception {
    RLBatch current = TrainerRecords.batch("newer-b1", 0, 2, 2, 6);
    Schema newer = newerBatchSchema();
    GenericRecord record = asNewer(current, newer);
    record.put("curriculumStage", "stage-2");
    for (Object group : (List<?>) record.get("groups")) {
      for (Object sample : (List<?>) ((GenericRecord) group).get("samples")) {
        ((GenericRecord) sample).put("toolCalls", 3);
      }
    }
    GenericRecord firstSample =
        (GenericRecord)
            ((List<?>) ((GenericRecord) ((List<?>) record.get("groups")).get(0)).get("samples"))
                .get(0);
    firstSample.put(
        "finishReason",
        new GenericData.EnumSymbol(
            firstSample.getSchema().getField("finishReason").schema(), "CONTENT_FILTER"));
    byte[] newerAvro =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record).array();

    ObjectNode newerJson = (ObjectNode) JSON.readTree(BATCHES.encode(current, WireFormat.JSON));
    newerJson.put("curriculumStage", "stage-2");
    for (JsonNode group : newerJson.get("groups")) {
      for (JsonNode sample : group.get("samples")) {
        ((ObjectNode) sample).put("toolCalls", 3);
      }
    }
    ((ObjectNode) newerJson.get("groups").get(0).get("samples").get(0))
        .put("finishReason", "CONTENT_FILTER");

    RLBatch plain = TrainerRecords.batch("newer-b2", 1, 1, 2, 6);
    try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("it-newer")) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, NEWER_TOPIC, "newer-avro", newerAvro);
      send(producer, NEWER_TOPIC, "newer-json", JSON.writeValueAsBytes(newerJson));
      send(producer, NEWER_TOPIC, plain.getBatchId(), BATCHES.encode(plain, WireFormat.AVRO));
      producer.commitTransaction();
    }
    // What the client's (current) schema must make of the newer record.
    RLBatch seen = RLBatch.newBuilder(current).build();
    seen.getGroups().get(0).getSamples().get(0).setFinishReason(FinishReason.UNKNOWN);
    write("expected/newer-b1.json", BATCHES.encode(seen, WireFormat.JSON));
    write("expected/newer-b2.json", BATCHES.encode(plain, WireFormat.JSON));
    write("newer-schemas/RLBatch.avsc", newer.toString(true).getBytes(StandardCharsets.UTF_8));

    ObjectNode topic = JSON.createObjectNode();
    topic.put("topic", NEWER_TOPIC);
    topic.put("schemas", FIXTURES.resolve("newer-schemas").toString());
    topic.put(
        "fingerprint", String.format("%016X", SchemaNormalization.parsingFingerprint64(newer)));
    return topic;
  }

  private static Schema newerBatchSchema() throws IOException {
    ObjectNode batch = (ObjectNode) JSON.readTree(RLBatch.getClassSchema().toString());
    ((ArrayNode) batch.get("fields"))
        .addObject()
        .put("name", "curriculumStage")
        .put("type", "string")
        .put("default", "none");
    ObjectNode group = (ObjectNode) field(batch, "groups").get("type").get("items");
    ObjectNode sample = (ObjectNode) field(group, "samples").get("type").get("items");
    ArrayNode sampleFields = (ArrayNode) sample.get("fields");
    ObjectNode toolCalls =
        JSON.createObjectNode().put("name", "toolCalls").put("type", "int").put("default", 0);
    sampleFields.insert(2, toolCalls);
    ArrayNode finishSymbols = (ArrayNode) field(sample, "finishReason").get("type").get("symbols");
    finishSymbols.add("CONTENT_FILTER");
    return new Schema.Parser().parse(JSON.writeValueAsString(batch));
  }

  private static JsonNode field(JsonNode record, String name) {
    for (JsonNode f : record.get("fields")) {
      if (f.get("name").asText().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no field " + name);
  }

  /** The record read with the newer schema: every new field at its default. */
  private static GenericRecord asNewer(RLBatch batch, Schema newer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<RLBatch>(RLBatch.getClassSchema()).write(batch, encoder);
    encoder.flush();
    GenericDatumReader<GenericRecord> reader =
        new GenericDatumReader<>(RLBatch.getClassSchema(), newer);
    return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  // ------------------------------------------------------------------ files

  /** The same records in both formats, and the fingerprint of every schema this build ships. */
  private static void writeCodecFixtures() throws IOException {
    RLBatch known = TrainerRecords.knownBatch();
    write("known-batch.avro", BATCHES.encode(known, WireFormat.AVRO));
    write("known-batch.json", BATCHES.encode(known, WireFormat.JSON));
    RLBatch large = TrainerRecords.batch("large", 9, 8, 8, 256);
    write("large-batch.avro", BATCHES.encode(large, WireFormat.AVRO));
    write("large-batch.json", BATCHES.encode(large, WireFormat.JSON));
    PreferencePair margin = TrainerRecords.pair("pair-margin", 0.75, null);
    write("pair.avro", PAIRS.encode(margin, WireFormat.AVRO));
    write("pair.json", PAIRS.encode(margin, WireFormat.JSON));
    UnpairedExample example = TrainerRecords.unpaired("example-up", true);
    write("unpaired.avro", UNPAIRED.encode(example, WireFormat.AVRO));
    write("unpaired.json", UNPAIRED.encode(example, WireFormat.JSON));
    PolicyUpdate update =
        PolicyUpdate.newBuilder()
            .setModelId("policy-7b")
            .setPolicyVersion(6)
            .setPublishedAtMs(TrainerRecords.CLOSED_AT_MS)
            .setTrainerId("grpo-run-17")
            .setTrainingStep(120L)
            .build();
    write("policy-update.avro", POLICY_UPDATES.encode(update, WireFormat.AVRO));
    write("policy-update.json", POLICY_UPDATES.encode(update, WireFormat.JSON));

    ObjectNode fingerprints = JSON.createObjectNode();
    ObjectNode current = fingerprints.putObject("current");
    for (Schema schema :
        List.of(
            RLBatch.getClassSchema(),
            PreferencePair.getClassSchema(),
            UnpairedExample.getClassSchema(),
            PolicyUpdate.getClassSchema())) {
      current.put(
          schema.getFullName(),
          String.format("%016X", SchemaNormalization.parsingFingerprint64(schema)));
    }
    for (String version : ShippedSchemas.releasedVersions()) {
      ObjectNode released = fingerprints.putObject(version);
      for (Map.Entry<String, Schema> schema : ShippedSchemas.released(version).entrySet()) {
        released.put(
            schema.getKey(),
            String.format("%016X", SchemaNormalization.parsingFingerprint64(schema.getValue())));
      }
    }
    write(
        "fingerprints.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(fingerprints));
  }

  /** The rows the trainer-file exports write for the known batch, the pairs and the examples. */
  private static void writeRowFixtures() throws IOException {
    RLBatch known = TrainerRecords.knownBatch();
    lines(
        "rows/trl.jsonl",
        TrainerSamples.trl(known).stream()
            .map(PlainJson::toJsonString)
            .collect(Collectors.toList()));
    lines(
        "rows/verl.jsonl",
        TrainerSamples.verl(known).stream()
            .map(PlainJson::toJsonString)
            .collect(Collectors.toList()));
    List<PreferencePair> pairs =
        List.of(
            TrainerRecords.pair("pair-vote", null, "gen-a1"),
            TrainerRecords.pair("pair-margin", 0.75, null));
    lines("pairs.jsonl", pairs.stream().map(PAIRS::toJson).collect(Collectors.toList()));
    lines(
        "rows/trl-preference.jsonl",
        pairs.stream()
            .map(p -> PlainJson.toJsonString(PreferenceSamples.trlConversational(p)))
            .collect(Collectors.toList()));
    lines(
        "rows/trl-preference-text.jsonl",
        pairs.stream()
            .map(p -> PlainJson.toJsonString(PreferenceSamples.trlStandard(p)))
            .collect(Collectors.toList()));
    lines(
        "rows/openrlhf.jsonl",
        pairs.stream()
            .map(p -> PlainJson.toJsonString(PreferenceSamples.openRlhf(p)))
            .collect(Collectors.toList()));
    lines(
        "rows/openai-dpo.jsonl",
        pairs.stream()
            .map(p -> PlainJson.toJsonString(PreferenceSamples.openAiDpo(p)))
            .collect(Collectors.toList()));
    List<UnpairedExample> examples =
        List.of(
            TrainerRecords.unpaired("example-up", true),
            TrainerRecords.unpaired("example-down", false));
    lines("unpaired.jsonl", examples.stream().map(UNPAIRED::toJson).collect(Collectors.toList()));
    lines(
        "rows/kto.jsonl",
        examples.stream()
            .map(e -> PlainJson.toJsonString(PreferenceSamples.kto(e)))
            .collect(Collectors.toList()));
  }

  private static void lines(String name, List<String> lines) throws IOException {
    write(name, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void write(String name, byte[] bytes) throws IOException {
    Path file = FIXTURES.resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  private static ArrayNode strings(String... values) {
    ArrayNode array = JSON.createArrayNode();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  // ------------------------------------------------------------------ Kafka

  private static KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("transactional.id", transactionalId);
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key(key), value));
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int count) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("isolation.level", "read_committed");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    assertThat(records).as("records on %s", topic).hasSize(count);
    return records;
  }

  // ------------------------------------------------------------------ Python

  /**
   * The Python modules the client needs, missing from {@value #PYTHON}; empty when all are there.
   */
  private static String missingPythonModules() throws Exception {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return PYTHON + " itself";
    }
    Process probe =
        new ProcessBuilder(
                PYTHON,
                "-c",
                "import importlib.util as u\n"
                    + "print(' '.join(m for m in ('confluent_kafka', 'avro', 'numpy') if u.find_spec(m) is None))")
            .redirectErrorStream(true)
            .start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    probe.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /**
   * Runs test modules of the client with {@code python3 -m unittest}; their whole output goes to
   * this test's output, and its end into the failure message. Only a test that needs torch may be
   * skipped, and only where torch is not installed.
   */
  private static void runPython(String... modules) throws Exception {
    assumeThat(missingPythonModules)
        .as(
            "Debian packages python3-confluent-kafka python3-avro python3-numpy (installed by .ci/run)")
        .isEmpty();
    List<String> command = new ArrayList<>(List.of(PYTHON, "-m", "unittest", "-v"));
    command.addAll(List.of(modules));
    String module = String.join(" ", modules);
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(CLIENT.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("PYTHONPATH", CLIENT.toString());
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("LODESTAR_SCHEMAS", REPOSITORY.toString());
    env.remove("LODESTAR_EXTRA_SCHEMAS");
    env.put("LODESTAR_TEST_BOOTSTRAP", kafka.bootstrapServers());
    env.put("LODESTAR_TEST_FIXTURES", FIXTURES.toString());
    Process process = builder.start();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    String text = output.get(1, TimeUnit.MINUTES);
    System.out.println("== python3 -m unittest " + module + "\n" + text);
    String tail = text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    assertThat(finished).as("%s still running after 10 minutes:\n%s", module, tail).isTrue();
    assertThat(process.exitValue()).as("python3 -m unittest %s failed:\n%s", module, tail).isZero();
    List<String> skips =
        text.lines()
            .filter(l -> l.contains(" ... skipped '"))
            .filter(l -> !l.contains("torch"))
            .collect(Collectors.toList());
    assertThat(skips).as("skipped Python tests (only torch tests may be skipped)").isEmpty();
    assertThat(text).as("unittest summary").containsPattern("(?m)^OK( \\(skipped=\\d+\\))?$");
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
