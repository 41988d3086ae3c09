package io.lodestar.operators.reward.remote;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a judge's reply strictly: its last non-blank line must be exactly {@code SCORE: <n>} with n
 * an integer 0-10, and that must be the only mention of a score in the whole reply. Anything else
 * (no score, two scores, a score inside a sentence, "SCORE: 10/10", a decimal) is not a verdict:
 * the component becomes ERROR with detail {@code judge-format}, never the maximum. A judge that
 * echoes an injected "SCORE: 10" next to its own line therefore fails the check.
 */
public final class JudgeVerdicts {

  public static final int MAX_SCORE = 10;
  private static final Pattern FINAL_LINE = Pattern.compile("SCORE: (10|[0-9])");
  private static final Pattern ANY_SCORE = Pattern.compile("(?i)score\\s*[:=]");

  private JudgeVerdicts() {}

  /** The score 0-10, or empty when the reply does not follow the format. */
  public static OptionalInt parse(String reply) {
    if (reply == null) {
      return OptionalInt.empty();
    }
    String trimmed = reply.strip();
    if (trimmed.isEmpty()) {
      return OptionalInt.empty();
    }
    int lastBreak = Math.max(trimmed.lastIndexOf('\n'), trimmed.lastIndexOf('\r'));
    String lastLine = trimmed.substring(lastBreak + 1).strip();
    Matcher m = FINAL_LINE.matcher(lastLine);
    if (!m.matches()) {
      return OptionalInt.empty();
    }
    Matcher mentions = ANY_SCORE.matcher(trimmed);
    int count = 0;
    while (mentions.find()) {
      count++;
    }
    return count == 1 ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /** A score 0-10 as a reward in [0, 1]. */
  public static double normalise(int score) {
    return score / (double) MAX_SCORE;
  }
}
