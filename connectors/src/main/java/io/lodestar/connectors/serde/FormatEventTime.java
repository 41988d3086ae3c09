package io.lodestar.connectors.serde;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The event time of a message in an {@link InputFormat} that has no single top-level time field to
 * read (an OpenAI chat completion: {@code created} in seconds, or a metadata override): the message
 * is read through the format, and its first record's time is taken when the whole message can be
 * used. It costs a full read of each message at the source, and in exchange it vouches only for
 * messages the parser will accept as far as the format goes.
 *
 * @param <T> the record type
 */
public final class FormatEventTime<T> implements RawEventTime {

  private static final long serialVersionUID = 1L;

  /** A record's event time in epoch milliseconds. */
  @FunctionalInterface
  public interface TimeOf<T> extends Serializable {
    long of(T record);
  }

  private final InputFormat<T> format;
  private final TimeOf<T> timeOf;

  public FormatEventTime(InputFormat<T> format, TimeOf<T> timeOf) {
    this.format = Objects.requireNonNull(format, "format");
    this.timeOf = Objects.requireNonNull(timeOf, "timeOf");
  }

  @Override
  public long read(byte[] message) {
    try {
      DecodedMessage<T> decoded = format.decode(message);
      if (!decoded.isOk()) {
        return UNKNOWN;
      }
      List<T> records = decoded.records();
      return timeOf.of(records.get(0));
    } catch (RuntimeException | StackOverflowError e) {
      return UNKNOWN;
    }
  }
}
