package io.lodestar.connectors.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records encoded and size-checked by {@link CheckedEncodeFunction} or {@link
 * DeadLetterEncodeFunction} to one topic, stamped with their event time kept within the topic's
 * timestamp bounds ({@link OutputLimits#timestampFor}). It cannot fail on a record.
 */
final class EncodedRecordSerializer implements KafkaRecordSerializationSchema<EncodedRecord> {

  private static final long serialVersionUID = 1L;

  private final String topic;
  private final OutputLimits limits;

  EncodedRecordSerializer(String topic, OutputLimits limits) {
    this.topic = topic;
    this.limits = limits;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      EncodedRecord record, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic,
        null,
        limits.timestampFor(timestamp, System.currentTimeMillis()),
        record.key,
        record.value);
  }
}
