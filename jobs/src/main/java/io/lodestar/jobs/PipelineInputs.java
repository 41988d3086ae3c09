package io.lodestar.jobs;

import io.lodestar.connectors.RawRecord;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the pipeline reads: generations always; feedback and the trainers' control topic when there
 * are such inputs; and whether the records carry their event time. Start from {@link #generations},
 * then add the rest:
 *
 * <pre>
 * PipelineInputs.generations(g).withFeedback(f).withPolicyUpdates(p).withEventTimeFromSources()
 * </pre>
 */
public record PipelineInputs(
    DataStream<RawRecord> generations,
    Optional<DataStream<RawRecord>> feedback,
    Optional<DataStream<RawRecord>> policyUpdates,
    EventTime eventTime) {

  /** Where the inputs' event time comes from. */
  public enum EventTime {
    /**
     * The sources stamp records and generate watermarks per partition (Kafka, see {@link
     * SourceEventTime}); the graph keeps them.
     */
    FROM_SOURCES,
    /**
     * The sources carry none (files, collections): the graph stamps each input after parsing, with
     * one watermark per input stream, {@code watermark.out-of-orderness} behind its newest record
     * and moved by the records themselves ({@link ParsedEventTime}).
     */
    AFTER_PARSING
  }

  public PipelineInputs {
    Objects.requireNonNull(generations, "generations");
    Objects.requireNonNull(feedback, "feedback");
    Objects.requireNonNull(policyUpdates, "policyUpdates");
    Objects.requireNonNull(eventTime, "eventTime");
  }

  /**
   * Generations alone, without event time of their own (files, collections): no feedback, no
   * control topic.
   */
  public static PipelineInputs generations(DataStream<RawRecord> generations) {
    return new PipelineInputs(
        generations, Optional.empty(), Optional.empty(), EventTime.AFTER_PARSING);
  }

  /** These inputs with a feedback input. */
  public PipelineInputs withFeedback(DataStream<RawRecord> feedback) {
    return new PipelineInputs(generations, Optional.of(feedback), policyUpdates, eventTime);
  }

  /** These inputs with the trainers' control topic (policy updates). */
  public PipelineInputs withPolicyUpdates(DataStream<RawRecord> policyUpdates) {
    return new PipelineInputs(generations, feedback, Optional.of(policyUpdates), eventTime);
  }

  /**
   * These inputs, their records stamped with event time by the sources ({@link SourceEventTime}).
   */
  public PipelineInputs withEventTimeFromSources() {
    return new PipelineInputs(generations, feedback, policyUpdates, EventTime.FROM_SOURCES);
  }
}
