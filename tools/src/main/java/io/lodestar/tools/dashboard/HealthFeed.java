package io.lodestar.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertCondition;
import io.lodestar.schema.ComponentHealth;
import io.lodestar.schema.HealthMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link HealthDashboard} from the health-metrics and alerts topics while the job runs: a
 * read_committed consumer (what a trainer would see) on its own daemon thread.
 */
public final class HealthFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthFeed.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a prepared health record keeps what the page needs. */
  public static final HealthDashboard.Layout LAYOUT =
      new HealthDashboard.Layout("/windowEndMs", "/series", "/revision", "/series");

  /** The charts of the local demo: rewards, pass rates and the reward-hacking signals. */
  public static final List<HealthDashboard.Chart> CHARTS =
      List.of(
          chart(
              "reward",
              "Combined reward (mean)",
              null,
              null,
              series("reward mean", "/reward/mean")),
          chart(
              "components",
              "Reward by component (mean)",
              null,
              null,
              series("math_equivalence", "/componentMean/math_equivalence"),
              series("numeric_answer", "/componentMean/numeric_answer"),
              series("format", "/componentMean/format")),
          chart(
              "pass-rates",
              "Verifier pass rate and unscored rate",
              0.0,
              1.0,
              series("verifier pass rate", "/verifierPassRate"),
              series("unscored rate", "/unscoredRate")),
          chart(
              "zero-variance",
              "Zero-variance group fraction",
              0.0,
              1.0,
              series("zero-variance fraction", "/zeroVarianceFraction")),
          chart(
              "length-reward",
              "Length vs reward correlation (Pearson r)",
              -1.0,
              1.0,
              series("length-reward r", "/lengthRewardCorrelation")),
          chart(
              "human-agreement",
              "Human feedback agreeing with the reward",
              0.0,
              1.0,
              series("human-model agreement", "/humanModelAgreement")));

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final HealthDashboard dashboard;
  private final String metricsTopic;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private HealthFeed(
      KafkaConsumer<byte[], byte[]> consumer, HealthDashboard dashboard, String metricsTopic) {
    this.consumer = consumer;
    this.dashboard = dashboard;
    this.metricsTopic = metricsTopic;
    this.thread = new Thread(this::loop, "health-feed");
    thread.setDaemon(true);
  }

  /** Starts reading both topics from their beginning. */
  public static HealthFeed start(
      String bootstrap, String metricsTopic, String alertsTopic, HealthDashboard dashboard) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(metricsTopic, alertsTopic)) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    HealthFeed feed = new HealthFeed(consumer, dashboard, metricsTopic);
    feed.thread.start();
    return feed;
  }

  private void loop() {
    RecordCodec<HealthMetrics> metrics = RecordCodec.of(HealthMetrics.class);
    RecordCodec<Alert> alerts = RecordCodec.of(Alert.class);
    try {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.topic().equals(metricsTopic)) {
            DecodeResult<HealthMetrics> m = metrics.decode(r.value());
            if (m.isOk()) {
              dashboard.addWindow(prepared(m.value()));
            }
          } else {
            DecodeResult<Alert> a = alerts.decode(r.value());
            if (a.isOk()) {
              Alert alert = a.value();
              dashboard.addAlarm(
                  alert.getWindowEndMs(),
                  alert.getState().name(),
                  alert.getRuleId(),
                  scope(alert),
                  observed(alert));
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (IOException | RuntimeException e) {
      LOG.warn("health feed stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The record as JSON plus a series name (data source and version) and component means by name.
   */
  static JsonNode prepared(HealthMetrics m) throws IOException {
    ObjectNode node = (ObjectNode) JSON.readTree(PlainJson.toJsonString(m));
    String source = "*".equals(m.getDataSource()) ? "all sources" : m.getDataSource();
    node.put("series", source + " v" + m.getPolicyVersion());
    ObjectNode means = node.putObject("componentMean");
    for (ComponentHealth c : m.getComponents()) {
      if (c.getValue() != null) {
        means.put(c.getName(), c.getValue().getMean());
      }
    }
    return node;
  }

  private static String scope(Alert a) {
    return a.getScope()
        + " "
        + a.getModelId()
        + " v"
        + a.getPolicyVersion()
        + " "
        + a.getDataSource();
  }

  private static String observed(Alert a) {
    List<String> parts = new ArrayList<>();
    for (AlertCondition c : a.getConditions()) {
      parts.add(
          c.getMetric()
              + "="
              + (c.getObserved() == null
                  ? "n/a"
                  : String.format(Locale.ROOT, "%.3g", c.getObserved())));
    }
    return String.join(", ", parts);
  }

  private static HealthDashboard.Chart chart(
      String id, String title, Double yMin, Double yMax, HealthDashboard.Series... series) {
    return new HealthDashboard.Chart(id, title, List.of(series), yMin, yMax);
  }

  private static HealthDashboard.Series series(String label, String field) {
    return new HealthDashboard.Series(label, field);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
  }
}
