package io.lodestar.operators.verify.format;

import io.lodestar.operators.verify.Verifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Scores 1 when a configured regular expression matches the response (the whole response, or
 * anywhere in it), else 0.
 *
 * <p><b>Bounded.</b> Java's regex engine backtracks, so a careless pattern can take exponential
 * time on a crafted response. Two limits apply: responses longer than {@code maxInputChars} score 0
 * without being matched (0 rather than unscored, so that rambling cannot dodge the check), and a
 * match that runs past {@code timeout} is abandoned with status TIMEOUT.
 *
 * <p><b>Per task.</b> As a {@link Verifier} ({@link #score}) a task's own pattern, in its {@code
 * extra.regex}, wins over the verifier's, matched as {@code extra.regex_mode} says ({@code full} or
 * {@code find}, else the verifier's mode). {@link #fromTask()} has no pattern of its own: a task
 * without one is UNSCORABLE, and so is a task pattern that does not compile, is longer than {@value
 * #MAX_TASK_PATTERN_CHARS} characters or names an unknown mode (the task, not the response, is at
 * fault). The same limits bound task patterns.
 *
 * <p>Thread-safe; {@link #verify} and {@link #score} never throw.
 */
public final class RegexMatchVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "regex_match";
  public static final String VERSION = "regex-match/1";
  public static final int DEFAULT_MAX_INPUT_CHARS = 20_000;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

  /** The keys of {@code TaskMetadata.extra} that hold a task's pattern and its match mode. */
  public static final String TASK_PATTERN_KEY = "regex";

  public static final String TASK_MODE_KEY = "regex_mode";

  /** Task patterns are data, not configuration: a bound keeps their compiled size small. */
  public static final int MAX_TASK_PATTERN_CHARS = 2_000;

  private static final int MAX_TASK_PATTERNS = 64;

  /** Whether the pattern must cover the whole response or only occur in it. */
  public enum MatchMode {
    FULL,
    FIND
  }

  /** Null for {@link #fromTask()}: only task patterns are matched. */
  private final Pattern pattern;

  private final MatchMode matchMode;
  private final int maxInputChars;
  private final long timeoutNanos;

  /** Compiled task patterns; empty for one that does not compile. */
  private final RecentlyUsed<Optional<Pattern>> taskPatterns =
      new RecentlyUsed<>(MAX_TASK_PATTERNS);

  public RegexMatchVerifier(
      Pattern pattern, MatchMode matchMode, int maxInputChars, Duration timeout) {
    this(pattern, matchMode, maxInputChars, timeout, true);
  }

  private RegexMatchVerifier(
      Pattern pattern,
      MatchMode matchMode,
      int maxInputChars,
      Duration timeout,
      boolean patternRequired) {
    if ((patternRequired && pattern == null) || matchMode == null || timeout == null) {
      throw new IllegalArgumentException("pattern, match mode and timeout are required");
    }
    if (maxInputChars <= 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.pattern = pattern;
    this.matchMode = matchMode;
    this.maxInputChars = maxInputChars;
    this.timeoutNanos = timeout.toNanos();
  }

  public static RegexMatchVerifier fullMatch(String regex) {
    return new RegexMatchVerifier(
        Pattern.compile(regex), MatchMode.FULL, DEFAULT_MAX_INPUT_CHARS, DEFAULT_TIMEOUT);
  }

  public static RegexMatchVerifier find(String regex) {
    return new RegexMatchVerifier(
        Pattern.compile(regex), MatchMode.FIND, DEFAULT_MAX_INPUT_CHARS, DEFAULT_TIMEOUT);
  }

  /** Matches the pattern of each task, in FULL mode unless the task asks for {@code find}. */
  public static RegexMatchVerifier fromTask() {
    return new RegexMatchVerifier(
        null, MatchMode.FULL, DEFAULT_MAX_INPUT_CHARS, DEFAULT_TIMEOUT, false);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The generation's response against its task's pattern, else this verifier's (class comment). */
  @Override
  public RewardComponent score(Generation generation) {
    Map<String, String> extra = generation.getTask().getExtra();
    String taskPattern = extra.get(TASK_PATTERN_KEY);
    if (taskPattern == null) {
      return pattern == null
          ? unscorable("task.extra." + TASK_PATTERN_KEY + " missing")
          : verify(generation.getResponse());
    }
    if (taskPattern.length() > MAX_TASK_PATTERN_CHARS) {
      return unscorable(
          "task.extra." + TASK_PATTERN_KEY + " over " + MAX_TASK_PATTERN_CHARS + " chars");
    }
    MatchMode mode = matchMode;
    String modeName = extra.get(TASK_MODE_KEY);
    if (modeName != null) {
      try {
        mode = MatchMode.valueOf(modeName.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknown) {
        return unscorable("task.extra." + TASK_MODE_KEY + " must be full or find");
      }
    }
    Optional<Pattern> compiled =
        taskPatterns.computeIfAbsent(taskPattern, RegexMatchVerifier::compileTaskPattern);
    if (compiled.isEmpty()) {
      return unscorable("task.extra." + TASK_PATTERN_KEY + " is not a valid regular expression");
    }
    return match(compiled.get(), mode, generation.getResponse());
  }

  private static Optional<Pattern> compileTaskPattern(String regex) {
    try {
      return Optional.of(Pattern.compile(regex));
    } catch (PatternSyntaxException | StackOverflowError invalid) {
      return Optional.empty();
    }
  }

  /** Matches this verifier's pattern; UNSCORABLE for {@link #fromTask()}, which has none. */
  public RewardComponent verify(String response) {
    if (pattern == null) {
      return unscorable("no pattern: this verifier matches task patterns");
    }
    return match(pattern, matchMode, response);
  }

  private RewardComponent match(Pattern regex, MatchMode mode, String response) {
    if (response == null) {
      return FormatRewards.binary(NAME, VERSION, false, "no response");
    }
    if (response.length() > maxInputChars) {
      return FormatRewards.binary(
          NAME, VERSION, false, "response over " + maxInputChars + " chars; not matched");
    }
    try {
      CharSequence input = new DeadlineCharSequence(response, System.nanoTime() + timeoutNanos);
      var matcher = regex.matcher(input);
      boolean matched = mode == MatchMode.FULL ? matcher.matches() : matcher.find();
      return FormatRewards.binary(NAME, VERSION, matched, matched ? "match" : "no match");
    } catch (DeadlineCharSequence.DeadlineExceeded e) {
      return FormatRewards.component(
          NAME,
          VERSION,
          null,
          RewardStatus.TIMEOUT,
          "match took over " + timeoutNanos / 1_000_000 + " ms");
    } catch (RuntimeException | StackOverflowError e) {
      // Deeply nested alternations recurse in the regex engine; a stack overflow is a verdict-less
      // error.
      return FormatRewards.component(
          NAME,
          VERSION,
          null,
          RewardStatus.ERROR,
          "verifier error: " + e.getClass().getSimpleName());
    }
  }

  private static RewardComponent unscorable(String reason) {
    return FormatRewards.component(NAME, VERSION, null, RewardStatus.UNSCORABLE, reason);
  }

  /**
   * A view of a string that throws once a deadline has passed. The regex engine reads its input
   * only through {@code charAt}, so this is the one place a runaway match can be stopped without
   * another thread.
   */
  static final class DeadlineCharSequence implements CharSequence {

    /** How many reads pass between clock checks; reading the clock on every char is slow. */
    private static final int READS_PER_CHECK = 4096;

    static final class DeadlineExceeded extends RuntimeException {
      private static final long serialVersionUID = 1L;

      DeadlineExceeded() {
        super("regex deadline exceeded", null, false, false);
      }
    }

    private final CharSequence text;
    private final long deadlineNanos;
    private int readsUntilCheck = READS_PER_CHECK;

    DeadlineCharSequence(CharSequence text, long deadlineNanos) {
      this.text = text;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public char charAt(int index) {
      if (--readsUntilCheck <= 0) {
        readsUntilCheck = READS_PER_CHECK;
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new DeadlineExceeded();
        }
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new DeadlineCharSequence(text.subSequence(start, end), deadlineNanos);
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
