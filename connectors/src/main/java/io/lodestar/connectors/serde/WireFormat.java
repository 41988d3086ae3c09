package io.lodestar.connectors.serde;

/** How a record is laid out on the wire. */
public enum WireFormat {
  /** Avro single-object encoding: header, schema fingerprint, binary body. */
  AVRO,
  /** UTF-8 JSON in the {@link PlainJson} encoding, for producers that cannot write Avro. */
  JSON
}
