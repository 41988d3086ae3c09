package io.lodestar.jobs;

import static io.lodestar.jobs.PipelineTopology.avro;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.jobs.config.LodestarOptions;
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
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Stream health in the job: every scored generation, closed group, RL batch, preference pair and
 * joined feedback event feeds the health windows; the alarm rules watch them; with {@code
 * gate.enabled} the batches (and with {@code gate.pairs} the pairs) pass a gate that holds a policy
 * version's records while a gating rule fires for it. See {@code docs/monitoring.md}.
 */
final class HealthStages {

  private HealthStages() {}

  /**
   * What the health stages produce: metrics and alerts (null when {@code health.enabled} is off),
   * the batches and pairs to write (gated or as given), and what a cleared gate discarded.
   */
  record Streams(
      DataStream<HealthMetrics> metrics,
      DataStream<Alert> alerts,
      DataStream<RLBatch> batches,
      DataStream<PreferencePair> pairs,
      DataStream<RLGroup> discardedGroups,
      DataStream<DeadLetter> discardedPairs) {}

  static Streams apply(
      DataStream<ScoredGeneration> scored,
      DataStream<RLGroup> closedGroups,
      DataStream<RLBatch> batches,
      DataStream<PreferencePair> pairs,
      DataStream<FeedbackJoin> joinedFeedback,
      LodestarOptions options) {
    if (!options.get(LodestarOptions.HEALTH_ENABLED)) {
      return new Streams(null, null, batches, pairs, null, null);
    }
    HealthSettings health = options.healthSettings();
    HealthEvents events = HealthEvents.of(health);
    DataStream<HealthEventBatch> all =
        HealthMonitoring.events(scored, events::generation, health, "health-events-generations")
            .union(
                HealthMonitoring.events(closedGroups, events::group, health, "health-events-groups"),
                HealthMonitoring.events(batches, events::batch, health, "health-events-batches"));
    if (pairs != null) {
      all = all.union(HealthMonitoring.events(pairs, p -> events.pair(p, null), health, "health-events-pairs"));
    }
    if (joinedFeedback != null) {
      all = all.union(HealthMonitoring.events(joinedFeedback, j -> events.feedback(j.feedback, j.a, j.b), health, "health-events-feedback"));
    }
    DataStream<HealthMetrics> metrics = HealthMonitoring.windows(all, health);
    DataStream<Alert> alerts = HealthMonitoring.alarms(metrics, options.alarmRules());
    if (!options.get(LodestarOptions.GATE_ENABLED)) {
      return new Streams(metrics, alerts, batches, pairs, null, null);
    }
    GateSettings gate = options.gateSettings();
    HealthMonitoring.Gated<RLBatch> gatedBatches =
        HealthMonitoring.gate(batches, alerts, GateSubject.RL_BATCHES, avro(RLBatch.class), gate, "gate-batches");
    DataStream<RLGroup> discardedGroups =
        gatedBatches
            .discarded()
            .flatMap((RLBatch b, Collector<RLGroup> out) -> b.getGroups().forEach(out::collect), avro(RLGroup.class))
            .uid("gate-discarded-batch-groups")
            .name("Groups of batches a cleared gate discarded");
    DataStream<PreferencePair> passedPairs = pairs;
    DataStream<DeadLetter> discardedPairs = null;
    if (pairs != null && options.get(LodestarOptions.GATE_PAIRS)) {
      HealthMonitoring.Gated<PreferencePair> gatedPairs =
          HealthMonitoring.gate(pairs, alerts, GateSubject.PREFERENCE_PAIRS, avro(PreferencePair.class), gate, "gate-pairs");
      passedPairs = gatedPairs.passed();
      discardedPairs =
          gatedPairs
              .discarded()
              .map(pair -> DeadLetters.gateDiscardedPair(pair, System.currentTimeMillis()), avro(DeadLetter.class))
              .uid("gate-discarded-pairs-to-dead-letters")
              .name("Pairs a cleared gate discarded to dead letters");
    }
    return new Streams(metrics, alerts, gatedBatches.passed(), passedPairs, discardedGroups, discardedPairs);
  }
}
