package io.lodestar.jobs;

import io.lodestar.connectors.kafka.CheckedEncodeFunction;
import io.lodestar.connectors.kafka.CheckedEncoder;
import io.lodestar.connectors.kafka.DeadLetterEncodeFunction;
import io.lodestar.connectors.kafka.DeadLetterEncoder;
import io.lodestar.connectors.kafka.EncodedRecord;
import io.lodestar.connectors.kafka.KafkaIO;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.OutputLimits;
import io.lodestar.connectors.kafka.RecordSerializer;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.DeadLetter;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * A Kafka topic behind a checked encoding step: each record is encoded once, before the sink, and
 * one that would exceed the topic's limits goes to dead letters ({@code OUTPUT_TOO_LARGE}) instead
 * of to the sink. For the dead-letter topic itself, a dead letter that would not fit is cut down
 * (payload first, its size kept) instead.
 *
 * <p>Why before the sink, and not by catching the failed send: a refused send - even the producer's
 * own size check - puts the transactional producer into an error state in which every further send
 * and the commit fail. The only way out is to abort, which discards every record of the
 * transaction, of all keys, written since the last checkpoint; their inputs were consumed and can
 * only be replayed by restoring that checkpoint, which is a restart. So the sink must never be
 * given a record the producer or the broker would refuse: sizes and timestamps are checked here and
 * in the serializer, against limits read from the brokers at start-up.
 */
final class KafkaOutput<T extends SpecificRecordBase> implements PipelineOutput<T> {

  private final CheckedEncoder<T> encoder;
  private final DeadLetterEncoder deadLetterEncoder;
  private final KafkaSettings settings;
  private final String sinkName;
  private final int maxDeadLetterPayloadBytes;

  private KafkaOutput(
      CheckedEncoder<T> encoder,
      DeadLetterEncoder deadLetterEncoder,
      KafkaSettings settings,
      String sinkName,
      int maxDeadLetterPayloadBytes) {
    this.encoder = encoder;
    this.deadLetterEncoder = deadLetterEncoder;
    this.settings = settings;
    this.sinkName = sinkName;
    this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
  }

  /** An output whose records that do not fit {@code limits} become dead letters. */
  static <T extends SpecificRecordBase> KafkaOutput<T> of(
      KafkaSettings settings,
      String sinkName,
      String topic,
      RecordCodec<T> codec,
      WireFormat format,
      RecordSerializer.KeyOf<T> keyOf,
      OutputLimits limits,
      int maxDeadLetterPayloadBytes) {
    return new KafkaOutput<>(
        new CheckedEncoder<>(sinkName, topic, codec, format, keyOf, limits),
        null,
        settings,
        sinkName,
        maxDeadLetterPayloadBytes);
  }

  /**
   * The dead-letter output: every dead letter is written, cut down to fit {@code limits} when
   * needed.
   */
  static KafkaOutput<DeadLetter> deadLetters(
      KafkaSettings settings,
      String sinkName,
      String topic,
      WireFormat format,
      OutputLimits limits) {
    RecordCodec<DeadLetter> codec = RecordCodec.of(DeadLetter.class);
    return new KafkaOutput<>(
        new CheckedEncoder<>(sinkName, topic, codec, format, DeadLetter::getRecordId, limits),
        new DeadLetterEncoder(codec, format, limits),
        settings,
        sinkName,
        0);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<DataStream<DeadLetter>> connect(DataStream<T> records, String uid, String name) {
    String encodeUid =
        "encode-" + (uid.startsWith("sink-") ? uid.substring("sink-".length()) : uid);
    TypeInformation<EncodedRecord> encodedType = TypeInformation.of(EncodedRecord.class);
    SingleOutputStreamOperator<EncodedRecord> encoded =
        deadLetterEncoder != null
            ? ((DataStream<DeadLetter>) records)
                .process(new DeadLetterEncodeFunction(deadLetterEncoder), encodedType)
                .uid(encodeUid)
                .name("Encode dead letters (cut down to fit)")
            : records
                .process(
                    new CheckedEncodeFunction<>(
                        encoder, Stages.DEAD_LETTERS, maxDeadLetterPayloadBytes),
                    encodedType)
                .uid(encodeUid)
                .name("Encode " + sinkName + " (size-checked)");
    encoded
        .sinkTo(
            KafkaIO.exactlyOnceEncodedSink(settings, sinkName, encoder.topic(), encoder.limits()))
        .uid(uid)
        .name(name);
    return deadLetterEncoder != null
        ? Optional.empty()
        : Optional.of(encoded.getSideOutput(Stages.DEAD_LETTERS));
  }
}
