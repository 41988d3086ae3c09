package io.lodestar.tools.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The learning loop end to end: simulated traffic from a tabular policy, the streaming job, the
 * Python trainer stepping on every RL batch and announcing each version, the simulator sampling
 * from the announced versions. The first trainer is killed with SIGKILL while it holds a batch it
 * has stepped on but not acknowledged; a new one takes over from its checkpoint. Bounded by the
 * number of groups; no assertion depends on timing. Stale groups are dropped here (the demo's
 * default down-weights them), so every sampled group is either in a batch or set aside as stale.
 */
class LearningLoopITCase {

  @Test
  void aPolicyTrainedOnLodestarsBatchesLearnsAndAKilledTrainerLosesNoBatch() throws Exception {
    assumeThat(TrainerProcess.missingPythonModules())
        .as(
            "Debian packages python3-confluent-kafka python3-avro python3-numpy (installed by .ci/run)")
        .isEmpty();

    LearningLoop.Result result =
        LearningLoop.run(
            new String[] {
              "--groups", "360",
              "--gap-ms", "100",
              "--seed", "7",
              "--kill-trainer-after", "8",
              "--staleness-action", "drop",
              "--output", "target/learning-loop",
              "--dashboard", "false"
            });

    // The policy learned: the last versions pass far more often than the first.
    double first = LoopReport.pooledPassRate(result.curve(), 3, 8, true);
    double last = LoopReport.pooledPassRate(result.curve(), 5, 8, false);
    assertThat(first).as("pass rate of the first versions").isLessThan(0.3);
    assertThat(last).as("pass rate of the last versions").isGreaterThan(first + 0.4);

    // Every sampled group reached the trainer or was dropped as stale, none twice.
    assertThat(result.batchedGroups() + result.staleDropped()).isEqualTo(result.sampledGroups());
    assertThat(result.staleDownweighted()).isZero();

    // Every batch on the topic was stepped on once and acknowledged once, over both trainers.
    List<String> batchIds = result.batchIds();
    assertThat(batchIds).isNotEmpty().doesNotHaveDuplicates();
    assertThat(ids(result.events("ack")))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(batchIds);
    assertThat(ids(result.events("step")))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(batchIds);
    assertThat(result.events("stopped")).hasSize(1);
    assertThat(result.events("stopped").get(0).path("policyVersion").asLong())
        .isEqualTo(1L + batchIds.size());

    // The killed trainer held a stepped-on batch unacknowledged; the new one got it again,
    // restored from the checkpoint that already holds its step, and acknowledged it unstepped.
    assertThat(result.trainerRuns()).hasSize(2);
    String held = result.heldBatchId();
    List<JsonNode> killed = result.trainerRuns().get(0);
    List<JsonNode> restarted = result.trainerRuns().get(1);
    assertThat(ids(named(killed, "ack"))).hasSize(8).doesNotContain(held);
    assertThat(ids(named(killed, "step"))).hasSize(9).endsWith(held);
    JsonNode started = named(restarted, "started").get(0);
    assertThat(started.path("restored").asBoolean()).isTrue();
    assertThat(started.path("policyVersion").asLong())
        .isEqualTo(named(killed, "step").get(8).path("policyVersion").asLong());
    // Batches spread over the topic's partitions: the held one comes first on its own partition.
    JsonNode holding = named(killed, "holding").get(0);
    JsonNode replayed = null;
    for (JsonNode ack : named(restarted, "ack")) {
      if (ack.path("partition").asInt() == holding.path("partition").asInt()) {
        replayed = ack;
        break;
      }
    }
    assertThat(replayed).isNotNull();
    assertThat(replayed.path("batchId").asText()).isEqualTo(held);
    assertThat(replayed.path("offset").asLong()).isEqualTo(holding.path("offset").asLong());
    assertThat(replayed.path("stepped").asBoolean()).isFalse();
    assertThat(ids(named(restarted, "step"))).doesNotContain(held);
  }

  private static List<JsonNode> named(List<JsonNode> events, String name) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode event : events) {
      if (name.equals(event.path("event").asText())) {
        found.add(event);
      }
    }
    return found;
  }

  private static List<String> ids(List<JsonNode> events) {
    List<String> ids = new ArrayList<>();
    for (JsonNode event : events) {
      ids.add(event.path("batchId").asText());
    }
    return ids;
  }
}
