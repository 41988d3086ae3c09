package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.ParseMetricNames;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.jobs.metrics.PrometheusReporting;
import io.lodestar.operators.dedup.DedupMetricNames;
import io.lodestar.operators.group.GroupMetricNames;
import io.lodestar.operators.reward.compose.RewardMetricNames;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.testkit.kafka.EmbeddedKafka;
import io.lodestar.testkit.traffic.TrafficSimulator;
import io.lodestar.testkit.traffic.TrafficSimulator.Stats;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running pipeline's metrics, scraped from the Prometheus reporter endpoint as a dashboard would.
 */
class PrometheusMetricsITCase {

  private static final int PORT = freePort();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(
                  PrometheusReporting.enable(new Configuration(), Integer.toString(PORT)))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static EmbeddedKafka kafka;

  /**
   * Checkpoints outlive their job for a moment (the job manager discards them asynchronously once
   * it ends), so they go where nothing is deleted before the cluster has shut down.
   */
  @TempDir static Path checkpoints;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  @Test
  void theReporterEndpointShowsLodestarCountersWithTheValuesTheInputImplies() throws Exception {
    String generationsTopic = "metrics-generations";
    String feedbackTopic = "metrics-feedback";
    kafka.createTopics(2, generationsTopic, feedbackTopic);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Set<String> groupIds = new HashSet<>();
    Set<String> withoutGroundTruth = new HashSet<>();
    Stats sent = simulate(generationsTopic, feedbackTopic, records, groupIds, withoutGroundTruth);

    LodestarOptions options = options(generationsTopic, feedbackTopic);
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    KafkaSettings settings = options.kafka();
    DataStream<RawRecord> generations =
        PipelineJob.rawSource(
            env,
            options,
            settings,
            generationsTopic,
            "source-generations",
            SourceEventTime.Input.GENERATIONS);
    DataStream<RawRecord> feedback =
        PipelineJob.rawSource(
            env,
            options,
            settings,
            feedbackTopic,
            "source-feedback",
            SourceEventTime.Input.FEEDBACK);
    PipelineTopology.Streams streams =
        PipelineTopology.build(
            PipelineInputs.generations(generations)
                .withFeedback(feedback)
                .withEventTimeFromSources(),
            options);
    streams.scored().sinkTo(new DiscardingSink<>()).uid("discard-scored").name("Discard scored");
    streams.batches().sinkTo(new DiscardingSink<>()).uid("discard-batches").name("Discard batches");
    streams
        .pairs()
        .orElseThrow()
        .sinkTo(new DiscardingSink<>())
        .uid("discard-pairs")
        .name("Discard pairs");
    streams
        .deadLetters()
        .sinkTo(new DiscardingSink<>())
        .uid("discard-dead-letters")
        .name("Discard dead letters");
    JobClient job = env.executeAsync("metrics-it");
    try {
      publish(records);
      Map<String, Double> expected = new HashMap<>();
      expected.put(DedupMetricNames.DUPLICATES, (double) sent.duplicates());
      expected.put(ParseMetricNames.DEAD_LETTERS, (double) sent.corrupt());
      // The same dead letters, split by error kind: Flink puts the label's key into the metric's
      // name.
      expected.put("kind_" + ParseMetricNames.DEAD_LETTERS, (double) sent.corrupt());
      expected.put(GroupMetricNames.GROUPS_COMPLETED, (double) groupIds.size());
      // One verifier component per generation: each generation without a ground truth is unscored,
      // and its one component is counted under the component's name.
      assertThat(withoutGroundTruth).isNotEmpty();
      expected.put(RewardMetricNames.UNSCORED, (double) withoutGroundTruth.size());
      expected.put(
          "component_" + RewardMetricNames.COMPONENT_UNSCORED, (double) withoutGroundTruth.size());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      Map<String, Double> seen = Map.of();
      while (System.nanoTime() < deadline) {
        seen = scrapeOrLast(seen);
        if (matches(seen, expected) && scoredOrUnscored(seen) == sent.generations()) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(seen).containsAllEntriesOf(expected);
      assertThat(scoredOrUnscored(seen)).isEqualTo(sent.generations());
      assertThat(seen.get(ParseMetricNames.RECORDS_PARSED))
          .isEqualTo((double) (records.size() - sent.corrupt()));
    } finally {
      JobTermination.cancelAndAwait(job, Duration.ofMinutes(1));
    }
  }

  private static boolean matches(Map<String, Double> seen, Map<String, Double> expected) {
    return expected.entrySet().stream().allMatch(e -> e.getValue().equals(seen.get(e.getKey())));
  }

  private static double scoredOrUnscored(Map<String, Double> seen) {
    return seen.getOrDefault(RewardMetricNames.SCORED, 0.0)
        + seen.getOrDefault(RewardMetricNames.UNSCORED, 0.0);
  }

  /**
   * One scrape, or the last one seen when the endpoint drops the connection: the reporter's HTTP
   * server closes connections without a reply while the task manager is busy, and a dashboard
   * simply scrapes again.
   */
  private static Map<String, Double> scrapeOrLast(Map<String, Double> last) throws Exception {
    try {
      return scrape();
    } catch (IOException dropped) {
      return last;
    }
  }

  /**
   * Lodestar's operator metrics summed over subtasks and labels, by name ({@code key_name} for
   * labelled ones).
   */
  private static Map<String, Double> scrape() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(PrometheusReporting.endpoint(PORT)))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Map<String, Double> sums = new HashMap<>();
    String prefix = "flink_taskmanager_job_task_operator_";
    for (String line : response.body().split("\n")) {
      if (!line.startsWith(prefix)
          || !line.substring(prefix.length()).matches("([a-z]+_)?lodestar.*")) {
        continue;
      }
      int nameEnd = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
      String name = line.substring(prefix.length(), nameEnd);
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      sums.merge(name, value, Double::sum);
    }
    return sums;
  }

  /**
   * One group in four loses its ground truth, so its generations cannot be verified: unscored, by
   * input.
   */
  private static Generation withoutGroundTruthInSomeGroups(Generation g) {
    if (Math.floorMod(g.getGroupId().hashCode(), 4) != 0) {
      return g;
    }
    return Generation.newBuilder(g)
        .setTask(TaskMetadata.newBuilder(g.getTask()).setGroundTruth(null).build())
        .build();
  }

  private static Stats simulate(
      String generationsTopic,
      String feedbackTopic,
      List<ProducerRecord<byte[], byte[]>> records,
      Set<String> groupIds,
      Set<String> withoutGroundTruth) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    TrafficSimulator.Settings settings =
        new TrafficSimulator.Settings(
            3L,
            30,
            4,
            0.1,
            0.2,
            d.noAnswerRate(),
            0.5,
            0.3,
            d.startTimeMs(),
            d.meanGapMs(),
            d.modelId());
    RecordCodec<Generation> generations = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedback = RecordCodec.of(Feedback.class);
    WireFormat avro = WireFormat.AVRO;
    return new TrafficSimulator(settings)
        .run(
            new TrafficSimulator.Output() {
              @Override
              public void generation(Generation simulated) {
                Generation g = withoutGroundTruthInSomeGroups(simulated);
                if (g.getTask().getGroundTruth() == null) {
                  withoutGroundTruth.add(g.getGenerationId());
                }
                groupIds.add(g.getGroupId());
                records.add(new ProducerRecord<>(generationsTopic, generations.encode(g, avro)));
              }

              @Override
              public void duplicate(Generation simulated) {
                records.add(
                    new ProducerRecord<>(
                        generationsTopic,
                        generations.encode(withoutGroundTruthInSomeGroups(simulated), avro)));
              }

              @Override
              public void feedback(Feedback f) {
                records.add(new ProducerRecord<>(feedbackTopic, feedback.encode(f, avro)));
              }

              @Override
              public void corrupt(String topicRole, byte[] key, byte[] bytes) {
                records.add(
                    new ProducerRecord<>(
                        topicRole.equals("feedback") ? feedbackTopic : generationsTopic,
                        key,
                        bytes));
              }
            });
  }

  private static void publish(List<ProducerRecord<byte[], byte[]>> records) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("enable.idempotence", "true");
    try (CheckedProducer producer = new CheckedProducer(props)) {
      records.forEach(producer::send);
      producer.flush();
    }
  }

  private static LodestarOptions options(String generationsTopic, String feedbackTopic) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), generationsTopic);
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), feedbackTopic);
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "metrics-it");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), checkpoints.toUri().toString());
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 min");
    return LodestarOptions.fromMap(values, name -> null);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
