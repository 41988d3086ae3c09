package io.lodestar.operators.verify.format;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Scores 1 when a configured regular expression matches the response (the whole response, or
 * anywhere in it), else 0.
 *
 * <p><b>Bounded.</b> Java's regex engine backtracks, so a careless pattern can take exponential
 * time on a crafted response. Two limits apply: responses longer than {@code maxInputChars} score
 * 0 without being matched (0 rather than unscored, so that rambling cannot dodge the check), and a
 * match that runs past {@code timeout} is abandoned with status TIMEOUT. Stateless and
 * thread-safe; {@link #verify} never throws.
 */
public final class RegexMatchVerifier implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "regex_match";
  public static final String VERSION = "regex-match/1";
  public static final int DEFAULT_MAX_INPUT_CHARS = 20_000;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

  /** Whether the pattern must cover the whole response or only occur in it. */
  public enum MatchMode {
    FULL,
    FIND
  }

  private final Pattern pattern;
  private final MatchMode matchMode;
  private final int maxInputChars;
  private final long timeoutNanos;

  public RegexMatchVerifier(Pattern pattern, MatchMode matchMode, int maxInputChars, Duration timeout) {
    if (pattern == null || matchMode == null || timeout == null) {
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
    return new RegexMatchVerifier(Pattern.compile(regex), MatchMode.FULL, DEFAULT_MAX_INPUT_CHARS, DEFAULT_TIMEOUT);
  }

  public static RegexMatchVerifier find(String regex) {
    return new RegexMatchVerifier(Pattern.compile(regex), MatchMode.FIND, DEFAULT_MAX_INPUT_CHARS, DEFAULT_TIMEOUT);
  }

  public RewardComponent verify(String response) {
    if (response == null) {
      return FormatRewards.binary(NAME, VERSION, false, "no response");
    }
    if (response.length() > maxInputChars) {
      return FormatRewards.binary(NAME, VERSION, false, "response over " + maxInputChars + " chars; not matched");
    }
    try {
      CharSequence input = new DeadlineCharSequence(response, System.nanoTime() + timeoutNanos);
      var matcher = pattern.matcher(input);
      boolean matched = matchMode == MatchMode.FULL ? matcher.matches() : matcher.find();
      return FormatRewards.binary(NAME, VERSION, matched, matched ? "match" : "no match");
    } catch (DeadlineCharSequence.DeadlineExceeded e) {
      return FormatRewards.component(NAME, VERSION, null, RewardStatus.TIMEOUT, "match took over " + timeoutNanos / 1_000_000 + " ms");
    } catch (RuntimeException | StackOverflowError e) {
      // Deeply nested alternations recurse in the regex engine; a stack overflow is a verdict-less error.
      return FormatRewards.component(NAME, VERSION, null, RewardStatus.ERROR, "verifier error: " + e.getClass().getSimpleName());
    }
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
