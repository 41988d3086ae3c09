package io.lodestar.connectors.serde;

/**
 * Stable categories of decode failure. They end up in {@code DeadLetter.errorKind}, so dashboards
 * and alerts key on them: never rename one.
 */
public final class DecodeErrors {

  /** The message had no bytes at all (or was null). */
  public static final String EMPTY = "EMPTY";

  /** The message was longer than the codec's limit and was not parsed. */
  public static final String OVERSIZED = "OVERSIZED";

  /** Neither an Avro single-object header nor a JSON object. */
  public static final String UNRECOGNIZED_ENCODING = "UNRECOGNIZED_ENCODING";

  /** Avro single-object encoding whose writer-schema fingerprint is not shipped in this build. */
  public static final String UNKNOWN_SCHEMA = "UNKNOWN_SCHEMA";

  /** The encoding was recognised but the content could not be read as the expected record. */
  public static final String MALFORMED = "MALFORMED";

  private DecodeErrors() {}
}
