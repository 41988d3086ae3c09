package io.lodestar.connectors.kafka;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.RawEventTime;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds Lodestar's Kafka sources and sinks with the guarantees the pipeline relies on. */
public final class KafkaIO {

  private KafkaIO() {}

  /**
   * A source of raw records. It reads only committed data, so aborted transactions of an upstream
   * exactly-once job are never seen.
   */
  public static KafkaSource<RawRecord> rawSource(
      KafkaSettings settings, String topic, String groupId, OffsetsInitializer startingOffsets) {
    return rawSource(settings, topic, groupId, startingOffsets, null);
  }

  /**
   * A source of raw records whose {@link RawRecord#eventTimeMs} {@code eventTime} reads from each
   * value (null: none), so a watermark strategy can stamp them per partition.
   */
  public static KafkaSource<RawRecord> rawSource(
      KafkaSettings settings,
      String topic,
      String groupId,
      OffsetsInitializer startingOffsets,
      RawEventTime eventTime) {
    Properties props = settings.clientProperties();
    props.putIfAbsent("client.id.prefix", groupId + "-" + topic);
    props.put("isolation.level", "read_committed");
    return KafkaSource.<RawRecord>builder()
        .setProperties(props)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(startingOffsets)
        .setDeserializer(new RawRecordDeserializer(eventTime))
        .build();
  }

  /**
   * An exactly-once sink. Each sink gets its own transactional-id prefix: two sinks sharing one
   * would abort each other's transactions on recovery.
   */
  public static <T extends SpecificRecordBase> KafkaSink<T> exactlyOnceSink(
      KafkaSettings settings,
      String sinkName,
      String topic,
      RecordCodec<T> codec,
      WireFormat format,
      RecordSerializer.KeyOf<T> keyOf) {
    return exactlyOnce(
        settings, sinkName, new RecordSerializer<>(topic, codec, format, keyOf), Integer.MAX_VALUE);
  }

  /**
   * An exactly-once sink of records already encoded and checked against {@code limits} (see {@link
   * CheckedEncodeFunction}): nothing it is given can be refused by the producer or the broker.
   */
  public static KafkaSink<EncodedRecord> exactlyOnceEncodedSink(
      KafkaSettings settings, String sinkName, String topic, OutputLimits limits) {
    return exactlyOnce(
        settings, sinkName, new EncodedRecordSerializer(topic, limits), limits.maxRecordBytes());
  }

  /** An exactly-once sink that writes raw records unchanged (key and value bytes). */
  public static KafkaSink<RawRecord> exactlyOnceRawSink(
      KafkaSettings settings, String sinkName, String topic) {
    return exactlyOnce(settings, sinkName, new RawRecordSerializer(topic), Integer.MAX_VALUE);
  }

  private static <T> KafkaSink<T> exactlyOnce(
      KafkaSettings settings,
      String sinkName,
      KafkaRecordSerializationSchema<T> serializer,
      int maxBatchBytes) {
    Properties props = settings.clientProperties();
    // Default batching holds only a handful of ~2 KB records; larger batches multiply throughput.
    props.putIfAbsent("batch.size", "262144");
    // A batch of several records must fit the topic too: never larger than its largest record.
    if (Integer.parseInt(props.getProperty("batch.size").trim()) > maxBatchBytes) {
      props.put("batch.size", Integer.toString(maxBatchBytes));
    }
    props.putIfAbsent("linger.ms", "20");
    props.put("transaction.timeout.ms", Long.toString(settings.transactionTimeout().toMillis()));
    return KafkaSink.<T>builder()
        .setKafkaProducerConfig(props)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + sinkName)
        .build();
  }

  /** Writes a raw record's key and value to a fixed topic. */
  static final class RawRecordSerializer implements KafkaRecordSerializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    RawRecordSerializer(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        RawRecord record, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, timestamp, record.key, record.value);
    }
  }
}
