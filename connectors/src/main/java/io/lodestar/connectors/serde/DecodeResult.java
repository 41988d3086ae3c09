package io.lodestar.connectors.serde;

import java.util.Objects;

/**
 * The outcome of decoding one message: either a value or a failure with a stable {@linkplain
 * DecodeErrors error kind} and a human-readable reason. Immutable.
 *
 * @param <T> the decoded record type
 */
public final class DecodeResult<T> {

  private final T value;
  private final String errorKind;
  private final String reason;

  private DecodeResult(T value, String errorKind, String reason) {
    this.value = value;
    this.errorKind = errorKind;
    this.reason = reason;
  }

  /** A successful decode of {@code value} (never null). */
  public static <T> DecodeResult<T> ok(T value) {
    return new DecodeResult<>(Objects.requireNonNull(value, "value"), null, null);
  }

  /** A failed decode; {@code errorKind} is normally one of {@link DecodeErrors}. */
  public static <T> DecodeResult<T> failure(String errorKind, String reason) {
    return new DecodeResult<>(
        null,
        Objects.requireNonNull(errorKind, "errorKind"),
        Objects.requireNonNull(reason, "reason"));
  }

  public boolean isOk() {
    return errorKind == null;
  }

  /** The decoded value; only for a successful result. */
  public T value() {
    if (!isOk()) {
      throw new IllegalStateException("no value: decode failed with " + errorKind + ": " + reason);
    }
    return value;
  }

  /** The failure category; only for a failed result. */
  public String errorKind() {
    requireFailure();
    return errorKind;
  }

  /** Why decoding failed; only for a failed result. */
  public String reason() {
    requireFailure();
    return reason;
  }

  private void requireFailure() {
    if (isOk()) {
      throw new IllegalStateException("decode succeeded: there is no error");
    }
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof DecodeResult)) {
      return false;
    }
    DecodeResult<?> that = (DecodeResult<?>) other;
    return Objects.equals(value, that.value)
        && Objects.equals(errorKind, that.errorKind)
        && Objects.equals(reason, that.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, errorKind, reason);
  }

  @Override
  public String toString() {
    return isOk()
        ? "DecodeResult.ok(" + value + ")"
        : "DecodeResult.failure(" + errorKind + ": " + reason + ")";
  }
}
