package io.lodestar.jobs;

import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the pipeline writes: Kafka topics in production, files in bounded mode, anything in tests.
 * {@code filteredGroups} may be null: filtered groups are then counted, not written; {@code
 * healthMetrics} and {@code alerts} may be null: health is then reported as metrics only. Records
 * an output refuses (see {@link KafkaOutput}) join the dead letters, which are connected last.
 */
public record PipelineOutputs(
    PipelineOutput<ScoredGeneration> scored,
    PipelineOutput<RLBatch> batches,
    PipelineOutput<PreferencePair> pairs,
    PipelineOutput<UnpairedExample> unpaired,
    PipelineOutput<DeadLetter> deadLetters,
    PipelineOutput<RLGroup> filteredGroups,
    PipelineOutput<HealthMetrics> healthMetrics,
    PipelineOutput<Alert> alerts) {

  /** Plain sinks, each taking every record it is given. */
  public PipelineOutputs(
      Sink<ScoredGeneration> scored,
      Sink<RLBatch> batches,
      Sink<PreferencePair> pairs,
      Sink<UnpairedExample> unpaired,
      Sink<DeadLetter> deadLetters,
      Sink<RLGroup> filteredGroups,
      Sink<HealthMetrics> healthMetrics,
      Sink<Alert> alerts) {
    this(
        PipelineOutput.of(scored),
        PipelineOutput.of(batches),
        PipelineOutput.of(pairs),
        PipelineOutput.of(unpaired),
        PipelineOutput.of(deadLetters),
        PipelineOutput.of(filteredGroups),
        PipelineOutput.of(healthMetrics),
        PipelineOutput.of(alerts));
  }

  public PipelineOutputs(
      Sink<ScoredGeneration> scored,
      Sink<RLBatch> batches,
      Sink<PreferencePair> pairs,
      Sink<UnpairedExample> unpaired,
      Sink<DeadLetter> deadLetters) {
    this(scored, batches, pairs, unpaired, deadLetters, null, null, null);
  }
}
