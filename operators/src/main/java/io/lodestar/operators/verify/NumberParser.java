package io.lodestar.operators.verify;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The grammar of a plain numeric answer, used both to parse a whole string (a ground truth, a boxed
 * answer) and to find numbers inside running text. One grammar serves both so that whatever the
 * extractor picks out of a response is exactly what the parser accepts.
 *
 * <p>A number is: an optional sign ({@code +}, {@code -}, U+2212), an optional currency symbol,
 * then one of
 *
 * <ul>
 *   <li>a decimal: {@code 42}, {@code 3.5}, {@code .5}, {@code 3.} (whole-string only), with
 *       optional thousands groups of exactly three digits separated consistently by {@code ,},
 *       {@code {,}}, {@code \,}, a no-break/thin/narrow space, or (where allowed) a plain space;
 *   <li>a decimal with an exponent {@code 1e3}, {@code 2.5E-2} (|exponent| at most {@value
 *       #MAX_EXPONENT});
 *   <li>a simple fraction {@code a/b} of ungrouped decimals, or {@code \frac{a}{b}} ({@code
 *       \dfrac}, {@code \tfrac}, {@code \cfrac}, and the brace-less {@code \frac12});
 *   <li>a mixed number: an integer followed by a proper positive fraction, {@code 1 1/2} (one
 *       space) or {@code 2\frac{1}{2}}. With a space it is only read this way when it cannot be a
 *       thousands group ({@code 1 123/456} is 1 + 123/456, never 1123/456).
 * </ul>
 *
 * then an optional {@code %}. A percentage keeps the number as written ({@code 50%} is 50), because
 * ground truths are written in the same convention as the question asks for.
 *
 * <p>Deliberately not numbers: decimal commas ({@code 3,5}), expressions ({@code 3x+2}, {@code
 * 2\pi}, {@code \sqrt{2}}), lists ({@code 1, 2}) and alternatives ({@code 5 or 6}). Returning
 * nothing is safer than guessing: the verifier then scores 0 rather than a wrong 1.
 *
 * <p>Every scan is linear in the text it looks at and each LaTeX argument is at most {@value
 * #MAX_FRACTION_ARGUMENT_CHARS} characters, so no input can make it slow.
 */
final class NumberParser {

  /** Longer strings are not plain numeric answers; refusing them bounds the work per call. */
  static final int MAX_NUMBER_TEXT_CHARS = 2_000;

  /** Keeps {@code 10^exponent} small; {@code 1e999999999} would otherwise exhaust memory. */
  static final int MAX_EXPONENT = 1_000;

  private static final int MAX_FRACTION_ARGUMENT_CHARS = 64;
  private static final int MAX_FRACTION_NESTING = 3;
  private static final int MAX_EXPONENT_DIGITS = 6;
  private static final int MAX_UNIT_WORDS = 4;
  private static final int MAX_WRAPPER_PASSES = 8;

  private static final String[] FRACTION_COMMANDS = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"};
  private static final String[] TEXT_COMMANDS = {
    "\\text",
    "\\textbf",
    "\\textit",
    "\\textrm",
    "\\mathrm",
    "\\mathbf",
    "\\mbox",
    "\\boxed",
    "\\fbox"
  };

  /**
   * Units that may be glued to the number ({@code 5cm}); any other glued letter makes it an
   * expression.
   */
  private static final Set<String> GLUED_UNITS =
      Set.of(
          "mm", "cm", "m", "km", "in", "ft", "yd", "mi", "mg", "g", "kg", "lb", "lbs", "oz", "ml",
          "l", "s", "sec", "min", "h", "hr", "hrs", "mph", "kph");

  /** One-letter words that are units; other single letters are variables ({@code 3 x}). */
  private static final Set<String> SINGLE_LETTER_UNITS = Set.of("m", "g", "l", "s", "h");

  /** Words that join two quantities: {@code 5 or 6} is not one number. */
  private static final Set<String> CONNECTOR_WORDS =
      Set.of("or", "and", "to", "plus", "minus", "times", "over", "divided");

  /** A number found in text: its span {@code [start, end)} and value. */
  record Token(int start, int end, ExactNumber value) {}

  private record Magnitude(ExactNumber value, int end) {}

  private record Decimal(ExactNumber value, int end, boolean grouped, boolean hasPoint) {
    boolean isPlainInteger() {
      return !grouped && !hasPoint;
    }
  }

  private NumberParser() {}

  /** Parses a whole string as one number, tolerating LaTeX/markdown wrappers and trailing units. */
  static Optional<ExactNumber> parse(String text) {
    return parse(text, 0);
  }

  private static Optional<ExactNumber> parse(String text, int nesting) {
    if (text == null || text.length() > MAX_NUMBER_TEXT_CHARS || nesting > MAX_FRACTION_NESTING) {
      return Optional.empty();
    }
    String normalised = normalise(text);
    if (normalised.isEmpty()) {
      return Optional.empty();
    }
    Token token = scan(normalised, 0, true, nesting);
    if (token == null || !isUnitSuffix(normalised, token.end())) {
      return Optional.empty();
    }
    return Optional.of(token.value());
  }

  /**
   * Reads the number starting exactly at {@code start}, or returns null.
   *
   * @param plainSpaceGroups whether a plain space may separate thousands; off when scanning prose,
   *     where {@code 2 100-metre races} is two numbers
   */
  static Token scan(String text, int start, boolean plainSpaceGroups) {
    return scan(text, start, plainSpaceGroups, 0);
  }

  private static Token scan(String s, int start, boolean plainSpaceGroups, int nesting) {
    int n = s.length();
    int p = start;
    boolean negative = false;
    boolean signed = false;
    if (p < n && isSign(s.charAt(p))) {
      negative = s.charAt(p) != '+';
      signed = true;
      p++;
    }
    int afterCurrency = skipCurrency(s, p);
    if (afterCurrency != p) {
      p = afterCurrency;
      // "$-5" as well as "-$5".
      if (!signed && p < n && isSign(s.charAt(p))) {
        negative = s.charAt(p) != '+';
        p++;
      }
    }
    Magnitude magnitude = scanMagnitude(s, p, plainSpaceGroups, nesting);
    if (magnitude == null) {
      return null;
    }
    int end = skipPercent(s, magnitude.end());
    ExactNumber value = negative ? magnitude.value().negate() : magnitude.value();
    return new Token(start, end, value);
  }

  private static Magnitude scanMagnitude(String s, int p, boolean plainSpaceGroups, int nesting) {
    if (fractionCommandLength(s, p) > 0) {
      return scanLatexFraction(s, p, nesting);
    }
    Decimal decimal = scanDecimal(s, p, plainSpaceGroups);
    if (decimal == null) {
      return null;
    }
    int end = decimal.end();
    if (!decimal.grouped() && end + 1 < s.length() && s.charAt(end) == '/') {
      Decimal denominator = scanDecimal(s, end + 1, false);
      if (denominator != null && !denominator.grouped() && denominator.value().signum() != 0) {
        return new Magnitude(decimal.value().divide(denominator.value()), denominator.end());
      }
      // "5/0" or "5/x" is not a number at all, not the number 5.
      return null;
    }
    if (decimal.isPlainInteger()) {
      Magnitude fractionPart = scanMixedFraction(s, end, nesting);
      if (fractionPart != null) {
        return new Magnitude(decimal.value().add(fractionPart.value()), fractionPart.end());
      }
    }
    if (!decimal.grouped()) {
      return applyExponent(s, decimal.value(), end);
    }
    return new Magnitude(decimal.value(), end);
  }

  /** Digits with optional thousands groups and decimal point; no sign. */
  private static Decimal scanDecimal(String s, int p, boolean plainSpaceGroups) {
    int n = s.length();
    StringBuilder digits = new StringBuilder();
    int q = p;
    while (q < n && isDigit(s.charAt(q))) {
      digits.append(s.charAt(q++));
    }
    int integerDigits = q - p;
    boolean grouped = false;
    // A leading group is 1-3 digits and not "0" ("0,500" is a decimal comma, which we refuse).
    if (integerDigits >= 1 && integerDigits <= 3 && s.charAt(p) != '0') {
      char separatorKind = 0;
      while (true) {
        int groupStart = separatorEnd(s, q, plainSpaceGroups);
        if (groupStart < 0) {
          break;
        }
        char kind = separatorKind(s.charAt(q));
        if (separatorKind != 0 && kind != separatorKind) {
          break;
        }
        if (!isThreeDigitGroup(s, groupStart, kind)) {
          break;
        }
        digits.append(s, groupStart, groupStart + 3);
        q = groupStart + 3;
        grouped = true;
        separatorKind = kind;
      }
    }
    int fractionDigits = 0;
    if (q + 1 < n && s.charAt(q) == '.' && isDigit(s.charAt(q + 1))) {
      q++;
      while (q < n && isDigit(s.charAt(q))) {
        digits.append(s.charAt(q++));
        fractionDigits++;
      }
    }
    if (digits.length() == 0) {
      return null;
    }
    ExactNumber value =
        ExactNumber.of(new BigInteger(digits.toString()), BigInteger.TEN.pow(fractionDigits));
    return new Decimal(value, q, grouped, fractionDigits > 0);
  }

  /** Index where the next digit group starts if a thousands separator is at {@code q}, else -1. */
  private static int separatorEnd(String s, int q, boolean plainSpaceGroups) {
    if (q >= s.length()) {
      return -1;
    }
    char c = s.charAt(q);
    if (c == ',' || isNonBreakingOrThinSpace(c) || (c == ' ' && plainSpaceGroups)) {
      return q + 1;
    }
    if (s.startsWith("{,}", q)) {
      return q + 3;
    }
    if (s.startsWith("\\,", q)) {
      return q + 2;
    }
    return -1;
  }

  private static char separatorKind(char first) {
    return first == ',' || first == '{' ? ',' : ' ';
  }

  private static boolean isThreeDigitGroup(String s, int at, char kind) {
    int n = s.length();
    if (at + 3 > n
        || !isDigit(s.charAt(at))
        || !isDigit(s.charAt(at + 1))
        || !isDigit(s.charAt(at + 2))) {
      return false;
    }
    if (at + 3 == n) {
      return true;
    }
    char next = s.charAt(at + 3);
    // "1 123/456" is a mixed number, so a space-separated group may not start a fraction.
    return !isDigit(next) && !(kind == ' ' && next == '/');
  }

  private static Magnitude scanMixedFraction(String s, int end, int nesting) {
    int n = s.length();
    if (end + 1 < n && isSpace(s.charAt(end)) && isDigit(s.charAt(end + 1))) {
      Decimal numerator = scanDecimal(s, end + 1, false);
      int slash = numerator.end();
      if (numerator.isPlainInteger() && slash + 1 < n && s.charAt(slash) == '/') {
        Decimal denominator = scanDecimal(s, slash + 1, false);
        if (denominator != null
            && denominator.isPlainInteger()
            && numerator.value().signum() > 0
            && numerator.value().compareTo(denominator.value()) < 0) {
          return new Magnitude(numerator.value().divide(denominator.value()), denominator.end());
        }
      }
      return null;
    }
    int q = skipSpaces(s, end);
    if (fractionCommandLength(s, q) > 0) {
      Magnitude fraction = scanLatexFraction(s, q, nesting);
      if (fraction != null
          && fraction.value().signum() > 0
          && fraction.value().compareTo(ExactNumber.ONE) < 0) {
        return fraction;
      }
    }
    return null;
  }

  private static Magnitude scanLatexFraction(String s, int p, int nesting) {
    int q = p + fractionCommandLength(s, p);
    int[] numeratorSpan = fractionArgument(s, q);
    if (numeratorSpan == null) {
      return null;
    }
    int[] denominatorSpan = fractionArgument(s, numeratorSpan[2]);
    if (denominatorSpan == null) {
      return null;
    }
    Optional<ExactNumber> numerator =
        parse(s.substring(numeratorSpan[0], numeratorSpan[1]), nesting + 1);
    Optional<ExactNumber> denominator =
        parse(s.substring(denominatorSpan[0], denominatorSpan[1]), nesting + 1);
    if (numerator.isEmpty() || denominator.isEmpty() || denominator.get().signum() == 0) {
      return null;
    }
    return new Magnitude(numerator.get().divide(denominator.get()), denominatorSpan[2]);
  }

  /**
   * A LaTeX argument at {@code p}: a balanced {@code {...}} group or a single digit ({@code
   * \frac12}). Returns {contentStart, contentEnd, argumentEnd}, or null.
   */
  private static int[] fractionArgument(String s, int p) {
    int q = skipSpaces(s, p);
    if (q >= s.length()) {
      return null;
    }
    if (isDigit(s.charAt(q))) {
      return new int[] {q, q + 1, q + 1};
    }
    if (s.charAt(q) != '{') {
      return null;
    }
    int limit = Math.min(s.length(), q + 2 + MAX_FRACTION_ARGUMENT_CHARS);
    int depth = 0;
    for (int i = q; i < limit; i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return new int[] {q + 1, i, i + 1};
      }
    }
    return null;
  }

  /** Whether a LaTeX fraction command ({@code \frac}, {@code \dfrac}, ...) starts at {@code p}. */
  static boolean startsFraction(String s, int p) {
    return fractionCommandLength(s, p) > 0;
  }

  private static int fractionCommandLength(String s, int p) {
    if (p >= s.length() || s.charAt(p) != '\\') {
      return 0;
    }
    for (String command : FRACTION_COMMANDS) {
      int end = p + command.length();
      if (s.startsWith(command, p) && (end >= s.length() || !Character.isLetter(s.charAt(end)))) {
        return command.length();
      }
    }
    return 0;
  }

  private static Magnitude applyExponent(String s, ExactNumber mantissa, int end) {
    int n = s.length();
    if (end >= n || (s.charAt(end) != 'e' && s.charAt(end) != 'E')) {
      return new Magnitude(mantissa, end);
    }
    int q = end + 1;
    boolean negative = false;
    if (q < n && (s.charAt(q) == '+' || s.charAt(q) == '-')) {
      negative = s.charAt(q) == '-';
      q++;
    }
    int digitsStart = q;
    while (q < n && isDigit(s.charAt(q)) && q - digitsStart < MAX_EXPONENT_DIGITS + 1) {
      q++;
    }
    int digitCount = q - digitsStart;
    if (digitCount == 0 || digitCount > MAX_EXPONENT_DIGITS || (q < n && isDigit(s.charAt(q)))) {
      // Not an exponent (or an absurd one): the number ends before the 'e'.
      return new Magnitude(mantissa, end);
    }
    int exponent = Integer.parseInt(s.substring(digitsStart, q));
    if (exponent > MAX_EXPONENT) {
      return new Magnitude(mantissa, end);
    }
    ExactNumber scale = ExactNumber.of(BigInteger.TEN.pow(exponent), BigInteger.ONE);
    ExactNumber value =
        negative
            ? mantissa.divide(scale)
            : ExactNumber.of(
                mantissa.numerator().multiply(scale.numerator()), mantissa.denominator());
    return new Magnitude(value, q);
  }

  private static int skipCurrency(String s, int p) {
    int q = p;
    if (s.startsWith("\\$", q)) {
      q += 2;
    } else if (q < s.length() && isCurrencySymbol(s.charAt(q))) {
      q++;
    } else {
      return p;
    }
    return skipSpaces(s, q);
  }

  private static int skipPercent(String s, int end) {
    int q = end < s.length() && s.charAt(end) == ' ' ? end + 1 : end;
    if (q < s.length() && s.charAt(q) == '%') {
      return q + 1;
    }
    if (s.startsWith("\\%", q)) {
      return q + 2;
    }
    return end;
  }

  /**
   * Whether {@code s} from {@code from} is nothing but units: {@code " dollars"}, {@code "cm"},
   * {@code " km/h"}. Glued letters must be a known unit, so {@code 3x} is not a number.
   */
  static boolean isUnitSuffix(String s, int from) {
    int p = from;
    while (p < s.length() && isSpace(s.charAt(p))) {
      p++;
    }
    if (p == s.length()) {
      return true;
    }
    boolean glued = p == from;
    String[] words =
        s.substring(p).strip().split("[\\s\\u00A0\\u2007\\u2009\\u202F/]+", MAX_UNIT_WORDS + 1);
    if (words.length > MAX_UNIT_WORDS) {
      return false;
    }
    for (int i = 0; i < words.length; i++) {
      String word = stripTrailingDot(words[i]);
      if (!isUnitWord(word, glued && i == 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUnitWord(String word, boolean glued) {
    if (word.isEmpty()) {
      return false;
    }
    int letters = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (Character.isLetter(c)) {
        letters++;
      } else if (c != '\u00B2' && c != '\u00B3') {
        return false;
      }
    }
    String lower = word.toLowerCase(Locale.ROOT);
    String bare = lower.replace("\u00B2", "").replace("\u00B3", "");
    if (glued) {
      return GLUED_UNITS.contains(bare);
    }
    if (CONNECTOR_WORDS.contains(lower)) {
      return false;
    }
    return letters >= 2 || SINGLE_LETTER_UNITS.contains(bare);
  }

  /** Strips the LaTeX, markdown and currency dressing a plain number may come in. */
  private static String normalise(String raw) {
    String t =
        raw.replace("\\left", "")
            .replace("\\right", "")
            .replace("\\displaystyle", "")
            .replace("\\!", "");
    t = t.replace("^{\\circ}", "").replace("^\\circ", "").replace("\u00B0", "");
    t = t.replace("\\$", "$").replace("\\%", "%").replace("{,}", ",");
    t = unwrapTextCommands(t);
    t =
        t.replace("\\(", " ")
            .replace("\\)", " ")
            .replace("\\[", " ")
            .replace("\\]", " ")
            .replace("$", "");
    t =
        t.replace("\\,", " ")
            .replace("\\;", " ")
            .replace("\\:", " ")
            .replace("\\ ", " ")
            .replace("~", " ");
    return stripWrappers(t);
  }

  /** Replaces {@code \text{...}}-style commands by their content, so units become plain words. */
  private static String unwrapTextCommands(String t) {
    String result = t;
    for (String command : TEXT_COMMANDS) {
      String opener = command + "{";
      int at = result.indexOf(opener);
      while (at >= 0) {
        int open = at + opener.length() - 1;
        int close = matchingBrace(result, open);
        if (close < 0) {
          break;
        }
        result =
            result.substring(0, at)
                + result.substring(open + 1, close)
                + result.substring(close + 1);
        at = result.indexOf(opener, at);
      }
    }
    return result;
  }

  /** Peels surrounding whitespace, markdown emphasis, a final period and enclosing brackets. */
  private static String stripWrappers(String t) {
    String current = t;
    for (int pass = 0; pass < MAX_WRAPPER_PASSES; pass++) {
      String next = strip(current);
      next = trimChars(next, "*`_");
      if (next.endsWith(".")) {
        next = strip(next.substring(0, next.length() - 1));
      }
      if (next.length() >= 2) {
        char first = next.charAt(0);
        char last = next.charAt(next.length() - 1);
        boolean bracketed = (first == '(' && last == ')') || (first == '{' && last == '}');
        if (bracketed && matchingBracket(next, 0) == next.length() - 1) {
          next = next.substring(1, next.length() - 1);
        }
      }
      if (next.equals(current)) {
        return next;
      }
      current = next;
    }
    return current;
  }

  private static int matchingBrace(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static int matchingBracket(String s, int open) {
    char opening = s.charAt(open);
    char closing = opening == '(' ? ')' : '}';
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == opening) {
        depth++;
      } else if (c == closing && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String trimChars(String s, String chars) {
    int start = 0;
    int end = s.length();
    while (start < end && chars.indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String stripTrailingDot(String word) {
    return word.endsWith(".") ? word.substring(0, word.length() - 1) : word;
  }

  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static int skipSpaces(String s, int p) {
    int q = p;
    while (q < s.length() && isSpace(s.charAt(q))) {
      q++;
    }
    return q;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isSign(char c) {
    return c == '+' || c == '-' || c == '\u2212';
  }

  static boolean isCurrencySymbol(char c) {
    return c == '$' || c == '\u20AC' || c == '\u00A3' || c == '\u00A5' || c == '\u20B9';
  }

  /** Whitespace including the no-break spaces that {@link Character#isWhitespace} leaves out. */
  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || isNonBreakingOrThinSpace(c);
  }

  private static boolean isNonBreakingOrThinSpace(char c) {
    return c == '\u00A0' || c == '\u2007' || c == '\u2009' || c == '\u202F';
  }
}
