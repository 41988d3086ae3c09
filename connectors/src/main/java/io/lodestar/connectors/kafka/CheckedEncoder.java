package io.lodestar.connectors.kafka;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.DeadLetter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes an output record as its sink will send it and checks it against the topic's limits, so
 * that a record that would be refused never reaches the sink (where one refusal fails the whole
 * transaction). The pure core of {@link CheckedEncodeFunction}.
 */
public final class CheckedEncoder<T extends SpecificRecordBase> implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * The encoded record and its size as the producer computes it; {@code fits} tells whether it may
   * be sent.
   */
  public record Encoded(EncodedRecord record, int recordBytes, boolean fits) {}

  private final String output;
  private final String topic;
  private final RecordCodec<T> codec;
  private final WireFormat format;
  private final RecordSerializer.KeyOf<T> keyOf;
  private final OutputLimits limits;

  /**
   * @param output the output's name in dead letters and metrics, e.g. {@code scored}
   */
  public CheckedEncoder(
      String output,
      String topic,
      RecordCodec<T> codec,
      WireFormat format,
      RecordSerializer.KeyOf<T> keyOf,
      OutputLimits limits) {
    this.output = output;
    this.topic = topic;
    this.codec = codec;
    this.format = format;
    this.keyOf = keyOf;
    this.limits = limits;
  }

  public String output() {
    return output;
  }

  public String topic() {
    return topic;
  }

  public OutputLimits limits() {
    return limits;
  }

  public Encoded encode(T record) {
    String id = keyOf.apply(record);
    byte[] key = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    byte[] value = codec.encode(record, format);
    int size = OutputLimits.recordBytes(key, value);
    return new Encoded(new EncodedRecord(key, value), size, limits.fits(size));
  }

  /**
   * The dead letter that stands for {@code record}, which did not fit ({@code encoded} from {@link
   * #encode}).
   */
  public DeadLetter tooLarge(
      T record, Encoded encoded, Long eventTimeMs, int maxPayloadBytes, long nowMs) {
    String id =
        encoded.record().key == null
            ? null
            : new String(encoded.record().key, StandardCharsets.UTF_8);
    return DeadLetters.outputTooLarge(
        output,
        topic,
        id,
        encoded.record().value,
        encoded.recordBytes(),
        limits.maxRecordBytes(),
        eventTimeMs,
        maxPayloadBytes,
        nowMs);
  }
}
