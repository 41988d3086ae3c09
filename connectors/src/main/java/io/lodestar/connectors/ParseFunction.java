package io.lodestar.connectors;

import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.schema.DeadLetter;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw input. It cannot fail on content: whatever it cannot use goes to the
 * dead-letter side output with its position and the reason, and the job keeps running.
 */
public class ParseFunction<T extends SpecificRecordBase> extends ProcessFunction<RawRecord, T> {

  private static final long serialVersionUID = 1L;

  private final String origin;

  /** Null when the parser was built with an {@link InputFormat} of its own. */
  private final RecordCodec<T> codec;

  private InputFormat<T> format;
  private final RecordValidator<T> validator;
  private final SerializableIdOf<T> idOf;
  private final OutputTag<DeadLetter> deadLetters;
  private final int maxDeadLetterPayloadBytes;

  /** Null: event times are not checked against the clock. */
  private final EventTimeCheck<T> eventTimeCheck;

  private final WallClock clock;
  private transient Counter parsed;
  private transient Counter rejected;

  /**
   * Dead letters by error kind; Flink names these {@code kind_lodestarDeadLetters}, label {@code
   * kind}.
   */
  private transient Map<String, Counter> rejectedByKind;

  /** The id of a decoded record, named in dead letters so an operator can find its producer. */
  public interface SerializableIdOf<T> extends Function<T, String>, Serializable {}

  /**
   * The wall clock in epoch milliseconds: event times are checked against it and dead letters
   * stamped with it.
   */
  @FunctionalInterface
  public interface WallClock extends Serializable {
    long nowMs();
  }

  public ParseFunction(
      String origin,
      RecordCodec<T> codec,
      RecordValidator<T> validator,
      SerializableIdOf<T> idOf,
      OutputTag<DeadLetter> deadLetters,
      int maxDeadLetterPayloadBytes) {
    this(origin, codec, validator, idOf, deadLetters, maxDeadLetterPayloadBytes, null);
  }

  /**
   * As above, and a record whose event time is further ahead of the wall clock than {@code
   * eventTimeCheck} allows goes to dead letters as {@link DeadLetters#FUTURE_EVENT_TIME}.
   */
  public ParseFunction(
      String origin,
      RecordCodec<T> codec,
      RecordValidator<T> validator,
      SerializableIdOf<T> idOf,
      OutputTag<DeadLetter> deadLetters,
      int maxDeadLetterPayloadBytes,
      EventTimeCheck<T> eventTimeCheck) {
    this(
        origin,
        codec,
        validator,
        idOf,
        deadLetters,
        maxDeadLetterPayloadBytes,
        eventTimeCheck,
        System::currentTimeMillis);
  }

  /** As above, reading the time from {@code clock} instead of the system clock. */
  public ParseFunction(
      String origin,
      RecordCodec<T> codec,
      RecordValidator<T> validator,
      SerializableIdOf<T> idOf,
      OutputTag<DeadLetter> deadLetters,
      int maxDeadLetterPayloadBytes,
      EventTimeCheck<T> eventTimeCheck,
      WallClock clock) {
    this(
        origin,
        codec,
        InputFormat.lodestar(codec, null),
        validator,
        idOf,
        deadLetters,
        maxDeadLetterPayloadBytes,
        eventTimeCheck,
        clock);
  }

  /**
   * A parser of messages in {@code format}, which may hold several records each (an OpenAI chat
   * completion with {@code n} choices). Every record of a message is validated and checked against
   * the clock before any is passed on; when one fails, the whole message is one dead letter that
   * names that record, so that a group is never left short of some of its members without a trace.
   */
  public ParseFunction(
      String origin,
      InputFormat<T> format,
      RecordValidator<T> validator,
      SerializableIdOf<T> idOf,
      OutputTag<DeadLetter> deadLetters,
      int maxDeadLetterPayloadBytes,
      EventTimeCheck<T> eventTimeCheck,
      WallClock clock) {
    this(
        origin,
        null,
        format,
        validator,
        idOf,
        deadLetters,
        maxDeadLetterPayloadBytes,
        eventTimeCheck,
        clock);
  }

