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
import org.apache.flink.streaming.api.datastream.DataStream;

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

  /**
   * Connects the graph's streams to these outputs; returns them with the dead letters of what the
   * outputs refused added, which is what the dead-letter output is given.
   */
  public PipelineTopology.Streams connect(PipelineTopology.Streams streams) {
    // Outputs may refuse records (a Kafka topic refuses one that is too large); those join the dead
    // letters, so the dead-letter output is connected last.
    UnionCollector<DeadLetter> refused = new UnionCollector<>("dead letters");
    refused.add(streams.deadLetters());
    scored
        .connect(streams.scored(), "sink-scored", "Scored generations sink")
        .ifPresent(refused::add);
    batches.connect(streams.batches(), "sink-batches", "RL batches sink").ifPresent(refused::add);
    streams
        .pairs()
        .flatMap(p -> pairs.connect(p, "sink-pairs", "Preference pairs sink"))
        .ifPresent(refused::add);
    streams
        .unpaired()
        .flatMap(u -> unpaired.connect(u, "sink-unpaired", "Unpaired examples sink"))
        .ifPresent(refused::add);
    if (healthMetrics != null) {
      streams
          .healthMetrics()
          .flatMap(m -> healthMetrics.connect(m, "sink-health-metrics", "Health metrics sink"))
          .ifPresent(refused::add);
    }
    if (alerts != null) {
      streams
          .alerts()
          .flatMap(a -> alerts.connect(a, "sink-alerts", "Alerts sink"))
          .ifPresent(refused::add);
    }
    if (filteredGroups != null) {
      filteredGroups
          .connect(streams.filteredGroups(), "sink-filtered-groups", "Filtered groups sink")
          .ifPresent(refused::add);
    }
    DataStream<DeadLetter> deadLetters = refused.union();
    this.deadLetters.connect(deadLetters, "sink-dead-letters", "Dead letters sink");
    return new PipelineTopology.Streams(
        streams.scored(),
        streams.batches(),
        streams.pairs(),
        streams.unpaired(),
        deadLetters,
        streams.filteredGroups(),
        streams.healthMetrics(),
        streams.alerts());
  }
}
