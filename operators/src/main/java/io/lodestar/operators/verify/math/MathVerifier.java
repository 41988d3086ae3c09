package io.lodestar.operators.verify.math;

import io.lodestar.operators.verify.ResponseCleaner;
import io.lodestar.operators.verify.Verifier;
import io.lodestar.operators.verify.VerifierResults;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores a model response against a gold answer by mathematical equivalence: {@code \frac{1}{2}},
 * {@code 0.5} and {@code 1/2} agree; so do {@code \{2, 1\}} and {@code 1, 2}, {@code x \le 5} and
 * {@code 5 \ge x}, {@code \tan^2 y + 1} and {@code \sec^2 y}.
 *
 * <p>Pipeline: {@link AnswerExtractor} finds candidate answers (see {@link
 * AnswerExtractor#responseCandidates} for the priority order) after {@link ResponseCleaner} drops
 * {@code <think>} sections and chat-template tokens; {@link LatexNormaliser} removes surface noise;
 * {@link MathParser} builds a tree; the first candidate that parses is the answer; {@link
 * Equivalence} compares it with the gold tree. Two answers whose normalised text is identical are
 * equal even when neither parses.
 *
 * <p><b>The examined window.</b> Boxed answers are looked for in the whole cleaned response: a box
 * is the model's explicit commitment, and a degenerate tail after it (a repetition loop until the
 * length limit) must not hide it; length is the overlong shaping's business, not correctness'.
 * Every other rule (markers, LaTeX spans, last numbers) reads only the last {@link
 * Config#examinedChars()} characters (default {@value #DEFAULT_EXAMINED_CHARS}), where a final
 * answer stands; a number in the body of a long response is not an answer. All scans are linear, so
 * the whole-response box search costs no more than the cleaning already does.
 *
 * <p>Bounded: at most {@link Config#timeoutMillis()} and {@value #MAX_STEPS} work steps per
 * verification, and answers longer than {@value #MAX_ANSWER_CHARS} characters are not parsed.
 * Running out of budget gives UNSCORABLE, never a hang. Never throws.
 *
 * <p>Stateless apart from its immutable {@link Config}, hence thread-safe and cheap to serialise.
 */
public final class MathVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "math_equivalence";
  public static final String VERSION = "math-equivalence/3";
  public static final int DEFAULT_EXAMINED_CHARS = 8_000;
  public static final int MAX_ANSWER_CHARS = 1_000;
  static final long MAX_STEPS = 500_000;
  private static final int MAX_DETAIL_CHARS = 48;

  /**
   * Extraction and comparison options. The two extraction flags mirror Math-Verify's {@code
   * LatexExtractionConfig} (boxed answers, "final answer is", LaTeX spans) and {@code
   * ExprExtractionConfig} (plain formulas and numbers); {@code floatRounding} is the number of
   * decimal places compared when one side is written with decimals and the other is not; {@code
   * strict} off lets variable names differ; {@code allowSetRelationComparison} lets a predicted
   * inequality or chain match a gold interval; {@code examinedChars} is how much of a response's
   * end the rules other than boxes read.
   */
  public record Config(
      boolean latexExtraction,
      boolean expressionExtraction,
      int floatRounding,
      boolean strict,
      boolean allowSetRelationComparison,
      long timeoutMillis,
      int examinedChars)
      implements Serializable {

    public Config {
      if (!latexExtraction && !expressionExtraction) {
        throw new IllegalArgumentException(
            "enable at least one of latexExtraction, expressionExtraction");
      }
      if (floatRounding < 0 || floatRounding > 15) {
        throw new IllegalArgumentException(
            "floatRounding must be within 0..15, was " + floatRounding);
      }
      if (timeoutMillis <= 0) {
        throw new IllegalArgumentException("timeoutMillis must be positive, was " + timeoutMillis);
      }
      if (examinedChars < 100) {
        throw new IllegalArgumentException(
            "examinedChars must be at least 100, was " + examinedChars);
      }
    }

    /**
     * LaTeX and expression extraction, 6 decimal places, strict, inequalities match the intervals
     * they describe in both directions, 2 s, the last 8,000 characters examined.
     */
    public static Config defaults() {
      // The step budget bounds the work and gives the same verdict on any machine; the time budget
      // is a last resort against work no step counts, set far above what 500,000 steps take, so a
      // loaded machine or a GC pause never turns a verdict into UNSCORABLE.
      return new Config(true, true, 6, true, true, 2_000, DEFAULT_EXAMINED_CHARS);
    }

    public Config withExaminedChars(int value) {
      return new Config(
          latexExtraction,
          expressionExtraction,
          floatRounding,
          strict,
          allowSetRelationComparison,
          timeoutMillis,
          value);
    }

    public Config withExtraction(boolean latex, boolean expression) {
      return new Config(
          latex,
          expression,
          floatRounding,
          strict,
          allowSetRelationComparison,
          timeoutMillis,
          examinedChars);
    }

    public Config withFloatRounding(int places) {
      return new Config(
          latexExtraction,
          expressionExtraction,
          places,
          strict,
          allowSetRelationComparison,
          timeoutMillis,
          examinedChars);
    }

    public Config withStrict(boolean value) {
      return new Config(
          latexExtraction,
          expressionExtraction,
          floatRounding,
          value,
          allowSetRelationComparison,
          timeoutMillis,
          examinedChars);
    }

    public Config withSetRelationComparison(boolean value) {
      return new Config(
          latexExtraction,
          expressionExtraction,
          floatRounding,
          strict,
          value,
          timeoutMillis,
          examinedChars);
    }

    public Config withTimeoutMillis(long value) {
      return new Config(
          latexExtraction,
          expressionExtraction,
          floatRounding,
          strict,
          allowSetRelationComparison,
          value,
          examinedChars);
    }

    Equivalence.Settings settings() {
      return new Equivalence.Settings(floatRounding, strict, allowSetRelationComparison);
    }
  }

  /** How a comparison ended. */
  public enum Outcome {
    EQUIVALENT,
    NOT_EQUIVALENT,
    NO_ANSWER,
    GOLD_UNPARSEABLE,
    BUDGET_EXCEEDED
  }

  /** A comparison's outcome with the answers it compared (as extracted, before normalisation). */
  public record Verdict(Outcome outcome, String goldAnswer, String predictedAnswer) {
    public boolean equivalent() {
      return outcome == Outcome.EQUIVALENT;
    }
  }

  private final Config config;
  private final Budget.NanoClock clock;

  /** Built on first use; not part of the verifier's serialized form. */
  private transient GoldCache golds;

  public MathVerifier() {
    this(Config.defaults());
  }

  public MathVerifier(Config config) {
    this(config, Budget.NanoClock.SYSTEM);
  }

  /** A verifier whose time budget reads {@code clock}: tests spend it without waiting. */
  MathVerifier(Config config, Budget.NanoClock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The generation's response against its task's ground truth. */
  @Override
  public RewardComponent score(Generation generation) {
    return verify(generation.getResponse(), generation.getTask().getGroundTruth());
  }

  /**
   * Scores {@code response}: 1.0 when its answer is equivalent to {@code goldAnswer}, 0.0 when it
   * is not or has none, UNSCORABLE (value null) when the gold answer cannot be parsed or the budget
   * runs out. The detail carries the extracted answer, shortened.
   */
  public RewardComponent verify(String response, String goldAnswer) {
    try {
      if (goldAnswer == null || goldAnswer.isBlank()) {
        return component(null, RewardStatus.UNSCORABLE, "gold answer missing");
      }
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      Optional<Parsed> gold = cachedGold(goldAnswer, budget);
      if (gold.isEmpty()) {
        return component(
            null, RewardStatus.UNSCORABLE, "gold answer not parseable: " + abbreviate(goldAnswer));
      }
      Iterable<String> candidates = response == null ? List.of() : responseCandidates(response);
      Optional<Parsed> answer = firstParsed(candidates, budget);
      if (answer.isEmpty()) {
        return component(0.0, RewardStatus.OK, "no answer found");
      }
      boolean same = equivalent(gold.get(), answer.get(), budget);
      return component(
          same ? 1.0 : 0.0, RewardStatus.OK, "answer=" + abbreviate(answer.get().raw()));
    } catch (Budget.Exceeded e) {
      return component(null, RewardStatus.UNSCORABLE, "verification " + e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      // Not expected: every path is total. A verifier must still never fail the record.
      return component(null, RewardStatus.ERROR, "verifier error: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Math-Verify-style comparison: both texts are extracted with {@code config}'s rules (the first
   * candidate that parses wins), then compared. Never throws.
   */
  public Verdict verify(String gold, String prediction, Config config) {
    try {
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      AnswerExtractor.Rules rules =
          new AnswerExtractor.Rules(config.latexExtraction(), config.expressionExtraction());
      Optional<Parsed> g = firstParsed(AnswerExtractor.candidates(cleaned(gold), rules), budget);
      if (g.isEmpty()) {
        return new Verdict(Outcome.GOLD_UNPARSEABLE, null, null);
      }
      Optional<Parsed> p =
          firstParsed(AnswerExtractor.candidates(cleaned(prediction), rules), budget);
      if (p.isEmpty()) {
        return new Verdict(Outcome.NO_ANSWER, g.get().raw(), null);
      }
      boolean same = new MathVerifier(config, clock).equivalent(g.get(), p.get(), budget);
      return new Verdict(
          same ? Outcome.EQUIVALENT : Outcome.NOT_EQUIVALENT, g.get().raw(), p.get().raw());
    } catch (Budget.Exceeded e) {
      return new Verdict(Outcome.BUDGET_EXCEEDED, null, null);
    } catch (RuntimeException | StackOverflowError e) {
      return new Verdict(Outcome.NOT_EQUIVALENT, null, null);
    }
  }

  /** The answer {@link #verify(String, String)} would score, as written in the response. */
  public Optional<String> extract(String response) {
    if (response == null) {
      return Optional.empty();
    }
    try {
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      return firstParsed(responseCandidates(response), budget).map(Parsed::raw);
    } catch (RuntimeException | StackOverflowError e) {
      return Optional.empty();
    }
  }

  /** The answer extracted with Math-Verify-style rules from {@code config}. */
  public Optional<String> extract(String text, Config config) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      AnswerExtractor.Rules rules =
          new AnswerExtractor.Rules(config.latexExtraction(), config.expressionExtraction());
      return firstParsed(AnswerExtractor.candidates(cleaned(text), rules), budget).map(Parsed::raw);
    } catch (RuntimeException | StackOverflowError e) {
      return Optional.empty();
    }
  }

  /**
   * A response's final answer, extracted and parsed once so that it can be compared with the
   * answers of other responses ({@link #sameAnswer}) without being read again.
   */
  public static final class Answer {
    private final Parsed parsed;
    private final String key;

    private Answer(Parsed parsed) {
      this.parsed = parsed;
      this.key =
          parsed.normalised().replace(" ", "") + (parsed.unit() == null ? "" : "|" + parsed.unit());
    }

    /** The answer as written in the response. */
    public String raw() {
      return parsed.raw();
    }

    /**
     * The normalised answer and its unit: two answers with the same key are the same answer, with
     * no comparison needed.
     */
    public String key() {
      return key;
    }
  }

  /**
   * The answer {@link #verify(String, String)} would score in {@code response}, parsed; empty when
   * it has none (or when extraction runs out of budget). Never throws.
   */
  public Optional<Answer> answer(String response) {
    if (response == null) {
      return Optional.empty();
    }
    try {
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      return firstParsed(responseCandidates(response), budget).map(Answer::new);
    } catch (RuntimeException | StackOverflowError e) {
      return Optional.empty();
    }
  }

  /**
   * True when {@code other} is equivalent to {@code reference} by the rules {@code
   * math_equivalence} scores with, {@code reference} taking the gold's place. False when they
   * differ or when the comparison cannot tell (budget spent): never "equal" when unsure. Never
   * throws.
   */
  public boolean sameAnswer(Answer reference, Answer other) {
    if (reference.key().equals(other.key())) {
      return true;
    }
    try {
      Budget budget = new Budget(config.timeoutMillis(), MAX_STEPS, clock);
      return equivalent(reference.parsed, other.parsed, budget);
    } catch (RuntimeException | StackOverflowError e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- internals

  /** An answer as written, normalised, and parsed, with its measurement unit if it names one. */
  private record Parsed(String raw, String normalised, MathNode tree, String unit) {}

  private String cleaned(String text) {
    return text == null ? "" : ResponseCleaner.examinedText(text, config.examinedChars());
  }

  /** Boxes from the whole cleaned response, everything else from its examined tail. */
  private Iterable<String> responseCandidates(String response) {
    String whole = ResponseCleaner.examinedText(response, Integer.MAX_VALUE);
    return AnswerExtractor.responseCandidates(
        whole, ResponseCleaner.lastChars(whole, config.examinedChars()));
  }

  /**
   * The gold answer parsed, from the cache when this verifier parsed it lately: the K responses of
   * a group share one gold. A hit charges the budget the steps the parse took, so every verdict is
   * the one a cold verifier would give.
   */
  private Optional<Parsed> cachedGold(String gold, Budget budget) {
    GoldCache cache = golds;
    if (cache == null) {
      cache = new GoldCache();
      golds = cache;
    }
    GoldParse kept = cache.get(gold);
    if (kept != null) {
      budget.charge(kept.steps());
      return kept.parsed();
    }
    long before = budget.stepsLeft();
    Optional<Parsed> parsed = parseGold(gold, budget);
    cache.put(gold, new GoldParse(parsed, before - budget.stepsLeft()));
    return parsed;
  }

  private record GoldParse(Optional<Parsed> parsed, long steps) {}

  /** The most recently used gold answers; parsed trees are immutable, so hits share them. */
  private static final class GoldCache {
    private static final int CAPACITY = 256;

    private final Map<String, GoldParse> entries =
        new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, GoldParse> eldest) {
            return size() > CAPACITY;
          }
        };

    synchronized GoldParse get(String gold) {
      return entries.get(gold);
    }

    synchronized void put(String gold, GoldParse parse) {
      entries.put(gold, parse);
    }
  }

  /**
   * A bare gold answer ({@code \frac{1}{9}}) is read whole; a worked solution is extracted from.
   */
  private Optional<Parsed> parseGold(String gold, Budget budget) {
    String text = cleaned(gold).trim();
    Optional<String> boxed = AnswerExtractor.boxed(text);
    Optional<Parsed> direct = parseCandidate(boxed.orElse(text), budget);
    if (direct.isPresent()) {
      return direct;
    }
    // Only LaTeX rules here: picking a stray number out of a gold such as "4:30 p.m." would score
    // against the wrong value; such a gold is unscorable instead.
    return firstParsed(
        AnswerExtractor.candidates(text, new AnswerExtractor.Rules(true, false)), budget);
  }

  private static Optional<Parsed> firstParsed(Iterable<String> candidates, Budget budget) {
    for (String candidate : candidates) {
      Optional<Parsed> parsed = parseCandidate(candidate, budget);
      if (parsed.isPresent()) {
        return parsed;
      }
    }
    return Optional.empty();
  }

  private static Optional<Parsed> parseCandidate(String candidate, Budget budget) {
    if (candidate == null || candidate.isBlank() || candidate.length() > MAX_ANSWER_CHARS) {
      return Optional.empty();
    }
    StringBuilder units = new StringBuilder();
    String normalised = LatexNormaliser.normalise(candidate, units);
    if (normalised.isEmpty()) {
      return Optional.empty();
    }
    String unit = units.length() == 0 ? null : LatexNormaliser.canonicalUnit(units.toString());
    // A degree mark is the unit "degree", so 5° and 5 radians differ as 5 km and 5 cm do.
    return MathParser.parse(normalised, budget)
        .map(
            tree ->
                new Parsed(
                    candidate,
                    normalised,
                    tree,
                    unit == null && MathNodes.measuredInDegrees(tree) ? "degree" : unit));
  }

  private boolean equivalent(Parsed gold, Parsed answer, Budget budget) {
    if (gold.unit() != null && answer.unit() != null && !gold.unit().equals(answer.unit())) {
      return false; // 12 cm is not 12 m; a unit left out is not held against the answer
    }
    if (gold.normalised().replace(" ", "").equals(answer.normalised().replace(" ", ""))) {
      return true;
    }
    return Equivalence.equivalent(gold.tree(), answer.tree(), config.settings(), budget);
  }

  private static String abbreviate(String answer) {
    String oneLine = answer.replace('\n', ' ').trim();
    return oneLine.length() <= MAX_DETAIL_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  private static RewardComponent component(Double value, RewardStatus status, String detail) {
    return VerifierResults.component(NAME, VERSION, value, status, detail);
  }
}
