package io.lodestar.connectors;

import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.ScoredGeneration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds dead letters; the one place that decides what a dead letter keeps of its input. */
public final class DeadLetters {

  /** Error kinds raised after decoding; decode failures use the serde's own kinds. */
  public static final String INVALID = "INVALID";

  public static final String LATE_GROUP_MEMBER = "LATE_GROUP_MEMBER";

  /**
   * A generation whose prompt id, policy model id or declared group size differs from its group's
   * first member; the reason names the field and both values.
   */
  public static final String INCONSISTENT_GROUP_MEMBER = "INCONSISTENT_GROUP_MEMBER";

  public static final String UNMATCHED_FEEDBACK = "UNMATCHED_FEEDBACK";
  public static final String REMOTE_REWARD_FAILED = "REMOTE_REWARD_FAILED";

  /**
   * A preference pair a health gate held and, when its alarm cleared, discarded
   * (gate.on-clear=discard).
   */
  public static final String GATE_DISCARDED = "GATE_DISCARDED";

  /**
   * A preference pair a health gate still held when the input ended (end of a bounded run, or a
   * drain).
   */
  public static final String GATE_HELD_AT_END = "GATE_HELD_AT_END";

  /**
   * An input whose event time is further ahead of the wall clock than the configured clock skew
   * allows.
   */
  public static final String FUTURE_EVENT_TIME = "FUTURE_EVENT_TIME";

  /**
   * An output record that would exceed its topic's limits (producer max.request.size, topic
   * max.message.bytes).
   */
  public static final String OUTPUT_TOO_LARGE = "OUTPUT_TOO_LARGE";

  private DeadLetters() {}

  /** A dead letter for input that came from a source, keeping its raw bytes up to a maximum. */
  public static DeadLetter fromRaw(
      RawRecord raw,
      String origin,
      String errorKind,
      String reason,
      String recordId,
      int maxPayloadBytes,
      long nowMs) {
    int size = raw.value == null ? 0 : raw.value.length;
    return DeadLetter.newBuilder()
        .setOrigin(origin)
        .setTopic(raw.topic)
        .setPartition(raw.partition)
        .setOffset(raw.offset)
        .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
        .setPayload(
            raw.value == null ? null : ByteBuffer.wrap(truncate(raw.value, maxPayloadBytes)))
        .setPayloadSize(size)
        .setErrorKind(errorKind)
        .setReason(reason)
        .setRecordId(recordId)
        .setRecordTimestampMs(raw.timestampMs >= 0 ? raw.timestampMs : null)
        .setDeadAtMs(nowMs)
        .build();
  }

  /** A dead letter for a record rejected by an operator after decoding (no source position). */
  public static DeadLetter fromOperator(
      String origin,
      String errorKind,
      String reason,
      String recordId,
      byte[] payload,
      Long eventTimeMs,
      long nowMs) {
    return DeadLetter.newBuilder()
        .setOrigin(origin)
        .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
        .setPayloadSize(payload == null ? 0 : payload.length)
        .setErrorKind(errorKind)
        .setReason(reason)
        .setRecordId(recordId)
        .setRecordTimestampMs(eventTimeMs)
        .setDeadAtMs(nowMs)
        .build();
  }

  /**
   * A scored generation that reached its group after the group closed ({@link #LATE_GROUP_MEMBER}):
   * the reason names the group, the record id is the generation's, the payload is the scored record
   * as plain JSON and the record time its {@code createdAtMs}.
   */
  public static DeadLetter lateGroupMember(ScoredGeneration late, long nowMs) {
    return fromOperator(
        "group.generations",
        LATE_GROUP_MEMBER,
        "arrived after group " + late.getGeneration().getGroupId() + " closed",
        late.getGeneration().getGenerationId(),
        PlainJson.toJsonString(late).getBytes(StandardCharsets.UTF_8),
        late.getGeneration().getCreatedAtMs(),
        nowMs);
  }

  /**
   * A preference pair a health gate held while its alarm fired and discarded when it cleared
   * ({@link #GATE_DISCARDED}): the record id is the pair's, the payload the pair as plain JSON and
   * the record time its {@code createdAtMs}.
   */
  public static DeadLetter gateDiscardedPair(PreferencePair pair, long nowMs) {
    return fromOperator(
        "gate.pairs",
        GATE_DISCARDED,
        "held while a gating alarm fired for its policy version, discarded when it cleared",
        pair.getPairId(),
        PlainJson.toJsonString(pair).getBytes(StandardCharsets.UTF_8),
        pair.getCreatedAtMs(),
        nowMs);
  }

  /**
   * A preference pair a health gate still held when the input ended ({@link #GATE_HELD_AT_END}):
   * its alarm had not cleared. Record id, payload and record time as for {@link
   * #gateDiscardedPair}.
   */
  public static DeadLetter gateHeldPairAtEnd(PreferencePair pair, long nowMs) {
    return fromOperator(
        "gate.pairs",
        GATE_HELD_AT_END,
        "held while a gating alarm fired for its policy version; the input ended before it cleared",
        pair.getPairId(),
        PlainJson.toJsonString(pair).getBytes(StandardCharsets.UTF_8),
        pair.getCreatedAtMs(),
        nowMs);
  }

  /**
   * A dead letter for an output record that does not fit its topic: the encoded bytes (truncated to
   * {@code maxPayloadBytes}, the full size kept), with the output, the size and the limit in the
   * reason.
   */
  public static DeadLetter outputTooLarge(
      String output,
      String topic,
      String recordId,
      byte[] encoded,
      int recordBytes,
      int limitBytes,
      Long eventTimeMs,
      int maxPayloadBytes,
      long nowMs) {
    return DeadLetter.newBuilder()
        .setOrigin("sink." + output)
        .setPayload(ByteBuffer.wrap(truncate(encoded, maxPayloadBytes)))
        .setPayloadSize(encoded.length)
        .setErrorKind(OUTPUT_TOO_LARGE)
        .setReason(
            output
                + " record of "
                + recordBytes
                + " bytes does not fit topic "
                + topic
                + ": the limit is "
                + limitBytes
                + " bytes (the smaller of the producer's max.request.size and the topic's max.message.bytes)")
        .setRecordId(recordId)
        .setRecordTimestampMs(eventTimeMs)
        .setDeadAtMs(nowMs)
        .build();
  }

  private static byte[] truncate(byte[] bytes, int max) {
    return bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }
}
