package io.lodestar.connectors;

import java.util.Arrays;
import java.util.Objects;

/**
 * Bytes as they arrived, with where they came from. Sources emit this and a separate step decodes
 * it, so a record that cannot be read is routed to dead letters instead of failing the source.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so no generic serializer is needed.
 */
public class RawRecord {
  /** {@link #eventTimeMs} of a record whose event time is not known at the source. */
  public static final long NO_EVENT_TIME = Long.MIN_VALUE;

  /** Kafka topic, or the input file in bounded mode. */
  public String topic;

  /** Kafka partition; 0 for files. */
  public int partition;

  /** Kafka offset, or the 1-based line number in bounded mode. */
  public long offset;

  /** Kafka record timestamp in epoch milliseconds, or -1 when unknown. */
  public long timestampMs;

  public byte[] key;
  public byte[] value;

  /**
   * The event time read from the value at the source without decoding it (see {@code
   * EventTimeReader}), or {@link #NO_EVENT_TIME} when it could not be read or was not asked for
   * (file sources). Derived from {@link #value}, so left out of {@link #equals}.
   */
  public long eventTimeMs = NO_EVENT_TIME;

  public RawRecord() {}

  public RawRecord(
      String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestampMs = timestampMs;
    this.key = key;
    this.value = value;
  }

  /** Where this record came from, for logs: topic-partition@offset, never the payload. */
  public String position() {
    return topic + "-" + partition + "@" + offset;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RawRecord)) {
      return false;
    }
    RawRecord other = (RawRecord) o;
    return partition == other.partition
        && offset == other.offset
        && timestampMs == other.timestampMs
        && Objects.equals(topic, other.topic)
        && Arrays.equals(key, other.key)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return "RawRecord{" + position() + ", " + (value == null ? 0 : value.length) + " bytes}";
  }
}
