package io.lodestar.jobs;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.EventTimeReader;
import io.lodestar.connectors.serde.FormatEventTime;
import io.lodestar.connectors.serde.RawEventTime;
import io.lodestar.jobs.config.FeedbackFormat;
import io.lodestar.jobs.config.GenerationsFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PolicyUpdate;
import java.io.Serializable;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Event time at the Kafka sources. The deserializer reads each record's event time from its bytes
 * (see {@link EventTimeReader}); the source then stamps records and generates watermarks per
 * partition, so a partition read ahead of the others (a backlog after an outage, a restart or lag)
 * never pushes event time past records the others still hold. Partitions silent for {@code
 * watermark.idleness} stop holding it back, and watermark alignment across every partition of the
 * generation, feedback and policy-update topics pauses a partition read more than {@code
 * watermark.alignment.max-drift} ahead, which bounds the state a backlog fills.
 *
 * <p>A record moves the watermark only when its event time is trusted: it was read (the record will
 * decode), is positive and is at most {@code validate.max-clock-skew} ahead of the wall clock. Any
 * other record is stamped with its Kafka timestamp and moves nothing; validation dead-letters it.
 */
public final class SourceEventTime {

  /** The watermark alignment group of every Kafka input of the pipeline. */
  public static final String ALIGNMENT_GROUP = "lodestar-inputs";

  private SourceEventTime() {}

  /** The inputs and the field of each that holds its event time. */
  public enum Input {
    GENERATIONS(Generation.class, "createdAtMs"),
    FEEDBACK(Feedback.class, "createdAtMs"),
    POLICY_UPDATES(PolicyUpdate.class, "publishedAtMs");

    private final Class<? extends SpecificRecordBase> type;
    private final String field;

    Input(Class<? extends SpecificRecordBase> type, String field) {
      this.type = type;
      this.field = field;
    }

    /** Reads this input's event time from a record's bytes, in Lodestar's own encodings. */
    public EventTimeReader reader() {
      return EventTimeReader.of(type, field);
    }

    /**
     * Reads this input's event time from a record's bytes in the format the options name for it:
     * Lodestar's own encodings are walked without decoding; other formats ({@code openai-chat},
     * {@code simple}) have no top-level time field and are read through their mapping.
     */
    public RawEventTime reader(LodestarOptions options) {
      if (this == GENERATIONS && options.generationsFormat() != GenerationsFormat.LODESTAR) {
        return new FormatEventTime<>(
            InputStages.generationsFormat(options), Generation::getCreatedAtMs);
      }
      if (this == FEEDBACK && options.feedbackFormat() != FeedbackFormat.LODESTAR) {
        return new FormatEventTime<>(InputStages.feedbackFormat(options), Feedback::getCreatedAtMs);
      }
      return reader();
    }
  }

  /** The watermark strategy of every Kafka input, as the options configure it. */
  public static WatermarkStrategy<RawRecord> strategy(LodestarOptions options) {
    return strategy(
        options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS),
        options.get(LodestarOptions.WATERMARK_IDLENESS),
        options.get(LodestarOptions.MAX_CLOCK_SKEW),
        options.get(LodestarOptions.WATERMARK_ALIGNMENT_MAX_DRIFT),
        options.get(LodestarOptions.WATERMARK_ALIGNMENT_UPDATE_INTERVAL));
  }

  static WatermarkStrategy<RawRecord> strategy(
      Duration outOfOrderness,
      Duration idleness,
      Duration maxClockSkew,
      Duration maxDrift,
      Duration updateInterval) {
    Trust trust = new Trust(maxClockSkew.toMillis(), System::currentTimeMillis);
    long delayMs = outOfOrderness.toMillis();
    return WatermarkStrategy.<RawRecord>forGenerator(
            context -> new TrustedWatermarks(trust, delayMs))
        .withTimestampAssigner(new Stamp(trust))
        .withIdleness(idleness)
        .withWatermarkAlignment(ALIGNMENT_GROUP, maxDrift, updateInterval);
  }

  /** A wall clock in epoch milliseconds; serializable so tests can hand in their own. */
  @FunctionalInterface
  interface WallClock extends Serializable {
    long nowMs();
  }

  /** Which records' event times may move the watermark. */
  static final class Trust implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long maxSkewMs;
    private final WallClock clock;

    Trust(long maxSkewMs, WallClock clock) {
      this.maxSkewMs = maxSkewMs;
      this.clock = clock;
    }

    /**
     * True when the record's event time was read, is positive (validation refuses any other) and is
     * not beyond the skew bound.
     */
    boolean trusts(RawRecord record) {
      long t = record.eventTimeMs;
      return t > 0 && t <= clock.nowMs() + maxSkewMs;
    }
  }

  /** A trusted event time, otherwise the Kafka timestamp the record arrived with. */
  static final class Stamp implements SerializableTimestampAssigner<RawRecord> {
    private static final long serialVersionUID = 1L;
    private final Trust trust;

    Stamp(Trust trust) {
      this.trust = trust;
    }

    @Override
    public long extractTimestamp(RawRecord record, long kafkaTimestamp) {
      return trust.trusts(record) ? record.eventTimeMs : kafkaTimestamp;
    }
  }

  /**
   * Bounded out-of-orderness over trusted event times only (one per partition: the source makes one
   * generator per split). Until a trusted record arrives it emits nothing.
   */
  static final class TrustedWatermarks implements WatermarkGenerator<RawRecord> {
    private final Trust trust;
    private final long delayMs;
    private long maxEventTime = Long.MIN_VALUE;

    TrustedWatermarks(Trust trust, long delayMs) {
      this.trust = trust;
      this.delayMs = delayMs;
    }

    @Override
    public void onEvent(RawRecord record, long timestamp, WatermarkOutput output) {
      if (trust.trusts(record) && record.eventTimeMs > maxEventTime) {
        maxEventTime = record.eventTimeMs;
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      if (maxEventTime != Long.MIN_VALUE) {
        output.emitWatermark(new Watermark(maxEventTime - delayMs - 1));
      }
    }
  }

  /**
   * Passes records, watermarks and statuses through, chained right after a Kafka source. When the
   * job is stopped with a savepoint and drained, the source sends the final watermark, which fires
   * every event-time timer downstream (open groups, pending batches); but if all its partitions
   * were idle at that moment, Flink's outputs drop that watermark because the stream is announced
   * idle. At the end of the drained input this operator announces the stream active again and sends
   * the final watermark itself.
   */
  static final class FinalWatermark extends AbstractStreamOperator<RawRecord>
      implements OneInputStreamOperator<RawRecord, RawRecord>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private transient boolean idle;

    @Override
    public void processElement(StreamRecord<RawRecord> element) {
      output.collect(element);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
      idle = status.isIdle();
      super.processWatermarkStatus(status);
    }

    @Override
    public void endInput() {
      if (idle) {
        idle = false;
        output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        output.emitWatermark(org.apache.flink.streaming.api.watermark.Watermark.MAX_WATERMARK);
      }
    }
  }
}
