package io.lodestar.testkit.traffic;

import io.lodestar.connectors.kafka.CheckedProducer;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes simulated traffic to Kafka: generations keyed by generation id, feedback keyed by the
 * generation it is about, every {@code jsonEvery}-th record in plain JSON, the rest in Avro.
 */
public final class TrafficPublisher {

  private final String bootstrapServers;
  private final String generationsTopic;
  private final String feedbackTopic;
  private final int jsonEvery;

  public TrafficPublisher(
      String bootstrapServers, String generationsTopic, String feedbackTopic, int jsonEvery) {
    this.bootstrapServers = bootstrapServers;
    this.generationsTopic = generationsTopic;
    this.feedbackTopic = feedbackTopic;
    this.jsonEvery = jsonEvery;
  }

  /**
   * Publishes everything the simulator emits. When {@code paced}, a generation is sent no earlier
   * than its event time, so traffic arrives as it would in production; otherwise as fast as
   * possible.
   */
  public TrafficSimulator.Stats publish(TrafficSimulator.Settings settings, boolean paced) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("enable.idempotence", "true");
    props.put("linger.ms", paced ? "0" : "20");
    props.put("batch.size", "262144");
    RecordCodec<Generation> generations = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedback = RecordCodec.of(Feedback.class);
    try (CheckedProducer producer = new CheckedProducer(props)) {
      TrafficSimulator.Output out =
          new TrafficSimulator.Output() {
            private long count;

            @Override
            public void generation(Generation g) {
              if (paced) {
                sleepUntil(g.getCreatedAtMs());
              }
              send(generationsTopic, g.getGenerationId(), generations.encode(g, format()));
            }

            @Override
            public void duplicate(Generation g) {
              send(generationsTopic, g.getGenerationId(), generations.encode(g, format()));
            }

            @Override
            public void feedback(Feedback f) {
              // Feedback is stamped with the later time a user reacts; pacing follows generations
              // only.
              send(feedbackTopic, f.getGenerationId(), feedback.encode(f, format()));
            }

            @Override
            public void corrupt(String topicRole, byte[] key, byte[] bytes) {
              send(topicRole.equals("feedback") ? feedbackTopic : generationsTopic, null, bytes);
            }

            private WireFormat format() {
              return jsonEvery > 0 && ++count % jsonEvery == 0 ? WireFormat.JSON : WireFormat.AVRO;
            }

            private void send(String topic, String key, byte[] value) {
              producer.send(
                  new ProducerRecord<>(
                      topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
            }
          };
      TrafficSimulator.Stats stats = new TrafficSimulator(settings).run(out);
      producer.flush();
      return stats;
    }
  }

  private static void sleepUntil(long epochMs) {
    long wait = epochMs - System.currentTimeMillis();
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
