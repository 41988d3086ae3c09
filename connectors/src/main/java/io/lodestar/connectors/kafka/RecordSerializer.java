package io.lodestar.connectors.kafka;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a record keyed by its id, so one id always lands in one partition and compacts. Its
 * timestamp is the event time, never after the wall clock (brokers refuse timestamps too far
 * ahead). Records are not size-checked here: the pipeline's outputs go through {@link
 * CheckedEncodeFunction} and {@link KafkaIO#exactlyOnceEncodedSink} instead.
 */
public class RecordSerializer<T extends SpecificRecordBase>
    implements KafkaRecordSerializationSchema<T> {

  private static final long serialVersionUID = 1L;

  /** The Kafka key of a record. */
  public interface KeyOf<T> extends Function<T, String>, Serializable {}

  private final String topic;
  private final RecordCodec<T> codec;
  private final WireFormat format;
  private final KeyOf<T> keyOf;

  public RecordSerializer(String topic, RecordCodec<T> codec, WireFormat format, KeyOf<T> keyOf) {
    this.topic = topic;
    this.codec = codec;
    this.format = format;
    this.keyOf = keyOf;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T element, KafkaSinkContext context, Long timestamp) {
    String key = keyOf.apply(element);
    return new ProducerRecord<>(
        topic,
        null,
        timestamp == null || timestamp < 0 ? null : Math.min(timestamp, System.currentTimeMillis()),
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        codec.encode(element, format));
  }
}
