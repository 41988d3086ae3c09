package io.lodestar.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded broker is a real one: partitions, transactions and read_committed isolation. */
class EmbeddedKafkaITCase {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  @Test
  void topicsHaveTheRequestedPartitions() throws Exception {
    kafka.createTopics(3, "partitioned");
    kafka.createTopics(3, "partitioned"); // creating again is harmless
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      int partitions =
          admin
              .describeTopics(List.of("partitioned"))
              .allTopicNames()
              .get()
              .get("partitioned")
              .partitions()
              .size();
      assertThat(partitions).isEqualTo(3);
    }
  }

  @Test
  void readCommittedReadersSeeCommittedTransactionsAndNeverAbortedOnes() throws Exception {
    kafka.createTopics(3, "transactional");
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("transactional.id", "embedded-kafka-it");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 6; i++) {
        producer.send(new ProducerRecord<>("transactional", i % 3, null, bytes("committed-" + i)));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 4; i++) {
        producer.send(new ProducerRecord<>("transactional", i % 3, null, bytes("aborted-" + i)));
      }
      producer.flush();
      producer.abortTransaction();
    }

    List<String> seen = new ArrayList<>();
    for (byte[] value :
        CommittedReader.readAll(
            kafka.bootstrapServers(), "transactional", Duration.ofSeconds(30))) {
      seen.add(new String(value, StandardCharsets.UTF_8));
    }
    assertThat(seen)
        .containsExactlyInAnyOrder(
            "committed-0",
            "committed-1",
            "committed-2",
            "committed-3",
            "committed-4",
            "committed-5");
  }

  @Test
  void aSettledReadWaitsOutAnOpenTransactionAndNamesTheOffsetsWhenItStaysOpen() throws Exception {
    kafka.createTopics(1, "pending");
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("transactional.id", "embedded-kafka-pending");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("pending", bytes("first"))).get();
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("pending", bytes("open"))).get();

      assertThat(
              CommittedReader.readAll(kafka.bootstrapServers(), "pending", Duration.ofSeconds(30)))
          .extracting(v -> new String(v, StandardCharsets.UTF_8))
          .containsExactly("first");
      assertThatThrownBy(
              () ->
                  CommittedReader.readAllSettled(
                      kafka.bootstrapServers(), "pending", Duration.ofMillis(500)))
          .hasMessageContaining("transactions still pending on topic pending")
          .hasMessageContaining("pending-0");
      assertThat(CommittedReader.describePending(kafka.bootstrapServers(), "pending"))
          .contains("p0 stable 2 of 3")
          .contains("embedded-kafka-pending (Ongoing");

      producer.commitTransaction();
    }
    assertThat(
            CommittedReader.readAllSettled(
                kafka.bootstrapServers(), "pending", Duration.ofSeconds(30)))
        .extracting(v -> new String(v, StandardCharsets.UTF_8))
        .containsExactly("first", "open");
  }

  @Test
  void recordsStampedWithAnOldEventTimeOutliveTheRetentionCheck() throws Exception {
    kafka.createTopics(1, "old-event-time");
    long aYearAgo = System.currentTimeMillis() - Duration.ofDays(365).toMillis();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>("old-event-time", null, aYearAgo, null, bytes("replayed")))
          .get();
    }
    // Past several retention checks (one a second).
    Thread.sleep(3_000);

    assertThat(
            CommittedReader.readAllSettled(
                kafka.bootstrapServers(), "old-event-time", Duration.ofSeconds(30)))
        .extracting(v -> new String(v, StandardCharsets.UTF_8))
        .containsExactly("replayed");
  }

  @Test
  void aCheckedProducerNamesRecordsItCouldNotWriteWhenFlushed() {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    // Topics are never created on demand here: metadata for this one never arrives.
    props.put("max.block.ms", "500");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      producer.send(new ProducerRecord<>("no-such-topic", bytes("lost")));
      producer.send(new ProducerRecord<>("no-such-topic", bytes("lost too")));
      assertThatThrownBy(producer::flush)
          .hasMessageContaining("2 record(s) could not be written to Kafka")
          .hasMessageContaining("no-such-topic");
    }
  }

  @Test
  void aQuietTopicHasNoPendingTransactions() throws Exception {
    kafka.createTopics(2, "quiet");
    assertThat(CommittedReader.describePending(kafka.bootstrapServers(), "quiet"))
        .isEqualTo("topic quiet: p0 stable 0 of 0; p1 stable 0 of 0; open transactions: none");
  }

  @Test
  void aTopicThatDoesNotExistReadsAsEmpty() {
    assertThat(
            CommittedReader.readAll(
                kafka.bootstrapServers(), "never-created", Duration.ofSeconds(30)))
        .isEmpty();
    assertThat(
            CommittedReader.readAllSettled(
                kafka.bootstrapServers(), "never-created", Duration.ofSeconds(30)))
        .isEmpty();
  }

  @Test
  void brokerReportsItsTransactionMaximum() {
    KafkaSettings settings =
        new KafkaSettings(
            Map.of("bootstrap.servers", kafka.bootstrapServers()), "t", Duration.ofMinutes(1));
    assertThat(TransactionTimeouts.brokerMaximum(settings, Duration.ofSeconds(10)))
        .hasValue(Duration.ofMinutes(15));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
