package io.lodestar.connectors.kafka;

/**
 * An output record already encoded and checked against its topic's limits: the Kafka key and value
 * exactly as they will be sent. A Flink POJO (public fields, no-arg constructor).
 */
public class EncodedRecord {
  public byte[] key;
  public byte[] value;

  public EncodedRecord() {}

  public EncodedRecord(byte[] key, byte[] value) {
    this.key = key;
    this.value = value;
  }

  @Override
  public String toString() {
    return "EncodedRecord{" + (value == null ? 0 : value.length) + " bytes}";
  }
}
