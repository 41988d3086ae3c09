package io.lodestar.connectors.serde;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * How the messages of one input topic are read into records. Lodestar's own encodings ({@link
 * RecordCodec}: Avro single-object or plain JSON) hold one record per message; other formats, such
 * as an OpenAI chat completion with {@code n} choices, may hold several. {@link #decode} never
 * throws on content: whatever cannot be used is a {@link DecodedMessage#failure failure} with a
 * reason. Implementations travel inside Flink functions and need not be thread-safe.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface InputFormat<T> extends Serializable {

  /** The records {@code message} holds, or why it cannot be used. */
  DecodedMessage<T> decode(byte[] message);

  /**
   * Lodestar's own encodings through {@code codec}: one record per message. A message that does not
   * decode as {@code MALFORMED} is named by its top-level {@code rawIdField} when that can still be
   * read ({@link RecordCodec#readableId}); {@code rawIdField} may be null.
   */
  static <T extends SpecificRecordBase> InputFormat<T> lodestar(
      RecordCodec<T> codec, String rawIdField) {
    Objects.requireNonNull(codec, "codec");
    return message -> {
      DecodeResult<T> decoded = codec.decode(message);
      if (decoded.isOk()) {
        return DecodedMessage.ok(List.of(decoded.value()));
      }
      // Only a malformed body may still hold a readable id; the other kinds were not read at all.
      String id =
          rawIdField != null && DecodeErrors.MALFORMED.equals(decoded.errorKind())
              ? codec.readableId(message, rawIdField)
              : null;
      return DecodedMessage.failure(decoded.errorKind(), decoded.reason(), id);
    };
  }
}
