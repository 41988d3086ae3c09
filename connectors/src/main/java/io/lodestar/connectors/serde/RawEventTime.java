package io.lodestar.connectors.serde;

import java.io.Serializable;

/**
 * Reads a message's event time from its bytes at the source, before the message is parsed, so the
 * source can stamp it and generate watermarks per partition. It vouches for a time only when the
 * message will be read; otherwise it returns {@link #UNKNOWN}. Never throws for any input.
 */
@FunctionalInterface
public interface RawEventTime extends Serializable {

  /** What {@link #read} returns when it cannot vouch for an event time. */
  long UNKNOWN = Long.MIN_VALUE;

  /** The event time in epoch milliseconds, or {@link #UNKNOWN}. */
  long read(byte[] message);
}