  private ParseFunction(
      String origin,
      RecordCodec<T> codec,
      InputFormat<T> format,
      RecordValidator<T> validator,
      SerializableIdOf<T> idOf,
      OutputTag<DeadLetter> deadLetters,
      int maxDeadLetterPayloadBytes,
      EventTimeCheck<T> eventTimeCheck,
      WallClock clock) {
    this.eventTimeCheck = eventTimeCheck;
    this.clock = clock;
    this.origin = origin;
    this.codec = codec;
    this.format = format;
    this.validator = validator;
    this.idOf = idOf;
    this.deadLetters = deadLetters;
    this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
  }

  /**
   * Names the top-level string field that holds the record's id, so that a record which cannot be
   * decoded ({@code MALFORMED}) still names its id in the dead letter when the raw message lets it
   * be read (see {@link RecordCodec#readableId}). Call while building the job.
   */
  public ParseFunction<T> withRawIdField(String field) {
    if (codec == null) {
      throw new IllegalStateException(
          "a raw id field applies to Lodestar's own encodings, not to " + format);
    }
    this.format = InputFormat.lodestar(codec, field);
    return this;
  }

  @Override
  public void open(OpenContext openContext) {
    parsed = getRuntimeContext().getMetricGroup().counter(ParseMetricNames.RECORDS_PARSED);
    rejected = getRuntimeContext().getMetricGroup().counter(ParseMetricNames.DEAD_LETTERS);
    rejectedByKind = new HashMap<>();
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
    DecodedMessage<T> decoded = format.decode(raw.value);
    if (!decoded.isOk()) {
      reject(raw, ctx, decoded.errorKind(), decoded.reason(), decoded.recordId());
      return;
    }
    List<T> records = decoded.records();
    for (T record : records) {
      String id = safeId(record);
      Optional<String> violation;
      try {
        violation = validator.firstViolation(record);
      } catch (RuntimeException e) {
        // A validator bug must not turn one bad record into a restart loop.
        violation = Optional.of("validator failed: " + e.getClass().getSimpleName());
      }
      if (violation.isPresent()) {
        reject(
            raw, ctx, DeadLetters.INVALID, wholeMessage(violation.get(), id, records.size()), id);
        return;
      }
      if (eventTimeCheck != null) {
        Optional<String> ahead = eventTimeCheck.violation(record, clock.nowMs());
        if (ahead.isPresent()) {
          reject(
              raw,
              ctx,
              DeadLetters.FUTURE_EVENT_TIME,
              wholeMessage(ahead.get(), id, records.size()),
              id);
          return;
        }
      }
    }
    for (T record : records) {
      parsed.inc();
      out.collect(record);
    }
  }

  /** A reason for a message of several records names the record at fault and says none was used. */
  private static String wholeMessage(String reason, String id, int records) {
    return records == 1
        ? reason
        : id + ": " + reason + " (none of the message's " + records + " records is used)";
  }

  private String safeId(T record) {
    try {
      return idOf.apply(record);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void reject(RawRecord raw, Context ctx, String kind, String reason, String id) {
    rejected.inc();
    // Kinds are a small fixed set (the codec's error kinds, INVALID, FUTURE_EVENT_TIME), so the map
    // stays small.
    rejectedByKind
        .computeIfAbsent(
            kind,
            k ->
                getRuntimeContext()
                    .getMetricGroup()
                    .addGroup("kind", k)
                    .counter(ParseMetricNames.DEAD_LETTERS))
        .inc();
    ctx.output(
        deadLetters,
        DeadLetters.fromRaw(
            raw, origin, kind, reason, id, maxDeadLetterPayloadBytes, clock.nowMs()));
  }
}
