package io.lodestar.jobs;

import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the pipeline writes: Kafka topics in production, files in bounded mode, anything in tests.
 * {@code filteredGroups} may be null: filtered groups are then counted, not written.
 */
public record PipelineOutputs(
    Sink<ScoredGeneration> scored,
    Sink<RLBatch> batches,
    Sink<PreferencePair> pairs,
    Sink<DeadLetter> deadLetters,
    Sink<RLGroup> filteredGroups) {

  public PipelineOutputs(
      Sink<ScoredGeneration> scored, Sink<RLBatch> batches, Sink<PreferencePair> pairs, Sink<DeadLetter> deadLetters) {
    this(scored, batches, pairs, deadLetters, null);
  }
}
