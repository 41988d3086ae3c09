package io.lodestar.connectors.kafka;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.DeadLetter;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes dead letters for the dead-letter topic, cutting down any that would not fit its limits
 * instead of refusing them: a dead letter is the last place a record can go. The payload goes first
 * (its original size stays in {@code payloadSize}); if the rest is still too large (a huge key, id
 * or reason), those are cut as well. The pure core of {@link DeadLetterEncodeFunction}.
 */
public final class DeadLetterEncoder implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What is kept of each text field when even an empty payload does not make a dead letter fit. */
  static final int MAX_ID_CHARS = 256;

  static final int MAX_REASON_CHARS = 512;
  private static final int MAX_ATTEMPTS = 16;

  /** The encoded dead letter (null when nothing could make it fit) and whether it was cut down. */
  public record Fitted(EncodedRecord record, boolean truncated) {}

  private final RecordCodec<DeadLetter> codec;
  private final WireFormat format;
  private final OutputLimits limits;

  public DeadLetterEncoder(RecordCodec<DeadLetter> codec, WireFormat format, OutputLimits limits) {
    this.codec = codec;
    this.format = format;
    this.limits = limits;
  }

  public Fitted encode(DeadLetter deadLetter) {
    EncodedRecord encoded = encodeAsIs(deadLetter);
    int size = size(encoded);
    if (limits.fits(size)) {
      return new Fitted(encoded, false);
    }
    DeadLetter cut = deadLetter;
    int payload = deadLetter.getPayload() == null ? 0 : deadLetter.getPayload().remaining();
    // Each round drops at least the excess from the payload: one or two rounds in practice (an
    // encoding may spend more or less than a byte per payload byte, e.g. base64 in JSON).
    for (int i = 0; i < MAX_ATTEMPTS && !limits.fits(size) && payload > 0; i++) {
      payload = Math.max(0, payload - (size - limits.maxRecordBytes()) - 16);
      cut = withPayload(deadLetter, payload);
      encoded = encodeAsIs(cut);
      size = size(encoded);
    }
    if (!limits.fits(size)) {
      cut = bareFacts(cut);
      encoded = encodeAsIs(cut);
      size = size(encoded);
    }
    return new Fitted(limits.fits(size) ? encoded : null, true);
  }

  private EncodedRecord encodeAsIs(DeadLetter deadLetter) {
    String id = deadLetter.getRecordId();
    return new EncodedRecord(
        id == null ? null : id.getBytes(StandardCharsets.UTF_8), codec.encode(deadLetter, format));
  }

  private static int size(EncodedRecord record) {
    return OutputLimits.recordBytes(record.key, record.value);
  }

  private static DeadLetter withPayload(DeadLetter deadLetter, int length) {
    ByteBuffer payload = deadLetter.getPayload().duplicate();
    byte[] kept = new byte[length];
    payload.get(kept);
    return DeadLetter.newBuilder(deadLetter).setPayload(ByteBuffer.wrap(kept)).build();
  }

  /**
   * No payload or key, and ids, topic and reason cut short: what is left always fits {@link
   * OutputLimits#MIN_RECORD_BYTES}.
   */
  private static DeadLetter bareFacts(DeadLetter deadLetter) {
    return DeadLetter.newBuilder(deadLetter)
        .setPayload(null)
        .setKey(null)
        .setOrigin(cut(deadLetter.getOrigin(), MAX_ID_CHARS))
        .setTopic(deadLetter.getTopic() == null ? null : cut(deadLetter.getTopic(), MAX_ID_CHARS))
        .setRecordId(
            deadLetter.getRecordId() == null ? null : cut(deadLetter.getRecordId(), MAX_ID_CHARS))
        .setReason(cut(deadLetter.getReason(), MAX_REASON_CHARS))
        .setErrorKind(cut(deadLetter.getErrorKind(), MAX_ID_CHARS))
        .build();
  }

  private static String cut(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    // Never split a surrogate pair: half of one would not encode.
    int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return text.substring(0, end);
  }
}
