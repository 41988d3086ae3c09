package io.lodestar.tools.loop;

import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.testkit.traffic.TabularPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the simulated inference fleet knows of the trainer: every {@code PolicyUpdate} of one model
 * on the control topic, with the policy file its {@code checkpointUri} names loaded, by version.
 */
final class PolicyFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyFeed.class);

  private final NavigableMap<Long, TabularPolicy> versions = new ConcurrentSkipListMap<>();
  private final AtomicInteger unreadable = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  private PolicyFeed(String bootstrap, String topic, String modelId) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    RecordCodec<PolicyUpdate> codec = RecordCodec.of(PolicyUpdate.class);
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> record :
                      consumer.poll(Duration.ofMillis(200))) {
                    take(codec.decode(record.value()), modelId);
                  }
                }
              }
            },
            "policy-feed");
    thread.setDaemon(true);
    thread.start();
  }

  static PolicyFeed start(String bootstrap, String topic, String modelId) {
    return new PolicyFeed(bootstrap, topic, modelId);
  }

  private void take(DecodeResult<PolicyUpdate> decoded, String modelId) {
    if (!decoded.isOk()) {
      unreadable.incrementAndGet();
      return;
    }
    PolicyUpdate update = decoded.value();
    if (!modelId.equals(update.getModelId()) || update.getCheckpointUri() == null) {
      return;
    }
    try {
      TabularPolicy policy = TabularPolicy.read(Path.of(URI.create(update.getCheckpointUri())));
      if (policy.version() != update.getPolicyVersion()) {
        throw new IOException("file holds version " + policy.version());
      }
      versions.putIfAbsent(policy.version(), policy);
    } catch (IOException | RuntimeException e) {
      unreadable.incrementAndGet();
      LOG.warn(
          "policy version {} of {} not loaded from {}: {}",
          update.getPolicyVersion(),
          modelId,
          update.getCheckpointUri(),
          e.toString());
    }
  }

  /** Loaded versions, oldest first. */
  Map<Long, TabularPolicy> versions() {
    return versions;
  }

  /** The newest version {@code lag} versions behind the newest, or the oldest known. */
  TabularPolicy behindNewest(int lag) {
    long newest = versions.lastKey();
    Map.Entry<Long, TabularPolicy> entry = versions.floorEntry(newest - lag);
    return entry != null ? entry.getValue() : versions.firstEntry().getValue();
  }

  boolean isEmpty() {
    return versions.isEmpty();
  }

  int unreadable() {
    return unreadable.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
