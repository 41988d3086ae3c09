package io.lodestar.testkit.traffic;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.VoteOutcome;
import io.lodestar.testkit.traffic.MathProblems.Problem;
import io.lodestar.testkit.traffic.MathProblems.Solution;
import io.lodestar.testkit.traffic.ResponseWriter.Written;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic generator of production-like LLM traffic for the local demo: groups of sampled
 * responses to math word problems, user votes and thumbs, and the mess real topics carry
 * (re-delivered records, undecodable payloads, responses without an answer).
 *
 * <p>Everything is generated from the seed, so a demo run and a test see exactly the same traffic,
 * and no external data set is needed.
 */
public final class TrafficSimulator {

  /**
   * What to generate. Rates are probabilities: {@code duplicateRate} and {@code noAnswerRate} per
   * generation, {@code corruptRate}, {@code voteRate} and {@code thumbRate} per group.
   */
  public record Settings(
      long seed,
      int prompts,
      int groupSize,
      double duplicateRate,
      double corruptRate,
      double noAnswerRate,
      double voteRate,
      double thumbRate,
      long startTimeMs,
      long meanGapMs,
      String modelId) {

    public Settings {
      if (prompts < 0) {
        throw new IllegalArgumentException("prompts must be >= 0, got " + prompts);
      }
      if (groupSize < 1) {
        throw new IllegalArgumentException("groupSize must be >= 1, got " + groupSize);
      }
      requireProbability("duplicateRate", duplicateRate);
      requireProbability("corruptRate", corruptRate);
      requireProbability("noAnswerRate", noAnswerRate);
      requireProbability("voteRate", voteRate);
      requireProbability("thumbRate", thumbRate);
      if (meanGapMs < 0) {
        throw new IllegalArgumentException("meanGapMs must be >= 0, got " + meanGapMs);
      }
      if (modelId == null || modelId.isBlank()) {
        throw new IllegalArgumentException("modelId must be set");
      }
    }

    /**
     * A fixed start time rather than the clock, so that the defaults always produce the same
     * traffic.
     */
    public static Settings defaults() {
      return new Settings(
          42L,
          200,
          4,
          0.02,
          0.01,
          0.08,
          0.3,
          0.2,
          1_767_225_600_000L,
          250L,
          "lodestar-sim-7b-instruct");
    }

    private static void requireProbability(String name, double value) {
      if (!(value >= 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException(name + " must be within [0, 1], got " + value);
      }
    }
  }

  /**
   * Receives the traffic; topic roles and keys are left to the caller except for corrupt payloads.
   */
  public interface Output {
    void generation(Generation g);

    void feedback(Feedback f);

    /** An undecodable payload; {@code topicRole} is {@code "generations"} or {@code "feedback"}. */
    void corrupt(String topicRole, byte[] key, byte[] bytes);

    /**
     * A re-delivery of a generation already passed to {@link #generation}, with the same
     * generationId.
     */
    void duplicate(Generation g);
  }

  /** Counts of what one run emitted; {@code generations} excludes duplicates. */
  public record Stats(
      int prompts,
      int generations,
      int duplicates,
      int corrupt,
      int votes,
      int thumbs,
      int correctResponses) {}

  /**
   * The trainer publishes new weights now and then; samples of one group always share a version.
   */
  private static final int GROUPS_PER_POLICY_VERSION = 100;

  /** Samples of one prompt finish within this window of each other. */
  private static final int GROUP_SPREAD_MS = 400;

  /** Feedback comes after the user has read the responses, so well after the group's spread. */
  private static final int MIN_FEEDBACK_DELAY_MS = 1_500;

  private static final int MAX_FEEDBACK_DELAY_MS = 45_000;
  private static final double LOGPROBS_GROUP_RATE = 0.35;
  private static final double SYSTEM_PROMPT_RATE = 0.4;
  private static final int VOCABULARY_SIZE = 50_000;
  private static final Pattern WORD_OR_MARK = Pattern.compile("\\w+|[^\\w\\s]");
  private static final int USERS = 300;
  private static final double USER_CONSENT_RATE = 0.9;

  /**
   * Per-prompt solve rates spread over this range, so some groups are all right and some all wrong.
   */
  private static final double MIN_SOLVE_RATE = 0.15;

  private static final double MAX_SOLVE_RATE = 0.95;

  private static final String[] TENANTS = {"acme-edu", "northwind", "globex-learning"};
  private static final String[] APPS = {"homework-helper", "tutor-web", "mobile-chat"};
  private static final String[] SYSTEM_PROMPTS = {
    "You are a helpful math tutor. Explain your reasoning step by step before giving the final answer.",
    "You are a concise assistant. Show your working, then state the final answer on its own line.",
    "Solve the user's problem. End your reply with the final answer."
  };
  private static final String[] USER_SUFFIXES = {
    "", "", "", " Please show your work.", " Explain briefly."
  };

  private final Settings settings;

  public TrafficSimulator(Settings s) {
    this.settings = Objects.requireNonNull(s, "settings");
  }

  /** Emits the whole run and returns its counts; calling it again replays the same traffic. */
  public Stats run(Output out) {
    Random rnd = new Random(settings.seed());
    ResponseWriter writer = new ResponseWriter(rnd);
    List<User> users = users(rnd);
    Counts counts = new Counts();
    long groupStartMs = settings.startTimeMs();
    for (int index = 0; index < settings.prompts(); index++) {
      if (index > 0) {
        groupStartMs += gap(rnd);
      }
      long policyVersion = 1 + index / GROUPS_PER_POLICY_VERSION;
      User user = users.get(rnd.nextInt(users.size()));
      List<Member> members = generateGroup(rnd, writer, user, policyVersion, groupStartMs);
      for (Member member : members) {
        out.generation(member.generation());
        counts.generations++;
        if (member.correct()) {
          counts.correct++;
        }
        if (rnd.nextDouble() < settings.duplicateRate()) {
          // The very record again, as a producer retry or an at-least-once replay re-delivers it.
          out.duplicate(member.generation());
          counts.duplicates++;
        }
      }
      for (Feedback feedback : feedbackFor(rnd, members, user, counts)) {
        out.feedback(feedback);
      }
      if (rnd.nextDouble() < settings.corruptRate()) {
        emitCorrupt(rnd, out, members.get(0).generation().getGroupId());
        counts.corrupt++;
      }
    }
    return new Stats(
        settings.prompts(),
        counts.generations,
        counts.duplicates,
        counts.corrupt,
        counts.votes,
        counts.thumbs,
        counts.correct);
  }

  private static final class Counts {
    int generations;
    int duplicates;
    int corrupt;
    int votes;
    int thumbs;
    int correct;
  }

  private record User(String idHash, String tenant, boolean consentToTrain) {}

  private record Member(Generation generation, boolean correct) {}

  private static List<User> users(Random rnd) {
    List<User> users = new ArrayList<>(USERS);
    for (int i = 0; i < USERS; i++) {
      users.add(
          new User(
              sha256Hex("sim-user-" + i),
              MathProblems.pick(rnd, TENANTS),
              rnd.nextDouble() < USER_CONSENT_RATE));
    }
    return users;
  }

  /**
   * Exponential gaps, as independent users arriving at random would produce; at least 1 ms keeps
   * order strict.
   */
  private long gap(Random rnd) {
    return Math.max(1L, Math.round(-settings.meanGapMs() * Math.log(1.0 - rnd.nextDouble())));
  }

  /**
   * The K samples of one prompt, in the order they finished (which is not their sample index
   * order).
   */
  private List<Member> generateGroup(
      Random rnd, ResponseWriter writer, User user, long policyVersion, long groupStartMs) {
    Problem problem = MathProblems.next(rnd);
    Solution reference = problem.solve();
    BigDecimal answer = reference.answer().value();
    String groundTruth = answer.stripTrailingZeros().toPlainString();
    String groupId = uuid(rnd);
    String promptId = "prompt-" + uuid(rnd);
    // One request asks for all K samples, as with n=K in an inference API.
    String requestId = "req-" + uuid(rnd);
    String app = MathProblems.pick(rnd, APPS);
    List<ChatMessage> prompt = prompt(rnd, problem);
    boolean withLogprobs = rnd.nextDouble() < LOGPROBS_GROUP_RATE;
    double solveRate = MIN_SOLVE_RATE + (MAX_SOLVE_RATE - MIN_SOLVE_RATE) * rnd.nextDouble();
    int k = settings.groupSize();
    long[] finishOffsetsMs = finishOffsetsMs(rnd, k);

    List<Member> members = new ArrayList<>(k);
    for (int sampleIndex = 0; sampleIndex < k; sampleIndex++) {
      Written written;
      boolean correct = false;
      if (rnd.nextDouble() < settings.noAnswerRate()) {
        written = writer.unanswered(problem, reference, answer);
      } else if (rnd.nextDouble() < solveRate) {
        written = writer.answered(problem, reference);
        correct = true;
      } else {
        written = writer.answered(problem, wrongSolution(rnd, problem, reference));
      }
      Generation.Builder generation =
          Generation.newBuilder()
              .setGenerationId(uuid(rnd))
              .setRequestId(requestId)
              .setPromptId(promptId)
              .setGroupId(groupId)
              .setExpectedGroupSize(k)
              .setSampleIndex(sampleIndex)
              // Fresh parts per sample, so no two emitted records share mutable state.
              .setPrompt(copyOf(prompt))
              .setResponse(written.text())
              .setTask(task(problem, groundTruth))
              .setPolicy(policy(policyVersion, k))
              .setFinishReason(written.finishReason())
              .setCreatedAtMs(groupStartMs + finishOffsetsMs[sampleIndex])
              .setTenant(user.tenant())
              .setApp(app)
              .setUserIdHash(user.idHash())
              .setConsentToTrain(user.consentToTrain());
      if (withLogprobs) {
        List<Integer> responseTokens = tokenise(written.text());
        generation
            .setPromptTokenIds(tokenise(promptText(prompt)))
            .setResponseTokenIds(responseTokens)
            .setResponseLogprobs(logprobs(rnd, responseTokens.size()));
      }
      members.add(new Member(generation.build(), correct));
    }
    members.sort(Comparator.comparingLong(m -> m.generation().getCreatedAtMs()));
    return members;
  }

  /**
   * The first sample finishes at the group's start, so groups follow each other in time; the rest
   * soon after.
   */
  private static long[] finishOffsetsMs(Random rnd, int groupSize) {
    long[] offsets = new long[groupSize];
    long earliest = Long.MAX_VALUE;
    for (int i = 0; i < groupSize; i++) {
      offsets[i] = rnd.nextInt(GROUP_SPREAD_MS);
      earliest = Math.min(earliest, offsets[i]);
    }
    for (int i = 0; i < groupSize; i++) {
      offsets[i] -= earliest;
    }
    return offsets;
  }

  /**
   * Slips at a random step; if later rounding hides the slip, slipping at the last step always
   * shows.
   */
  static Solution wrongSolution(Random rnd, Problem problem, Solution reference) {
    int steps = reference.steps().size();
    Solution wrong = problem.solve(rnd.nextInt(steps), rnd);
    if (wrong.answer().value().compareTo(reference.answer().value()) == 0) {
      wrong = problem.solve(steps - 1, rnd);
    }
    return wrong;
  }

  static List<ChatMessage> prompt(Random rnd, Problem problem) {
    List<ChatMessage> messages = new ArrayList<>(2);
    if (rnd.nextDouble() < SYSTEM_PROMPT_RATE) {
      messages.add(new ChatMessage("system", MathProblems.pick(rnd, SYSTEM_PROMPTS)));
    }
    messages.add(
        new ChatMessage("user", problem.question() + MathProblems.pick(rnd, USER_SUFFIXES)));
    return messages;
  }

  static TaskMetadata task(Problem problem, String groundTruth) {
    return TaskMetadata.newBuilder()
        .setDataSource("simulated-math")
        .setKind(TaskKind.MATH)
        .setGroundTruth(groundTruth)
        .setExtra(new HashMap<>(Map.of("template", problem.template())))
        .build();
  }

  private Policy policy(long policyVersion, int groupSize) {
    return Policy.newBuilder()
        .setModelId(settings.modelId())
        .setPolicyVersion(policyVersion)
        .setTemperature(0.8)
        .setTopP(0.95)
        .setMaxTokens(1024)
        .setSamplingParams(new HashMap<>(Map.of("n", Integer.toString(groupSize))))
        .build();
  }

  /**
   * Copies with the constructor rather than Avro's copy builder: that one deep-copies reflectively
   * and fails unless the JVM allow-lists the schema package, which a caller of this class should
   * not need to know.
   */
  static List<ChatMessage> copyOf(List<ChatMessage> prompt) {
    List<ChatMessage> copy = new ArrayList<>(prompt.size());
    for (ChatMessage message : prompt) {
      copy.add(new ChatMessage(message.getRole(), message.getContent()));
    }
    return copy;
  }

  private static String promptText(List<ChatMessage> prompt) {
    StringBuilder text = new StringBuilder();
    for (ChatMessage message : prompt) {
      text.append(message.getRole()).append(": ").append(message.getContent()).append('\n');
    }
    return text.toString();
  }

  /** Votes and thumbs on this group, in event-time order. */
  private List<Feedback> feedbackFor(Random rnd, List<Member> members, User user, Counts counts) {
    List<Feedback> feedback = new ArrayList<>(2);
    if (members.size() >= 2 && rnd.nextDouble() < settings.voteRate()) {
      int first = rnd.nextInt(members.size());
      int second = (first + 1 + rnd.nextInt(members.size() - 1)) % members.size();
      Member a = members.get(first);
      Member b = members.get(second);
      long seenBothAt = Math.max(a.generation().getCreatedAtMs(), b.generation().getCreatedAtMs());
      feedback.add(
          baseFeedback(rnd, a.generation(), user, seenBothAt)
              .setKind(FeedbackKind.PAIRWISE)
              .setOtherGenerationId(b.generation().getGenerationId())
              .setOutcome(voteOutcome(rnd, a.correct(), b.correct()))
              .build());
      counts.votes++;
    }
    if (rnd.nextDouble() < settings.thumbRate()) {
      Member rated = members.get(rnd.nextInt(members.size()));
      // Users mostly like right answers, but not reliably: some like a confident wrong one.
      boolean up = rnd.nextDouble() < (rated.correct() ? 0.8 : 0.25);
      feedback.add(
          baseFeedback(rnd, rated.generation(), user, rated.generation().getCreatedAtMs())
              .setKind(FeedbackKind.THUMB)
              .setThumbUp(up)
              .build());
      counts.thumbs++;
    }
    feedback.sort(Comparator.comparingLong(Feedback::getCreatedAtMs));
    return feedback;
  }

  private static Feedback.Builder baseFeedback(
      Random rnd, Generation about, User user, long seenAtMs) {
    long delay = MIN_FEEDBACK_DELAY_MS + rnd.nextInt(MAX_FEEDBACK_DELAY_MS - MIN_FEEDBACK_DELAY_MS);
    return Feedback.newBuilder()
        .setFeedbackId("fb-" + uuid(rnd))
        .setGenerationId(about.getGenerationId())
        .setRaterKind(RaterKind.USER)
        .setRaterIdHash(user.idHash())
        .setCreatedAtMs(seenAtMs + delay)
        .setTenant(about.getTenant())
        .setApp(about.getApp());
  }

  /**
   * The correct side usually wins; noise (ties, both-bad, the wrong side winning) keeps the signal
   * realistic.
   */
  private static VoteOutcome voteOutcome(Random rnd, boolean aCorrect, boolean bCorrect) {
    double roll = rnd.nextDouble();
    if (aCorrect != bCorrect) {
      VoteOutcome right = aCorrect ? VoteOutcome.A : VoteOutcome.B;
      VoteOutcome wrong = aCorrect ? VoteOutcome.B : VoteOutcome.A;
      return roll < 0.8
          ? right
          : roll < 0.88 ? wrong : roll < 0.95 ? VoteOutcome.TIE : VoteOutcome.BOTH_BAD;
    }
    if (aCorrect) {
      return roll < 0.35
          ? VoteOutcome.A
          : roll < 0.7 ? VoteOutcome.B : roll < 0.97 ? VoteOutcome.TIE : VoteOutcome.BOTH_BAD;
    }
    return roll < 0.45
        ? VoteOutcome.BOTH_BAD
        : roll < 0.6 ? VoteOutcome.TIE : roll < 0.8 ? VoteOutcome.A : VoteOutcome.B;
  }

  /**
   * The kinds of poison a real topic receives: noise, a cut-off Avro frame, incomplete JSON, bad
   * text, nothing.
   */
  private static void emitCorrupt(Random rnd, Output out, String groupId) {
    boolean generations = rnd.nextDouble() < 0.7;
    String role = generations ? "generations" : "feedback";
    byte[] key = (generations ? groupId : "fb-" + uuid(rnd)).getBytes(StandardCharsets.UTF_8);
    byte[] payload =
        switch (rnd.nextInt(5)) {
          case 0 -> randomBytes(rnd, 1 + rnd.nextInt(64));
          case 1 -> {
            // Avro single-object marker, but fewer than the 8 fingerprint bytes that must follow
            // it.
            byte[] fingerprintPart = randomBytes(rnd, 1 + rnd.nextInt(6));
            byte[] header = new byte[2 + fingerprintPart.length];
            header[0] = (byte) 0xC3;
            header[1] = (byte) 0x01;
            System.arraycopy(fingerprintPart, 0, header, 2, fingerprintPart.length);
            yield header;
          }
          case 2 ->
              (generations
                      ? "{\"generationId\": \"" + uuid(rnd) + "\"}"
                      : "{\"feedbackId\": \"fb-" + uuid(rnd) + "\", \"kind\": \"THUMB\"}")
                  .getBytes(StandardCharsets.UTF_8);
          case 3 -> invalidUtf8(rnd);
          default -> new byte[0];
        };
    out.corrupt(role, key, payload);
  }

  /**
   * JSON-looking text with a lone continuation byte, an unfinished multi-byte sequence and 0xFF.
   */
  private static byte[] invalidUtf8(Random rnd) {
    byte[] prefix = "{\"generationId\": \"".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {
      (byte) 0x80, (byte) 0xE2, (byte) 0x82, (byte) 0xFF, (byte) ('a' + rnd.nextInt(26))
    };
    byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[prefix.length + bad.length + suffix.length];
    System.arraycopy(prefix, 0, bytes, 0, prefix.length);
    System.arraycopy(bad, 0, bytes, prefix.length, bad.length);
    System.arraycopy(suffix, 0, bytes, prefix.length + bad.length, suffix.length);
    return bytes;
  }

  private static byte[] randomBytes(Random rnd, int length) {
    byte[] bytes = new byte[length];
    rnd.nextBytes(bytes);
    return bytes;
  }

  /**
   * Not a real tokenizer: one id per word or punctuation mark, stable across runs, within a 50k
   * vocabulary.
   */
  private static List<Integer> tokenise(String text) {
    List<Integer> ids = new ArrayList<>();
    Matcher matcher = WORD_OR_MARK.matcher(text);
    while (matcher.find()) {
      ids.add(Math.floorMod(matcher.group().hashCode(), VOCABULARY_SIZE));
    }
    return ids;
  }

  /**
   * Mostly confident tokens with an occasional uncertain one, as sampled text at temperature 0.8
   * shows.
   */
  private static List<Float> logprobs(Random rnd, int count) {
    List<Float> logprobs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double surprise =
          rnd.nextDouble() < 0.1 ? 1.0 + 3.0 * rnd.nextDouble() : 0.3 * rnd.nextDouble();
      logprobs.add((float) -Math.max(1e-4, surprise));
    }
    return logprobs;
  }

  /** A version 4 UUID drawn from the seeded generator, unlike {@link UUID#randomUUID()}. */
  static String uuid(Random rnd) {
    long mostSignificant = (rnd.nextLong() & ~0xF000L) | 0x4000L;
    long leastSignificant = (rnd.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(mostSignificant, leastSignificant).toString();
  }

  static String sha256Hex(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }
}
