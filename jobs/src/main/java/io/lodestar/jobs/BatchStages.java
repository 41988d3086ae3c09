package io.lodestar.jobs;

import static io.lodestar.jobs.Stages.avro;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.batch.BatchFunction;
import io.lodestar.operators.group.GroupFunction;
import io.lodestar.operators.group.SetAsideGroups;
import io.lodestar.operators.group.TrainingConsentFunction;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Scored generations to RL batches: groups with GRPO advantages, then [diversity], [consent] and
 * packing per model, paced by the trainers' policy updates. Groups kept out of the batches go to
 * the set-aside output, each labelled with why; late and inconsistent members are dead letters.
 */
final class BatchStages {

  private BatchStages() {}

  /**
   * The group step's outputs: the groups it closed and passed, and those {@code group.filter} set
   * aside.
   */
  record Groups(SingleOutputStreamOperator<RLGroup> closed, DataStream<RLGroup> filtered) {}

  static Groups group(
      DataStream<ScoredGeneration> scored,
      LodestarOptions options,
      UnionCollector<DeadLetter> deadLetters,
      UnionCollector<RLGroup> setAside) {
    SingleOutputStreamOperator<RLGroup> closed =
        scored
            .keyBy(s -> s.getGeneration().getGroupId(), Types.STRING)
            .process(
                new GroupFunction(
                    options.get(LodestarOptions.GROUP_TIMEOUT),
                    options.get(LodestarOptions.GROUP_LATE_RETENTION),
                    options.advantageSpec(),
                    options.groupFilter(),
                    // Group-level scorers (majority vote) run inside: before the filter and the
                    // advantages, without a second copy of the members in state.
                    options.groupScoring()),
                avro(RLGroup.class))
            .uid("group-generations")
            .name("Group responses, GRPO advantages");
    deadLetters.add(
        closed
            .getSideOutput(GroupFunction.LATE_MEMBERS)
            .map(
                late -> DeadLetters.lateGroupMember(late, System.currentTimeMillis()),
                avro(DeadLetter.class))
            .uid("late-members-to-dead-letters")
            .name("Late group members to dead letters"));
    deadLetters.add(closed.getSideOutput(GroupFunction.INCONSISTENT_MEMBERS));
    DataStream<RLGroup> filtered = closed.getSideOutput(GroupFunction.FILTERED_GROUPS);
    setAside.add(filtered);
    return new Groups(closed, filtered);
  }

  /**
   * Closed groups packed into batches per model; without a control topic ({@code policyUpdates}
   * empty) the batch step's second input carries nothing.
   */
  static DataStream<RLBatch> batch(
      Groups groups,
      Optional<DataStream<PolicyUpdate>> policyUpdates,
      LodestarOptions options,
      UnionCollector<RLGroup> setAside) {
    DataStream<RLGroup> trainable = ScoringStages.withDiversity(groups.closed(), options);
    if (options.get(LodestarOptions.BATCH_REQUIRE_CONSENT)) {
      SingleOutputStreamOperator<RLGroup> consented =
          trainable
              .process(new TrainingConsentFunction(), avro(RLGroup.class))
              .uid("training-consent")
              .name("Consent to train");
      setAside.add(consented.getSideOutput(TrainingConsentFunction.NO_CONSENT));
      trainable = consented;
    }
    DataStream<PolicyUpdate> updates =
        policyUpdates.orElseGet(() -> noPolicyUpdates(groups.closed()));
    SingleOutputStreamOperator<RLBatch> batches =
        trainable
            .keyBy(g -> g.getSamples().get(0).getPolicy().getModelId(), Types.STRING)
            .connect(updates.keyBy(PolicyUpdate::getModelId, Types.STRING))
            .process(
                new BatchFunction(
                    options.batchLimits(),
                    options.get(LodestarOptions.BATCH_MAX_WAIT),
                    options.staleness(),
                    options.advantageSpec(),
                    options.get(LodestarOptions.BATCH_MIX_POLICY_VERSIONS)),
                avro(RLBatch.class))
            .uid("pack-batches")
            .name("Pack RL batches");
    // The batch operator's side outputs say why here; the group and consent steps label their own.
    setAside.add(
        batches
            .getSideOutput(BatchFunction.STALE_GROUPS)
            .map(g -> SetAsideGroups.because(g, SetAsideReason.STALE), avro(RLGroup.class))
            .uid("stale-groups-reason")
            .name("Stale groups: reason"));
    AdvantageSpec advantageSpec = options.advantageSpec();
    setAside.add(
        batches
            .getSideOutput(BatchFunction.REFUSED_GROUPS)
            .map(
                g ->
                    SetAsideGroups.refusedByTrainer(
                        g,
                        advantageSpec,
                        "the batch step has no result for the batch this group was packed in"),
                avro(RLGroup.class))
            .uid("refused-batch-groups-reason")
            .name("Groups of refused batches: reason"));
    return batches;
  }

  /**
   * Without a control topic the batch operator's second input carries nothing, but it is derived
   * from the groups so its watermark is theirs and never holds event time back.
   */
  private static DataStream<PolicyUpdate> noPolicyUpdates(DataStream<RLGroup> groups) {
    return groups
        .flatMap((RLGroup g, Collector<PolicyUpdate> out) -> {}, avro(PolicyUpdate.class))
        .uid("no-policy-updates")
        .name("No trainer control topic");
  }
}
