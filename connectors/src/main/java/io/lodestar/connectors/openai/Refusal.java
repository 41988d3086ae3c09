package io.lodestar.connectors.openai;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.DecodeErrors;

/**
 * Why a record cannot be used, raised while mapping it and turned into one dead letter. Reasons
 * name the offending field by its path and never quote the record's text.
 */
final class Refusal extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String kind;

  private Refusal(String kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }

  /** A refusal of any kind, e.g. one of the codec's {@link DecodeErrors}. */
  static Refusal of(String kind, String reason) {
    return new Refusal(kind, reason);
  }

  /** The record does not have the shape of its format (a field missing or of the wrong type). */
  static Refusal malformed(String reason) {
    return new Refusal(DecodeErrors.MALFORMED, reason);
  }

  /** The record has the right shape but is partial or contradicts itself. */
  static Refusal invalid(String reason) {
    return new Refusal(DeadLetters.INVALID, reason);
  }

  String kind() {
    return kind;
  }
}
