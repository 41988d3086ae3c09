package io.lodestar.jobs;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.demo.TrafficSimulator;
import io.lodestar.operators.preference.PreferenceExamples;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.VoteOutcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Simulated traffic as encoded records for two topics, with what the pipeline must make of it:
 * the expected generation ids, group ids and pair ids, and the number of records it must reject.
 */
final class SimulatedTraffic {

  /** One record to publish. */
  record Message(boolean feedback, byte[] key, byte[] value) {}

  final List<Message> messages = new ArrayList<>();
  final Set<String> generationIds = new HashSet<>();
  final Set<String> groupIds = new HashSet<>();
  /** The groups whose every member consents to training: what the RL batches may hold. */
  final Set<String> trainableGroupIds = new HashSet<>();
  final Set<String> expectedPairIds = new HashSet<>();
  final List<byte[]> rejectedPayloads = new ArrayList<>();
  final TrafficSimulator.Stats stats;

  private final Map<String, Generation> byId = new HashMap<>();
  private final List<Feedback> votes = new ArrayList<>();

  SimulatedTraffic(TrafficSimulator.Settings settings) {
    this(settings, UnaryOperator.identity());
  }

  /** As simulated, with each generation (and its duplicates) rewritten by {@code rewrite} first. */
  SimulatedTraffic(TrafficSimulator.Settings settings, UnaryOperator<Generation> rewrite) {
    RecordCodec<Generation> generations = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedback = RecordCodec.of(Feedback.class);
    int[] count = {0};
    stats =
        new TrafficSimulator(settings)
            .run(
                new TrafficSimulator.Output() {
                  @Override
                  public void generation(Generation simulated) {
                    Generation g = rewrite.apply(simulated);
                    byId.put(g.getGenerationId(), g);
                    generationIds.add(g.getGenerationId());
                    groupIds.add(g.getGroupId());
                    messages.add(new Message(false, key(g.getGenerationId()), generations.encode(g, format())));
                  }

                  @Override
                  public void duplicate(Generation simulated) {
                    Generation g = rewrite.apply(simulated);
                    messages.add(new Message(false, key(g.getGenerationId()), generations.encode(g, format())));
                  }

                  @Override
                  public void feedback(Feedback f) {
                    if (f.getKind() == FeedbackKind.PAIRWISE) {
                      votes.add(f);
                    }
                    messages.add(new Message(true, key(f.getGenerationId()), feedback.encode(f, format())));
                  }

                  @Override
                  public void corrupt(String topicRole, byte[] key, byte[] bytes) {
                    rejectedPayloads.add(bytes);
                    messages.add(new Message(topicRole.equals("feedback"), key, bytes));
                  }

                  private WireFormat format() {
                    return ++count[0] % 3 == 0 ? WireFormat.JSON : WireFormat.AVRO;
                  }
                });
    Set<String> withoutConsent = new HashSet<>();
    byId.values().stream().filter(g -> !g.getConsentToTrain()).forEach(g -> withoutConsent.add(g.getGroupId()));
    groupIds.stream().filter(id -> !withoutConsent.contains(id)).forEach(trainableGroupIds::add);
    for (Feedback vote : votes) {
      Generation a = byId.get(vote.getGenerationId());
      Generation b = byId.get(vote.getOtherGenerationId());
      boolean decided = vote.getOutcome() == VoteOutcome.A || vote.getOutcome() == VoteOutcome.B;
      if (decided && a.getConsentToTrain() && b.getConsentToTrain() && a.getPromptId().equals(b.getPromptId())) {
        Generation chosen = vote.getOutcome() == VoteOutcome.A ? a : b;
        Generation rejected = chosen == a ? b : a;
        expectedPairIds.add(PreferenceExamples.pairId(PairSource.VOTE, chosen.getGenerationId(), rejected.getGenerationId()));
      }
    }
  }

  /** Adds a record that decodes but breaks a contract (blank id, zero group size), to be rejected. */
  void addInvalidGeneration(Generation template, String generationId, int expectedGroupSize) {
    Generation invalid =
        Generation.newBuilder(template).setGenerationId(generationId).setExpectedGroupSize(expectedGroupSize).build();
    byte[] bytes = RecordCodec.of(Generation.class).encode(invalid, WireFormat.AVRO);
    rejectedPayloads.add(bytes);
    messages.add(new Message(false, null, bytes));
  }

  Generation anyGeneration() {
    return byId.values().iterator().next();
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
