package io.lodestar.jobs;

import io.lodestar.schema.DeadLetter;
import java.util.Optional;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where one of the pipeline's streams goes: a plain {@link Sink} (files, tests), or a Kafka topic
 * behind a step that refuses what the topic would refuse ({@link KafkaOutput}).
 */
@FunctionalInterface
public interface PipelineOutput<T> {

  /**
   * Connects {@code records} to this output, its sink under {@code uid} and {@code name}.
   *
   * @return the dead letters of records this output could not take; empty when it takes them all
   */
  Optional<DataStream<DeadLetter>> connect(DataStream<T> records, String uid, String name);

  /** Every record straight into {@code sink}; null for a null sink. */
  static <T> PipelineOutput<T> of(Sink<T> sink) {
    if (sink == null) {
      return null;
    }
    return (records, uid, name) -> {
      records.sinkTo(sink).uid(uid).name(name);
      return Optional.empty();
    };
  }
}
