package io.lodestar.connectors.kafka;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.RawEventTime;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes bytes through untouched; decoding happens downstream where failures can be routed. With a
 * {@link RawEventTime} it also reads each record's event time, without decoding it, so the source
 * can stamp records and generate watermarks per partition.
 */
public class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {

  private static final long serialVersionUID = 1L;

  private final RawEventTime eventTime;

  /** Records without an event time. */
  public RawRecordDeserializer() {
    this(null);
  }

  /** Records with the event time {@code eventTime} reads; null for none. */
  public RawRecordDeserializer(RawEventTime eventTime) {
    this.eventTime = eventTime;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
    RawRecord raw =
        new RawRecord(
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp(),
            record.key(),
            record.value());
    if (eventTime != null) {
      raw.eventTimeMs = eventTime.read(record.value());
    }
    out.collect(raw);
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
