package io.lodestar.operators.verify.math;

import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an extracted answer into the subset {@link MathParser} reads. Each step removes one kind
 * of surface noise that never changes the value:
 * <ol>
 *   <li>control characters become spaces; doubled backslashes before a known command
 *       ({@code \\le}, {@code \\frac}) collapse to one, as in answers copied from escaped strings;
 *   <li>sizing and spacing ({@code \left}, {@code \right}, {@code \!}, {@code ~}), math delimiters
 *       ({@code $}, {@code \(}, {@code \[}) and currency ({@code \$}, €, £) are dropped;
 *   <li>percent ({@code \%}, "percent", "pct") and degrees ({@code ^\circ}, °) are dropped: like
 *       Math-Verify, {@code 28\%} equals 28, not 0.28;
 *   <li>{@code \text{}}-style wrappers holding a unit after a value are dropped, "and" between
 *       values becomes a comma, a wrapper that is the whole answer stays as text;
 *   <li>unit words after a number ({@code 35 cm}, {@code 125 miles}, {@code m²}) are dropped;
 *   <li>thousands separators ({@code 7,425,000}, {@code 1 000}, {@code 12{,}000}) are removed and an
 *       unambiguous decimal comma ({@code 0,111}, {@code 1000,99}) becomes a point.
 * </ol>
 * Every step is a linear scan or a regular expression without nested quantifiers.
 */
final class LatexNormalizer {

  private static final Set<String> COLLAPSIBLE_COMMANDS = Set.of(
      "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "frac", "dfrac", "tfrac", "sqrt", "boxed",
      "pi", "left", "right", "text", "cdot", "times", "pm", "infty", "in", "cup", "begin", "end",
      "sin", "cos", "tan", "ln", "log", "approx", "mathrm", "circ", "dots");
  private static final Set<String> WRAPPERS = Set.of(
      "text", "textbf", "textit", "textrm", "textnormal", "mbox", "mathrm", "textsf");

  private static final Pattern SIZING = Pattern.compile(
      "\\\\(?:left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr|displaystyle|limits|quad|qquad)(?![a-zA-Z])");
  private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|\\\\circ|\\\\degree|°");
  private static final Pattern PERCENT = Pattern.compile(
      "\\\\%|%|(?i)\\b(?:percentage|percent|pct)\\b");
  private static final Pattern CURRENCY = Pattern.compile("\\\\\\$|\\$|€|£|¥|\\\\euro|\\\\pounds|(?i)\\b(?:usd|eur)\\b");
  private static final Pattern AND_WORD = Pattern.compile("(?i)\\s+and\\s+");
  /** Unit words after a number; single letters only with an exponent (m², cm^2). */
  private static final Pattern UNIT_WORD = Pattern.compile(
      "(?<=[0-9}])\\s*(?:(?i:units?|cm|mm|km|meters?|metres?|miles?|inch(?:es)?|feet|foot|ft|yards?|"
          + "hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|dollars?|cents?|"
          + "degrees?|kg|grams?|pounds?|lbs?|liters?|litres?|ml|mph|km/h|sq|square|cubic|people|"
          + "students|apples|eggs|times)|(?:[ckm]?m|in|ft)(?:\\^\\{?[23]\\}?|[²³]))(?![a-zA-Z])");
  private static final Pattern UNIT_EXPONENT = Pattern.compile("\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
  static final Pattern SIGNED_DECIMAL = Pattern.compile("[+-]?\\d+(?:\\.\\d+)?");
  private static final Pattern WORDS = Pattern.compile("[A-Za-z .]+");
  private static final Pattern SQUARED_MARK = Pattern.compile("[²³]");
  private static final Pattern BRACED_THOUSANDS = Pattern.compile("(?<=\\d)\\s*\\{\\s*,\\s*\\}\\s*(?=\\d)|(?<=\\d)\\\\,(?=\\d{3})");
  private static final Pattern WHOLE_THOUSANDS = Pattern.compile("[+-]?[1-9]\\d{0,2}(?:([, ])\\d{3})(?:\\1\\d{3})*(?:\\.\\d+)?");
  private static final Pattern WHOLE_DECIMAL_COMMA = Pattern.compile("[+-]?(?:0|\\d{4,}),\\d+");

  private LatexNormalizer() {}

  static String normalize(String answer) {
    if (isPlainDecimal(answer)) {
      return answer; // no step changes one; most extracted answers are one
    }
    String s = controlCharactersToSpaces(answer);
    s = collapseDoubledBackslashes(s);
    s = s.replace("\\(", " ").replace("\\)", " ").replace("\\[", " ").replace("\\]", " ");
    s = SIZING.matcher(s).replaceAll(" ");
    s = s.replace("\\!", "").replace('~', ' ');
    s = s.replace('−', '-').replace('×', '*').replace('·', '*').replace('÷', '/')
        .replace("≤", "<=").replace("≥", ">=").replace("≠", "!=").replace("π", "\\pi ")
        .replace("∞", "\\infty ").replace("√", "\\sqrt ");
    s = DEGREES.matcher(s).replaceAll(" ");
    s = PERCENT.matcher(s).replaceAll(" ");
    s = CURRENCY.matcher(s).replaceAll(" ");
    s = BRACED_THOUSANDS.matcher(s).replaceAll("");
    s = unwrapTextCommands(s);
    s = AND_WORD.matcher(s).replaceAll(", ");
    s = UNIT_WORD.matcher(s).replaceAll(" ");
    s = SQUARED_MARK.matcher(s).replaceAll(m -> m.group().equals("²") ? "^2" : "^3");
    s = stripTrailingPunctuation(s.trim());
    return separators(s);
  }

  /** Whether {@code s} matches {@link #SIGNED_DECIMAL}, without the regex. */
  static boolean isPlainDecimal(String s) {
    int n = s.length();
    int i = n > 0 && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
    int integerDigits = 0;
    while (i < n && isAsciiDigit(s.charAt(i))) {
      i++;
      integerDigits++;
    }
    if (integerDigits == 0) {
      return false;
    }
    if (i == n) {
      return true;
    }
    if (s.charAt(i) != '.') {
      return false;
    }
    int fractionStart = ++i;
    while (i < n && isAsciiDigit(s.charAt(i))) {
      i++;
    }
    return i == n && i > fractionStart;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * The index of the brace closing the one at {@code open}, or -1 when {@code open} is not a brace
   * or it is never closed. Escaped braces ({@code \{}) do not count.
   */
  static int matchingBrace(String s, int open) {
    if (open >= s.length() || s.charAt(open) != '{') {
      return -1;
    }
    int nesting = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        nesting++;
      } else if (c == '}' && --nesting == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * For every index holding an unescaped {@code '{'}, the index of its closing brace, else -1; one
   * pass with a stack, so finding all boxes in a long response stays linear.
   */
  static int[] closingBraces(String s) {
    int[] closing = new int[s.length()];
    Arrays.fill(closing, -1);
    int[] stack = new int[Math.min(s.length(), 1 << 20) + 1];
    int top = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        if (top < stack.length) {
          stack[top++] = i;
        }
      } else if (c == '}' && top > 0) {
        closing[stack[--top]] = i;
      }
    }
    return closing;
  }

  private static String controlCharactersToSpaces(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    return sb.toString();
  }

  /** {@code \\le} becomes {@code \le}; a row break {@code \\} before anything else stays. */
  private static String collapseDoubledBackslashes(String s) {
    if (!s.contains("\\\\")) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("\\\\", i)) {
        int end = i + 2;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
          end++;
        }
        if (end > i + 2 && COLLAPSIBLE_COMMANDS.contains(s.substring(i + 2, end))) {
          sb.append(s, i + 1, end);
        } else {
          sb.append(s, i, end);
        }
        i = end;
      } else {
        sb.append(s.charAt(i++));
      }
    }
    return sb.toString();
  }

  /**
   * {@code 15\mbox{ cm}^2} loses its unit; {@code 12\text{ and }13} becomes {@code 12, 13};
   * {@code \text{13}} becomes 13; {@code \text{Evelyn}} alone stays (the parser keeps it as text).
   */
  private static String unwrapTextCommands(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int slash = s.indexOf('\\', i);
      if (slash < 0) {
        sb.append(s, i, s.length());
        break;
      }
      sb.append(s, i, slash);
      int end = slash + 1;
      while (end < s.length() && Character.isLetter(s.charAt(end))) {
        end++;
      }
      String name = s.substring(slash + 1, end);
      int open = end;
      while (open < s.length() && s.charAt(open) == ' ') {
        open++;
      }
      int close = WRAPPERS.contains(name) ? matchingBrace(s, open) : -1;
      if (close < 0) {
        sb.append(s, slash, Math.max(end, slash + 2 > s.length() ? s.length() : slash + 2));
        i = Math.max(end, Math.min(slash + 2, s.length()));
        continue;
      }
      String content = s.substring(open + 1, close).trim();
      boolean somethingBefore = !isBlank(sb);
      int after = close + 1;
      if (content.equalsIgnoreCase("and") || content.equalsIgnoreCase("or")) {
        sb.append(", ");
      } else if (SIGNED_DECIMAL.matcher(content).matches()) {
        sb.append(content);
      } else if (somethingBefore && WORDS.matcher(content).matches()) {
        after = skipUnitExponent(s, after);
        sb.append(' ');
      } else {
        sb.append(s, slash, close + 1);
      }
      i = after;
    }
    return sb.toString();
  }

  private static boolean isBlank(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int skipUnitExponent(String s, int at) {
    Matcher m = UNIT_EXPONENT.matcher(s);
    m.region(at, s.length());
    return m.lookingAt() ? m.end() : at;
  }

  private static String stripTrailingPunctuation(String s) {
    int end = s.length();
    while (end > 0 && ".,;:!? ".indexOf(s.charAt(end - 1)) >= 0) {
      if (s.charAt(end - 1) == '!' && end >= 2 && Character.isDigit(s.charAt(end - 2))) {
        break; // 5! is a factorial, not an exclamation
      }
      end--;
    }
    int start = 0;
    while (start < end && s.charAt(start) == ':') {
      start++;
    }
    return s.substring(start, end).trim();
  }

  /** Thousands separators and decimal commas, only where the whole answer is one number. */
  private static String separators(String s) {
    if (WHOLE_THOUSANDS.matcher(s).matches()) {
      return s.replace(",", "").replace(" ", "");
    }
    if (WHOLE_DECIMAL_COMMA.matcher(s).matches()) {
      return s.replace(',', '.');
    }
    return s;
  }
}
