package io.lodestar.jobs;

import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The pipeline graph, independent of where records come from and go to:
 *
 * <pre>
 * generations -> parse/validate -> dedup (InputStages)
 *             -> verify (rules, then code tests async) -> [reward model] [embedding similarity]
 *                [remote reward model] [judge] -> combine rewards -> scored (ScoringStages)
 *             -> group -> advantages -> [diversity] [consent] -> batches (BatchStages)
 * feedback    -> parse/validate -> dedup -> join generations -> votes, edits, regenerations; thumbs, ratings per prompt
 *             -> pairs, unpaired examples (redacted); closed groups -> [reward-margin pairs] (PreferenceStages)
 * scored, groups, batches, pairs, feedback -> health windows -> alarms -> [gate before the batch (and pair) sinks] (HealthStages)
 * every rejected, late or unmatched record -> dead letters
 * </pre>
 *
 * Every operator has a stable uid (state survives upgrades) and a name (readable in the UI).
 */
public final class PipelineTopology {

  private PipelineTopology() {}

  /**
   * The streams the graph produces, before they reach the sinks ({@link PipelineOutputs#connect});
   * tests may tap them. {@code unpaired} is empty without a feedback input, {@code pairs} too
   * unless group pairs are on; {@code healthMetrics} and {@code alerts} are empty unless {@code
   * health.enabled}.
   */
  public record Streams(
      DataStream<ScoredGeneration> scored,
      DataStream<RLBatch> batches,
      Optional<DataStream<PreferencePair>> pairs,
      Optional<DataStream<UnpairedExample>> unpaired,
      DataStream<DeadLetter> deadLetters,
      DataStream<RLGroup> filteredGroups,
      Optional<DataStream<HealthMetrics>> healthMetrics,
      Optional<DataStream<Alert>> alerts) {}

  /** Builds the graph over {@code inputs}, without sinks. */
  public static Streams build(PipelineInputs inputs, LodestarOptions options) {
    UnionCollector<DeadLetter> deadLetters = new UnionCollector<>("dead letters");
    UnionCollector<RLGroup> setAside = new UnionCollector<>("set-aside groups");

    DataStream<Generation> parsed = InputStages.generations(inputs, options, deadLetters);
    Optional<DataStream<Feedback>> feedback = InputStages.feedback(inputs, options, deadLetters);
    Optional<DataStream<PolicyUpdate>> policyUpdates =
        InputStages.policyUpdates(inputs, options, deadLetters);
    DataStream<Generation> generations = InputStages.deduplicated(parsed, options);

    DataStream<ScoredGeneration> scored = ScoringStages.apply(generations, options, deadLetters);

    BatchStages.Groups groups = BatchStages.group(scored, options, deadLetters, setAside);
    DataStream<RLBatch> batches = BatchStages.batch(groups, policyUpdates, options, setAside);

    PreferenceStages.Streams preference =
        PreferenceStages.apply(
            scored, feedback, groups.closed(), options, inputs.eventTime(), deadLetters);

    HealthStages.Streams health =
        HealthStages.apply(
            scored,
            groups,
            batches,
            preference.pairs(),
            preference.joinedFeedback(),
            options,
            deadLetters,
            setAside);

    return new Streams(
        scored,
        health.batches(),
        health.pairs(),
        preference.unpaired(),
        deadLetters.union(),
        setAside.union(),
        health.metrics(),
        health.alerts());
  }
}
