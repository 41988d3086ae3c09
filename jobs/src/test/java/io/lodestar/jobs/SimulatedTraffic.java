package io.lodestar.jobs;

import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.VoteOutcome;
import io.lodestar.testkit.traffic.TrafficSimulator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Simulated traffic as encoded records for two topics, with what the pipeline must make of it: the
 * expected generation ids, group ids, pairs and unpaired examples, and the records it must reject
 * with their error kinds. The expectations are worked out here from the simulated records and the
 * documented rules, never with the pipeline's own functions.
 */
final class SimulatedTraffic {

  /** One record to publish. */
  record Message(boolean feedback, byte[] key, byte[] value) {}

  /** A record the pipeline must dead-letter, and the error kind it must give. */
  record Rejected(Message message, String errorKind) {}

  /** A preference pair by what it says: its source, the chosen and the rejected generation. */
  record ExpectedPair(PairSource source, String chosenGenerationId, String rejectedGenerationId) {}

  /** An unpaired example by what it says: its source, the generation and its label. */
  record ExpectedExample(PairSource source, String generationId, boolean label) {}

  final List<Message> messages = new ArrayList<>();
  final Set<String> generationIds = new HashSet<>();
  final Set<String> groupIds = new HashSet<>();

  /** The groups whose every member consents to training: what the RL batches may hold. */
  final Set<String> trainableGroupIds = new HashSet<>();

  /** Each trainable group's generation ids. */
  final Map<String, Set<String>> generationIdsByGroup = new HashMap<>();

  final Set<ExpectedPair> expectedPairs = new HashSet<>();
  final Set<ExpectedExample> expectedUnpaired = new HashSet<>();
  final List<byte[]> rejectedPayloads = new ArrayList<>();
  final List<Rejected> rejected = new ArrayList<>();
  final TrafficSimulator.Stats stats;

  private final Map<String, Generation> byId = new HashMap<>();

  /** The generation each generation message (first delivery or duplicate) carries. */
  private final Map<Message, Generation> generationOf = new IdentityHashMap<>();

  private final List<Feedback> votes = new ArrayList<>();
  private final List<Feedback> thumbs = new ArrayList<>();

  SimulatedTraffic(TrafficSimulator.Settings settings) {
    this(settings, UnaryOperator.identity());
  }

  /** As simulated, with each generation (and its duplicates) rewritten by {@code rewrite} first. */
  SimulatedTraffic(TrafficSimulator.Settings settings, UnaryOperator<Generation> rewrite) {
    this(settings, rewrite, false);
  }

  /**
   * As simulated; with {@code secondThumbs}, two of every three thumbs get a second one from
   * another user on another reply of the same prompt a second later: the first of the three the
   * opposite label (a liked and a disliked reply: one THUMBS pair), the second the same label (two
   * unpaired examples of that label).
   */
  SimulatedTraffic(
      TrafficSimulator.Settings settings, UnaryOperator<Generation> rewrite, boolean secondThumbs) {
    RecordCodec<Generation> generations = RecordCodec.of(Generation.class);
    RecordCodec<Feedback> feedback = RecordCodec.of(Feedback.class);
    int[] count = {0};
    int[] simulatedThumbs = {0};
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
                    generationIdsByGroup
                        .computeIfAbsent(g.getGroupId(), k -> new HashSet<>())
                        .add(g.getGenerationId());
                    add(g);
                  }

                  @Override
                  public void duplicate(Generation simulated) {
                    add(rewrite.apply(simulated));
                  }

                  private void add(Generation g) {
                    Message m =
                        new Message(
                            false, key(g.getGenerationId()), generations.encode(g, format()));
                    generationOf.put(m, g);
                    messages.add(m);
                  }

                  @Override
                  public void feedback(Feedback f) {
                    add(f);
                    if (f.getKind() == FeedbackKind.THUMB && secondThumbs) {
                      int n = simulatedThumbs[0]++;
                      if (n % 3 < 2) {
                        add(secondThumb(f, n % 3 == 0));
                      }
                    }
                  }

                  private void add(Feedback f) {
                    if (f.getKind() == FeedbackKind.PAIRWISE) {
                      votes.add(f);
                    } else if (f.getKind() == FeedbackKind.THUMB) {
                      thumbs.add(f);
                    }
                    messages.add(
                        new Message(true, key(f.getGenerationId()), feedback.encode(f, format())));
                  }

                  @Override
                  public void corrupt(String topicRole, byte[] key, byte[] bytes) {
                    rejectedPayloads.add(bytes);
                    Message m = new Message(topicRole.equals("feedback"), key, bytes);
                    rejected.add(new Rejected(m, decodeErrorKind(bytes)));
                    messages.add(m);
                  }

