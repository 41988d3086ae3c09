package io.lodestar.connectors.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic the way a trainer would: read_committed, from the beginning to an end offset.
 *
 * <p>A read never returns less than it promised silently: when the end is not reached in time it
 * throws, naming each partition's position and end.
 */
public final class CommittedReader {

  /** Bounds each metadata request on its own; {@code waitAtMost} bounds the waiting for data. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private CommittedReader() {}

  /**
   * Every committed record value of {@code topic} up to its last stable offsets at the time of the
   * call. Records of a transaction still open (or whose commit markers are not yet written) are
   * left out; use {@link #readAllSettled} after the writers have finished.
   */
  public static List<byte[]> readAll(String bootstrapServers, String topic, Duration waitAtMost) {
    long deadline = System.nanoTime() + waitAtMost.toNanos();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      List<TopicPartition> partitions = partitions(admin, topic);
      if (partitions.isEmpty()) {
        return List.of();
      }
      return readTo(
          bootstrapServers,
          topic,
          ends(admin, partitions, IsolationLevel.READ_COMMITTED),
          deadline);
    }
  }

  /**
   * Every committed record value of {@code topic} once no transaction is pending on it: waits until
   * each partition's last stable offset has caught up with its high watermark. A committing writer
   * returns before the broker has written the commit markers, so a read right after a job finishes
   * can otherwise miss its last transaction.
   */
  public static List<byte[]> readAllSettled(
      String bootstrapServers, String topic, Duration waitAtMost) {
    long deadline = System.nanoTime() + waitAtMost.toNanos();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      List<TopicPartition> partitions = partitions(admin, topic);
      if (partitions.isEmpty()) {
        return List.of();
      }
      while (true) {
        Map<TopicPartition, Long> stable = ends(admin, partitions, IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, Long> latest = ends(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
        if (stable.equals(latest)) {
          return readTo(bootstrapServers, topic, stable, deadline);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "transactions still pending on topic "
                  + topic
                  + " after "
                  + waitAtMost.toMillis()
                  + " ms: last stable offsets "
                  + stable
                  + ", high watermarks "
                  + latest);
        }
        sleep(100);
      }
    }
  }

  /**
   * Why a read_committed reader may not see everything written to {@code topic}: each partition's
   * last stable offset against its high watermark, and the broker's open transactions on the topic
   * with their age. For failure messages; it never throws.
   */
  public static String describePending(String bootstrapServers, String topic) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      List<TopicPartition> partitions = partitions(admin, topic);
      if (partitions.isEmpty()) {
        return "topic " + topic + " does not exist";
      }
      Map<TopicPartition, Long> stable = ends(admin, partitions, IsolationLevel.READ_COMMITTED);
      Map<TopicPartition, Long> latest = ends(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
      StringBuilder out = new StringBuilder("topic ").append(topic).append(':');
      partitions.forEach(
          p ->
              out.append(" p")
                  .append(p.partition())
                  .append(" stable ")
                  .append(stable.get(p))
                  .append(" of ")
                  .append(latest.get(p))
                  .append(';'));
      List<String> ongoing = new ArrayList<>();
      for (TransactionListing listing :
          get(
              admin
                  .listTransactions(
                      new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                  .all(),
              "list open transactions")) {
        ongoing.add(listing.transactionalId());
      }
      long now = System.currentTimeMillis();
      StringBuilder open = new StringBuilder();
      if (!ongoing.isEmpty()) {
        for (Map.Entry<String, TransactionDescription> e :
            get(admin.describeTransactions(ongoing).all(), "describe open transactions")
                .entrySet()) {
          TransactionDescription d = e.getValue();
          if (d.topicPartitions().stream().anyMatch(tp -> tp.topic().equals(topic))) {
            open.append(' ').append(e.getKey()).append(" (").append(d.state());
            d.transactionStartTimeMs()
                .ifPresent(start -> open.append(", open ").append(now - start).append(" ms"));
            open.append(')');
          }
        }
      }
      return out.append(" open transactions:")
          .append(open.length() == 0 ? " none" : open)
          .toString();
    } catch (RuntimeException e) {
      return "pending state of topic " + topic + " unavailable (" + e + ")";
    }
  }

  private static List<byte[]> readTo(
      String bootstrapServers, String topic, Map<TopicPartition, Long> end, long deadline) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", "false");
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(end.keySet());
      consumer.seekToBeginning(end.keySet());
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          Map<TopicPartition, Long> positions = new HashMap<>();
          end.keySet().forEach(p -> positions.put(p, consumer.position(p)));
          throw new IllegalStateException(
              "read of topic "
                  + topic
                  + " timed out at positions "
                  + positions
                  + " of end offsets "
                  + end
                  + " after "
                  + values.size()
                  + " records");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          // A poll can run past the end taken at the start; those records belong to a later read.
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            values.add(record.value());
          }
        }
      }
    }
    return values;
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The topic's partitions; none for a topic that does not exist (it holds no records). */
  private static List<TopicPartition> partitions(Admin admin, String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    try {
      get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
          .get(topic)
          .partitions()
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof ExecutionException
          && e.getCause().getCause() instanceof UnknownTopicOrPartitionException)) {
        throw e;
      }
    }
    return partitions;
  }

  private static Map<TopicPartition, Long> ends(
      Admin admin, List<TopicPartition> partitions, IsolationLevel isolation) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(p -> specs.put(p, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    get(
            admin.listOffsets(specs, new ListOffsetsOptions(isolation)).all(),
            "list end offsets of " + partitions)
        .forEach((p, info) -> ends.put(p, info.offset()));
    return ends;
  }

  private static <T> T get(KafkaFuture<T> future, String what) {
    try {
      return future.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not " + what + ": " + e, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pending transactions", e);
    }
  }
}
