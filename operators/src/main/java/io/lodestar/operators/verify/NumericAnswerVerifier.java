package io.lodestar.operators.verify;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scores a free-form model response by comparing its final numeric answer with a task's ground
 * truth, exactly (as rationals, so {@code 1/2}, {@code 0.5} and {@code \frac{1}{2}} are equal).
 *
 * <p><b>Which answer.</b> {@link #extractAnswer} cleans the response, then takes the first rule
 * that finds something, in this order:
 *
 * <ol>
 *   <li>the last complete {@code \boxed{...}} or {@code \fbox{...}} (balanced braces); for {@code
 *       \boxed{x = 5}} the right-hand side. A boxed answer is final even if it is not a number
 *       ({@code \boxed{\sqrt{2}}} scores 0; it never falls back to the "2" inside it);
 *   <li>the last GSM8K marker {@code #### <n>} whose line holds only the number (and units), so a
 *       markdown heading {@code #### 1. Setup} is not one;
 *   <li>a final line {@code A: <n>} or {@code Answer: <n>};
 *   <li>the last of the phrases "the final answer is", "the answer is", "answer:" (any text ending
 *       in "answer is" or "answer:", case-insensitive) that is followed by a number;
 *   <li>the whole text if it is nothing but a number ({@code 1 000}), else the last number in it.
 * </ol>
 *
 * In rules 2–4 the number must come right after the marker, past spaces, {@code :}, {@code $},
 * {@code \(}, {@code \[} and markdown {@code **}; "answer is x = 5" reads 5; an answer that goes on
 * as arithmetic ("the answer is 16 - 3 = 13") does not count there, so the next rule decides, while
 * one glued to a symbol ("the answer is 3x + 2") makes that expression the (non-numeric) answer.
 *
 * <p><b>Cleaning.</b> {@code <think>...</think>} sections are dropped; an unterminated {@code
 * <think>} hides the rest of the response (no committed answer); a closing tag without an opening
 * one drops what precedes it (the opening tag was in the prompt). Chat-template tokens ({@code
 * <|im_end|>}, {@code <|eot_id|>}, {@code <|endoftext|>}, {@code </s>}, ...) become line breaks,
 * and GSM8K calculator annotations {@code <<a*b=c>>} are removed.
 *
 * <p><b>Bounded.</b> Only the last {@value #MAX_EXAMINED_CHARS} characters left after cleaning are
 * examined (final answers are at the end; an answer earlier than that is not seen). Every step is
 * linear or bounded, with no backtracking-prone regular expressions, so any input returns quickly.
 *
 * <p>Stateless, hence thread-safe and cheap to serialise into a Flink operator. {@link #verify}
 * never throws.
 */
public final class NumericAnswerVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "numeric_answer";
  public static final String VERSION = "numeric-answer/1";

  /** How many trailing characters of the cleaned response are examined. */
  public static final int MAX_EXAMINED_CHARS = 8_000;

  private static final int MAX_DETAIL_ANSWER_CHARS = 48;

  /** How far past a marker the answer may sit on its line. */
  private static final int MAX_ANSWER_SPAN_CHARS = 200;

  /** Possessive quantifiers only: a match attempt cannot backtrack. */
  private static final Pattern ANSWER_PHRASE =
      Pattern.compile("(?i)\\banswer(?:\\s++is\\b|\\**+\\s*+:)");

  private static final Pattern FINAL_ANSWER_LINE =
      Pattern.compile("(?i)^[\\s*#]*+(?:a|answer)\\**+\\s*+:");

  private static final String[] BOX_COMMANDS = {"\\boxed", "\\fbox"};
  private static final String[] WRAPPER_OPENERS = {
    "\\(", "\\[", "\\boxed{", "\\text{", "\\textbf{", "\\mathbf{", "\\mathrm{"
  };
  private static final String[] OPERATOR_COMMANDS = {"\\times", "\\cdot", "\\div"};

  @Override
  public String name() {
    return NAME;
  }

  /** The generation's response against its task's ground truth. */
  @Override
  public RewardComponent score(Generation generation) {
    return verify(generation.getResponse(), generation.getTask().getGroundTruth());
  }

  /** Scores {@code response} against {@code groundTruth}; see the class comment for the rules. */
  public RewardComponent verify(String response, String groundTruth) {
    try {
      return score(response, groundTruth);
    } catch (RuntimeException e) {
      // Not expected: every parser path is total. A verifier must still never fail the record.
      return component(null, RewardStatus.ERROR, "verifier error: " + e.getClass().getSimpleName());
    }
  }

  private RewardComponent score(String response, String groundTruth) {
    if (groundTruth == null || NumberParser.strip(groundTruth).isEmpty()) {
      return component(null, RewardStatus.UNSCORABLE, "ground truth missing");
    }
    Optional<ExactNumber> expected = parseNumber(groundTruth);
    if (expected.isEmpty()) {
      return component(null, RewardStatus.UNSCORABLE, "ground truth not a number");
    }
    Optional<String> answer = extractAnswer(response);
    if (answer.isEmpty()) {
      return component(0.0, RewardStatus.OK, "no answer found");
    }
    Optional<ExactNumber> actual = parseNumber(answer.get());
    if (actual.isEmpty()) {
      return component(0.0, RewardStatus.OK, "answer not a number: " + abbreviate(answer.get()));
    }
    double value = actual.get().equals(expected.get()) ? 1.0 : 0.0;
    return component(value, RewardStatus.OK, "answer=" + abbreviate(actual.get().toString()));
  }

  /** The final answer's text as written in the response (e.g. {@code 7,425,000}), if any. */
  public Optional<String> extractAnswer(String response) {
    if (response == null) {
      return Optional.empty();
    }
    String text = ResponseCleaner.examinedText(response, MAX_EXAMINED_CHARS);
    if (NumberParser.strip(text).isEmpty()) {
      return Optional.empty();
    }
    return lastBoxed(text)
        .or(() -> lastGsm8kMarker(text))
        .or(() -> finalAnswerLine(text))
        .or(() -> lastAnswerPhrase(text))
        .or(() -> lastNumber(text));
  }

  /**
   * Parses a plain numeric answer or ground truth exactly. Accepted: signs ({@code +}, {@code -},
   * U+2212); integers and decimals ({@code .5}, {@code 3.}); thousands separators that group by
   * three ({@code 7,425,000}, {@code 12{,}000}, {@code 1 000} with a plain, no-break, thin or
   * narrow space, {@code 1\,000}); fractions {@code a/b}, {@code \frac{a}{b}}, {@code \dfrac},
   * {@code \tfrac}, {@code \frac12}; mixed numbers {@code 1 1/2} and {@code 2\frac{1}{2}} when the
   * fraction is proper (so never confused with a thousands group); percentages, kept as written
   * ({@code 50%} is 50, not 0.5); scientific notation ({@code 1e3}, |exponent| at most 1000);
   * currency and units ({@code $18}, {@code \$18}, {@code 18 dollars}, {@code 18\text{ cm}}, {@code
   * 5cm}); and wrappers ({@code $...$}, {@code \(...\)}, {@code \text{}}, {@code \mathrm{}}, {@code
   * \boxed{}}, {@code \left(...\right)}, markdown {@code **}, a trailing period).
   *
   * <p>Refused: expressions ({@code 3x+2}, {@code \sqrt{2}}, {@code 2\pi}), decimal commas ({@code
   * 3,5}), lists and alternatives ({@code 1, 2}, {@code 5 or 6}), division by zero, and strings
   * over 2,000 characters. Never throws.
   */
  public static Optional<ExactNumber> parseNumber(String text) {
    try {
      return NumberParser.parse(text);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> lastBoxed(String text) {
    if (text.indexOf(BOX_COMMANDS[0]) < 0 && text.indexOf(BOX_COMMANDS[1]) < 0) {
      return Optional.empty();
    }
    int[] closingBrace = matchBraces(text);
    int searchFrom = text.length();
    while (searchFrom > 0) {
      int command = -1;
      int commandLength = 0;
      for (String box : BOX_COMMANDS) {
        int at = text.lastIndexOf(box, searchFrom - 1);
        if (at > command) {
          command = at;
          commandLength = box.length();
        }
      }
      if (command < 0) {
        break;
      }
      int open = skipSpaces(text, command + commandLength);
      if (open < text.length() && text.charAt(open) == '{' && closingBrace[open] >= 0) {
        String content = rightOfLastEquals(text.substring(open + 1, closingBrace[open]));
        if (!content.isEmpty()) {
          return Optional.of(content);
        }
      }
      searchFrom = command;
    }
    return Optional.empty();
  }

  /** For every '{', the index of its matching '}' or -1; escaped braces are literal characters. */
  private static int[] matchBraces(String text) {
    int n = text.length();
    int[] closing = new int[n];
    int[] openStack = new int[n];
    int depth = 0;
    for (int i = 0; i < n; i++) {
      closing[i] = -1;
      char c = text.charAt(i);
      boolean escaped = i > 0 && text.charAt(i - 1) == '\\';
      if (c == '{' && !escaped) {
        openStack[depth++] = i;
      } else if (c == '}' && !escaped && depth > 0) {
        closing[openStack[--depth]] = i;
      }
    }
    return closing;
  }

  /** {@code x = 5} gives {@code 5}; only '=' outside nested braces counts. */
  private static String rightOfLastEquals(String content) {
    int depth = 0;
    int lastEquals = -1;
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == '=' && depth == 0) {
        lastEquals = i;
      }
    }
    return NumberParser.strip(content.substring(lastEquals + 1));
  }

  private static Optional<String> lastGsm8kMarker(String text) {
    int at = text.lastIndexOf("####");
    while (at >= 0) {
      while (at > 0 && text.charAt(at - 1) == '#') {
        at--;
      }
      int afterHashes = at;
      while (afterHashes < text.length() && text.charAt(afterHashes) == '#') {
        afterHashes++;
      }
      Optional<String> answer = numberAfterMarker(text, afterHashes, true);
      if (answer.isPresent()) {
        return answer;
      }
      at = at == 0 ? -1 : text.lastIndexOf("####", at - 1);
    }
    return Optional.empty();
  }

  private static Optional<String> finalAnswerLine(String text) {
    int end = text.length();
    while (end > 0 && NumberParser.isSpace(text.charAt(end - 1))) {
      end--;
    }
    int lineStart = text.lastIndexOf('\n', end - 1) + 1;
    Matcher marker = FINAL_ANSWER_LINE.matcher(text).region(lineStart, end);
    if (!marker.lookingAt()) {
      return Optional.empty();
    }
    return numberAfterMarker(text, marker.end(), false);
  }

  private static Optional<String> lastAnswerPhrase(String text) {
    List<Integer> markerEnds = new ArrayList<>();
    Matcher phrase = ANSWER_PHRASE.matcher(text);
    while (phrase.find()) {
      markerEnds.add(phrase.end());
    }
    for (int i = markerEnds.size() - 1; i >= 0; i--) {
      Optional<String> answer = numberAfterMarker(text, markerEnds.get(i), false);
      if (answer.isPresent()) {
        return answer;
      }
    }
    return Optional.empty();
  }

  /**
   * The number that a marker introduces, looked for on the marker's line up to the end of its
   * sentence. A leading "x =" (no digits before '=') is skipped.
   */
  private static Optional<String> numberAfterMarker(String text, int from, boolean numberEndsLine) {
    int lineEnd = text.indexOf('\n', from);
    if (lineEnd < 0) {
      lineEnd = text.length();
    }
    int spanEnd = Math.min(sentenceEnd(text, from, lineEnd), from + MAX_ANSWER_SPAN_CHARS);
    int start = skipVariableAssignments(text, from, spanEnd);
    int numberStart = skipWrappers(text, start, spanEnd);
    NumberParser.Token token = NumberParser.scan(text, numberStart, true);
    if (token == null || token.end() > lineEnd) {
      return Optional.empty();
    }
    if (isGluedToSymbol(text, token.end(), lineEnd)) {
      // "the answer is 3x + 2": the model committed to an expression; it is the (non-numeric)
      // answer.
      return Optional.of(
          NumberParser.strip(text.substring(token.start(), Math.max(spanEnd, token.end()))));
    }
    if (continuesWithArithmetic(text, token.end(), lineEnd)) {
      return Optional.empty();
    }
    if (numberEndsLine && !onlyUnitsUntil(text, token.end(), lineEnd)) {
      return Optional.empty();
    }
    return Optional.of(text.substring(token.start(), token.end()));
  }

  /** A '.' followed by whitespace ends the sentence; a decimal point is followed by a digit. */
  private static int sentenceEnd(String text, int from, int lineEnd) {
    for (int i = from; i < lineEnd; i++) {
      if (text.charAt(i) == '.'
          && (i + 1 == text.length() || NumberParser.isSpace(text.charAt(i + 1)))) {
        return i;
      }
    }
    return lineEnd;
  }

  private static int skipVariableAssignments(String text, int from, int spanEnd) {
    int start = from;
    for (int i = from; i < spanEnd; i++) {
      char c = text.charAt(i);
      if (NumberParser.isDigit(c)) {
        break;
      }
      if (c == '=') {
        start = i + 1;
      }
    }
    return start;
  }

  private static int skipWrappers(String text, int from, int spanEnd) {
    int p = from;
    while (p < spanEnd) {
      char c = text.charAt(p);
      if (NumberParser.isSpace(c) || c == ':' || c == '*' || c == '`' || c == '$' || c == '(') {
        p++;
        continue;
      }
      int opener = openerLength(text, p);
      if (opener == 0) {
        break;
      }
      p += opener;
    }
    return p;
  }

  private static int openerLength(String text, int p) {
    for (String opener : WRAPPER_OPENERS) {
      if (text.startsWith(opener, p)) {
        return opener.length();
      }
    }
    return 0;
  }

  /**
   * Whether the number at {@code end} is glued to a variable or operator symbol: {@code 3x}, {@code
   * 2^5}.
   */
  private static boolean isGluedToSymbol(String text, int end, int lineEnd) {
    if (end >= lineEnd) {
      return false;
    }
    char next = text.charAt(end);
    if (Character.isLetter(next)) {
      int wordEnd = end;
      while (wordEnd < lineEnd && Character.isLetter(text.charAt(wordEnd))) {
        wordEnd++;
      }
      return !NumberParser.isUnitSuffix(text.substring(end, wordEnd), 0);
    }
    // Not '!': "the answer is 42!" is emphasis far more often than a factorial.
    return next == '^' || next == '_' || next == '(';
  }

  /**
   * Whether the number is the first operand of a calculation ({@code 16 - 3 = 13}); the marker then
   * introduces working rather than an answer.
   */
  private static boolean continuesWithArithmetic(String text, int end, int lineEnd) {
    int p = skipSpaces(text, end);
    if (p >= lineEnd) {
      return false;
    }
    int operatorEnd = operatorEnd(text, p);
    if (operatorEnd < 0) {
      return false;
    }
    int operand = skipSpaces(text, operatorEnd);
    return operand < lineEnd
        && (NumberParser.isDigit(text.charAt(operand)) || text.charAt(operand) == '(');
  }

  private static int operatorEnd(String text, int p) {
    char c = text.charAt(p);
    if ("+-*/^\u2212\u00D7\u00F7\u00B7".indexOf(c) >= 0) {
      return p + 1;
    }
    for (String command : OPERATOR_COMMANDS) {
      if (text.startsWith(command, p)) {
        return p + command.length();
      }
    }
    return -1;
  }

  /** Whether the rest of the line holds nothing but closing wrappers, a full stop and units. */
  private static boolean onlyUnitsUntil(String text, int from, int lineEnd) {
    String rest =
        text.substring(from, lineEnd)
            .replace("$", "")
            .replace("\\)", "")
            .replace("\\]", "")
            .replace("*", "");
    // Keep leading space: it tells "18 dollars" (a unit) from "18x" (glued, an expression).
    rest = stripTrailing(rest);
    if (rest.endsWith(".")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    return NumberParser.isUnitSuffix(rest, 0);
  }

  private static String stripTrailing(String text) {
    int end = text.length();
    while (end > 0 && NumberParser.isSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  private static Optional<String> lastNumber(String text) {
    // A bare answer ("1 000", "$18.") is read whole: in prose a plain space separates numbers.
    String whole = NumberParser.strip(text);
    if (parseNumber(whole).isPresent()) {
      return Optional.of(whole);
    }
    NumberParser.Token last = null;
    int p = 0;
    while (p < text.length()) {
      if (canStartNumber(text, p)) {
        NumberParser.Token token = NumberParser.scan(text, p, false);
        if (token != null) {
          last = token;
          p = Math.max(token.end(), p + 1);
          continue;
        }
      }
      p++;
    }
    return last == null ? Optional.empty() : Optional.of(text.substring(last.start(), last.end()));
  }

  /**
   * Numbers start at a digit, a '.' before a digit, a sign directly before one, or a LaTeX
   * fraction, and not inside a word ("H2O", "x2") or right after a digit (a binary minus).
   */
  private static boolean canStartNumber(String text, int p) {
    char c = text.charAt(p);
    char previous = p > 0 ? text.charAt(p - 1) : ' ';
    if (Character.isLetterOrDigit(previous)) {
      return false;
    }
    if (NumberParser.isDigit(c)) {
      return true;
    }
    if (p + 1 >= text.length()) {
      return false;
    }
    char next = text.charAt(p + 1);
    if (c == '.') {
      return NumberParser.isDigit(next);
    }
    if (NumberParser.isSign(c)) {
      return previous != ')'
          && previous != '}'
          && (NumberParser.isDigit(next)
              || next == '.'
              || next == '\\'
              || NumberParser.isCurrencySymbol(next));
    }
    return NumberParser.startsFraction(text, p);
  }

  private static int skipSpaces(String text, int p) {
    int q = p;
    while (q < text.length() && NumberParser.isSpace(text.charAt(q))) {
      q++;
    }
    return q;
  }

  private static String abbreviate(String answer) {
    String oneLine = answer.replace('\n', ' ');
    return oneLine.length() <= MAX_DETAIL_ANSWER_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_DETAIL_ANSWER_CHARS) + "...";
  }

  private static RewardComponent component(Double value, RewardStatus status, String detail) {
    return VerifierResults.component(NAME, VERSION, value, status, detail);
  }
}
