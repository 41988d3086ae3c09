package io.lodestar.testkit.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, combined controller and broker) running in this JVM: transactions,
 * read_committed and several partitions behave as in production. For the local demo and tests.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Starts a single-node cluster and waits until it accepts clients. */
  public static EmbeddedKafka start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            // One node: internal topics cannot have more replicas than that.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "4")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "4")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            // Sinks stamp records with their event time, and replayed or simulated traffic can be
            // older than the default 7-day retention: the next retention check would delete it.
            .setConfigProp("log.retention.ms", "-1")
            // Checked from the start and every second (not after 30 s, then every 5 minutes), so a
            // retention fault shows at once rather than in whichever test runs at the time.
            .setConfigProp("log.retention.check.interval.ms", "1000")
            .setConfigProp("log.initial.task.delay.ms", "0")
            .build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new EmbeddedKafka(cluster);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * Creates the topics that do not exist yet, each with {@code partitions} partitions, and returns
   * once every partition of every named topic has a leader, so clients started next find them.
   */
  public void createTopics(int partitions, String... topics) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, partitions, (short) 1));
        }
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, List.of(topics));
    }
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions and the given topic configs (for
   * example a larger {@code max.message.bytes} for an input that must accept oversized records),
   * and returns once every partition has a leader.
   */
  public void createTopic(String topic, int partitions, Map<String, String> configs)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
      awaitLeaders(admin, List.of(topic));
    }
  }

  private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        if (described.values().stream()
            .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null))) {
          return;
        }
      } catch (ExecutionException e) {
        // A topic just created may not be in the broker's metadata yet; anything else is a real
        // failure.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topics " + topics + " still have partitions without a leader after 30 s");
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
