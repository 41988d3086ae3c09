package io.lodestar.jobs;

import static io.lodestar.jobs.Stages.avro;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.group.SetAsideGroups;
import io.lodestar.operators.health.GateSettings;
import io.lodestar.operators.health.GateSubject;
import io.lodestar.operators.health.HealthEventBatch;
import io.lodestar.operators.health.HealthEvents;
import io.lodestar.operators.health.HealthMonitoring;
import io.lodestar.operators.health.HealthSettings;
import io.lodestar.operators.preference.FeedbackJoin;
import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Stream health in the job: every scored generation, closed group (before {@code group.filter}), RL
 * batch, preference pair and joined feedback event feeds the health windows; the alarm rules watch
 * them; with {@code gate.enabled} the batches (and with {@code gate.pairs} the pairs) pass a gate
 * that holds a policy version's records while a gating rule fires for it. See {@code
 * docs/monitoring.md}.
 */
final class HealthStages {

  private HealthStages() {}

  /**
   * What the health stages produce: metrics and alerts (empty when {@code health.enabled} is off),
   * and the batches and pairs to write (gated or as given).
   */
  record Streams(
      Optional<DataStream<HealthMetrics>> metrics,
      Optional<DataStream<Alert>> alerts,
      DataStream<RLBatch> batches,
      Optional<DataStream<PreferencePair>> pairs) {}

  /**
   * Wires health over the pipeline's streams; the groups the group step set aside ({@code
   * group.filter}) count like the groups it passed. What the gate does not pass goes to {@code
   * setAside} (groups of batches it discarded or still held at the end of input, labelled) and to
   * {@code deadLetters} (pairs).
   */
  static Streams apply(
      DataStream<ScoredGeneration> scored,
      BatchStages.Groups groups,
      DataStream<RLBatch> batches,
      Optional<DataStream<PreferencePair>> pairs,
      Optional<DataStream<FeedbackJoin>> joinedFeedback,
      LodestarOptions options,
      UnionCollector<DeadLetter> deadLetters,
      UnionCollector<RLGroup> setAside) {
    if (!options.get(LodestarOptions.HEALTH_ENABLED)) {
      return new Streams(Optional.empty(), Optional.empty(), batches, pairs);
    }
    HealthSettings health = options.healthSettings();
    HealthEvents events = HealthEvents.of(health);
    DataStream<HealthEventBatch> all =
        HealthMonitoring.events(scored, events::generation, health, "health-events-generations")
            .union(
                HealthMonitoring.events(
                    groups.closed(), events::group, health, "health-events-groups"),
                // Groups count as they close, before group.filter: a filter that drops the
                // zero-variance groups must not hide them from the zero-variance alarm.
                HealthMonitoring.events(
                    groups.filtered(), events::group, health, "health-events-filtered-groups"),
                HealthMonitoring.events(batches, events::batch, health, "health-events-batches"));
    if (pairs.isPresent()) {
      all =
          all.union(
              HealthMonitoring.events(
                  pairs.get(), p -> events.pair(p, null), health, "health-events-pairs"));
    }
    if (joinedFeedback.isPresent()) {
      all =
          all.union(
              HealthMonitoring.events(
                  joinedFeedback.get(),
                  j -> events.feedback(j.feedback, j.a, j.b),
                  health,
                  "health-events-feedback"));
    }
    DataStream<HealthMetrics> metrics = HealthMonitoring.windows(all, health);
    DataStream<Alert> alerts = HealthMonitoring.alarms(metrics, options.alarmRules());
    if (!options.get(LodestarOptions.GATE_ENABLED)) {
      return new Streams(Optional.of(metrics), Optional.of(alerts), batches, pairs);
    }
    GateSettings gate = options.gateSettings();
    HealthMonitoring.Gated<RLBatch> gatedBatches =
        HealthMonitoring.gate(
            batches, alerts, GateSubject.RL_BATCHES, avro(RLBatch.class), gate, "gate-batches");
    // Whatever the gate does not pass ends in the set-aside output, each group saying why.
    setAside.add(
        groupsOf(
            gatedBatches.discarded(),
            SetAsideReason.GATE_DISCARDED,
            "gate-discarded-batch-groups",
            "Groups of batches a cleared gate discarded"));
    setAside.add(
        groupsOf(
            gatedBatches.heldAtEnd(),
            SetAsideReason.GATE_HELD_AT_END,
            "gate-held-at-end-batch-groups",
            "Groups of batches the gate held when the input ended"));
    Optional<DataStream<PreferencePair>> passedPairs = pairs;
    if (pairs.isPresent() && options.get(LodestarOptions.GATE_PAIRS)) {
      HealthMonitoring.Gated<PreferencePair> gatedPairs =
          HealthMonitoring.gate(
              pairs.get(),
              alerts,
              GateSubject.PREFERENCE_PAIRS,
              avro(PreferencePair.class),
              gate,
              "gate-pairs");
      passedPairs = Optional.of(gatedPairs.passed());
      deadLetters.add(
          gatedPairs
              .discarded()
              .map(
                  pair -> DeadLetters.gateDiscardedPair(pair, System.currentTimeMillis()),
                  avro(DeadLetter.class))
              .uid("gate-discarded-pairs-to-dead-letters")
              .name("Pairs a cleared gate discarded to dead letters"));
      deadLetters.add(
          gatedPairs
              .heldAtEnd()
              .map(
                  pair -> DeadLetters.gateHeldPairAtEnd(pair, System.currentTimeMillis()),
                  avro(DeadLetter.class))
              .uid("gate-held-at-end-pairs-to-dead-letters")
              .name("Pairs the gate held when the input ended to dead letters"));
    }
    return new Streams(
        Optional.of(metrics), Optional.of(alerts), gatedBatches.passed(), passedPairs);
  }

  private static DataStream<RLGroup> groupsOf(
      DataStream<RLBatch> batches, SetAsideReason reason, String uid, String name) {
    return batches
        .flatMap(
            (RLBatch b, Collector<RLGroup> out) ->
                b.getGroups().forEach(g -> out.collect(SetAsideGroups.because(g, reason))),
            avro(RLGroup.class))
        .uid(uid)
        .name(name);
  }
}
