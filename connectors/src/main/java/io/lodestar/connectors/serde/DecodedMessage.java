package io.lodestar.connectors.serde;

import java.util.List;
import java.util.Objects;

/**
 * What one input message holds: the records read from it (one for Lodestar's own encodings, one per
 * choice for an OpenAI chat completion), or why none of it can be used, with the id that names it
 * when one could be read. A message is used whole or not at all. Immutable.
 *
 * @param <T> the record type
 */
public final class DecodedMessage<T> {

  private final List<T> records;
  private final String errorKind;
  private final String reason;
  private final String recordId;

  private DecodedMessage(List<T> records, String errorKind, String reason, String recordId) {
    this.records = records;
    this.errorKind = errorKind;
    this.reason = reason;
    this.recordId = recordId;
  }

  /** The records of a message that can be used; at least one. */
  public static <T> DecodedMessage<T> ok(List<T> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("a usable message holds at least one record");
    }
    return new DecodedMessage<>(List.copyOf(records), null, null, null);
  }

  /** A message that cannot be used; {@code recordId} may be null. */
  public static <T> DecodedMessage<T> failure(String errorKind, String reason, String recordId) {
    return new DecodedMessage<>(
        null,
        Objects.requireNonNull(errorKind, "errorKind"),
        Objects.requireNonNull(reason, "reason"),
        recordId);
  }

  public boolean isOk() {
    return errorKind == null;
  }

  /** The records; only for a usable message. */
  public List<T> records() {
    if (!isOk()) {
      throw new IllegalStateException("no records: " + errorKind + ": " + reason);
    }
    return records;
  }

  /** The failure category, a {@link DecodeErrors} kind or {@code INVALID}; only for a failure. */
  public String errorKind() {
    requireFailure();
    return errorKind;
  }

  public String reason() {
    requireFailure();
    return reason;
  }

  /** The id naming the message in its dead letter, or null; only for a failure. */
  public String recordId() {
    requireFailure();
    return recordId;
  }

  private void requireFailure() {
    if (isOk()) {
      throw new IllegalStateException("the message was read: there is no error");
    }
  }

  @Override
  public String toString() {
    return isOk()
        ? "DecodedMessage.ok(" + records.size() + " records)"
        : "DecodedMessage.failure(" + errorKind + ": " + reason + ", id " + recordId + ")";
  }
}