                  private WireFormat format() {
                    return ++count[0] % 3 == 0 ? WireFormat.JSON : WireFormat.AVRO;
                  }
                });
    Set<String> withoutConsent = new HashSet<>();
    byId.values().stream()
        .filter(g -> !g.getConsentToTrain())
        .forEach(g -> withoutConsent.add(g.getGroupId()));
    groupIds.stream().filter(id -> !withoutConsent.contains(id)).forEach(trainableGroupIds::add);
    generationIdsByGroup.keySet().retainAll(trainableGroupIds);
    for (Feedback vote : votes) {
      Generation a = byId.get(vote.getGenerationId());
      Generation b = byId.get(vote.getOtherGenerationId());
      boolean decided = vote.getOutcome() == VoteOutcome.A || vote.getOutcome() == VoteOutcome.B;
      if (decided
          && a.getConsentToTrain()
          && b.getConsentToTrain()
          && a.getPromptId().equals(b.getPromptId())) {
        Generation chosen = vote.getOutcome() == VoteOutcome.A ? a : b;
        Generation rejected = chosen == a ? b : a;
        expectedPairs.add(
            new ExpectedPair(
                PairSource.VOTE, chosen.getGenerationId(), rejected.getGenerationId()));
      }
    }
    expectThumbs();
  }

  /**
   * What the README promises for thumbs within one prompt (all of one prompt's thumbs here fall in
   * one prompt window): each reply's thumbs summed to a label, an even split yielding nothing; each
   * liked reply over each disliked one; a labelled reply left without a pair an unpaired example.
   * Replies without consent yield nothing. At most two replies of a prompt are thumbed here, so the
   * per-prompt cap never applies.
   */
  private void expectThumbs() {
    Map<String, Map<String, Integer>> netByPrompt = new TreeMap<>();
    for (Feedback thumb : thumbs) {
      Generation g = byId.get(thumb.getGenerationId());
      if (g.getConsentToTrain()) {
        netByPrompt
            .computeIfAbsent(g.getPromptId(), k -> new TreeMap<>())
            .merge(g.getGenerationId(), thumb.getThumbUp() ? 1 : -1, Integer::sum);
      }
    }
    for (Map<String, Integer> net : netByPrompt.values()) {
      List<String> liked = net.keySet().stream().filter(id -> net.get(id) > 0).toList();
      List<String> disliked = net.keySet().stream().filter(id -> net.get(id) < 0).toList();
      if (liked.size() * disliked.size() > 8) {
        throw new IllegalStateException("more thumbs on one prompt than these expectations cover");
      }
      for (String chosen : liked) {
        for (String rejected : disliked) {
          expectedPairs.add(new ExpectedPair(PairSource.THUMBS, chosen, rejected));
        }
      }
      if (disliked.isEmpty()) {
        liked.forEach(id -> expectedUnpaired.add(new ExpectedExample(PairSource.THUMBS, id, true)));
      }
      if (liked.isEmpty()) {
        disliked.forEach(
            id -> expectedUnpaired.add(new ExpectedExample(PairSource.THUMBS, id, false)));
      }
    }
  }

  /**
   * A thumb from another user, a second later, on the reply of the same group with the next sample
   * index.
   */
  private Feedback secondThumb(Feedback first, boolean opposite) {
    Generation rated = byId.get(first.getGenerationId());
    Generation other =
        byId.values().stream()
            .filter(g -> g.getGroupId().equals(rated.getGroupId()))
            .filter(
                g ->
                    g.getSampleIndex()
                        == (rated.getSampleIndex() + 1) % rated.getExpectedGroupSize())
            .findFirst()
            .orElseThrow();
    return Feedback.newBuilder(first)
        .setFeedbackId(first.getFeedbackId() + "-second")
        .setGenerationId(other.getGenerationId())
        .setRaterIdHash("second-rater-" + first.getRaterIdHash())
        .setThumbUp(opposite != first.getThumbUp())
        .setCreatedAtMs(first.getCreatedAtMs() + 1_000)
        .build();
  }

  /**
   * The error kind the wire format's rules give an undecodable payload: no bytes is EMPTY; the Avro
   * single-object marker C3 01 or a JSON object that is not a whole, well-formed record is
   * MALFORMED; anything else is UNRECOGNIZED_ENCODING.
   */
  private static String decodeErrorKind(byte[] bytes) {
    if (bytes.length == 0) {
      return "EMPTY";
    }
    if (bytes.length > 1 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01) {
      return "MALFORMED";
    }
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b == '{' ? "MALFORMED" : "UNRECOGNIZED_ENCODING";
      }
    }
    return "UNRECOGNIZED_ENCODING";
  }

  /**
   * Adds a record that decodes but breaks a contract (blank id, zero group size), to be rejected.
   */
  void addInvalidGeneration(Generation template, String generationId, int expectedGroupSize) {
    Generation invalid =
        Generation.newBuilder(template)
            .setGenerationId(generationId)
            .setExpectedGroupSize(expectedGroupSize)
            .build();
    byte[] bytes = RecordCodec.of(Generation.class).encode(invalid, WireFormat.AVRO);
    rejectedPayloads.add(bytes);
    Message m = new Message(false, null, bytes);
    rejected.add(new Rejected(m, "INVALID"));
    messages.add(m);
  }

  /** The generation a message carries, or null when it is feedback or rejected. */
  Generation generationOf(Message m) {
    return generationOf.get(m);
  }

  /**
   * Unique valid generations per health window start ({@code windowMs} windows aligned to the
   * epoch), by event time.
   */
  Map<Long, Long> generationsPerWindow(long windowMs) {
    Map<Long, Long> counts = new TreeMap<>();
    byId.values()
        .forEach(
            g ->
                counts.merge(
                    Math.floorDiv(g.getCreatedAtMs(), windowMs) * windowMs, 1L, Long::sum));
    return counts;
  }

  /** Every unique generation. */
  Collection<Generation> generations() {
    return byId.values();
  }

  Generation anyGeneration() {
    return byId.values().iterator().next();
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
