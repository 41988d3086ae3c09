package io.lodestar.operators.verify.math;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an extracted answer into the subset {@link MathParser} reads. Each step removes one kind
 * of surface noise that never changes the value:
 *
 * <ol>
 *   <li>control characters become spaces; doubled backslashes before a known command ({@code \\le},
 *       {@code \\frac}) collapse to one, as in answers copied from escaped strings;
 *   <li>sizing and spacing ({@code \left}, {@code \right}, {@code \!}, {@code ~}), math delimiters
 *       ({@code $}, {@code \(}, {@code \[}) and currency ({@code \$}, €, £) are dropped;
 *   <li>a repeating decimal ({@code 0.1\overline{6}}) becomes the fraction it is ({@code 1/6});
 *   <li>percent ({@code \%}, "percent", "pct") is dropped: like Math-Verify, {@code 28\%} equals
 *       28, not 0.28. A degree mark ({@code ^\circ}, {@code ^{\circ}}, {@code \degree}, °, and the
 *       word "degrees" after a value) becomes {@code \degree}, which the comparison reads (see
 *       {@code Equivalence}); °C and °F are temperature units;
 *   <li>{@code \text{}}-style wrappers holding a unit after a value are dropped, "and" between
 *       values becomes a comma, a wrapper that is the whole answer stays as text;
 *   <li>multiplier words become factors ({@code 5 thousand} is 5000, {@code 3 dozen} 36);
 *   <li>units after a value are dropped by a rule, not a list: words of two or more letters that
 *       end the answer (or a list item) after a number ({@code 18 muffins}, {@code 35 cm}, {@code
 *       60 km/h}, {@code 2 square feet}), and a one-letter unit only with an exponent ({@code m²});
 *       words that are mathematics ({@code sin}, {@code pi}, {@code mod}) stay. The unit is kept
 *       aside ({@link #canonicalUnit}) so that two different measurement units never match;
 *   <li>thousands separators ({@code 7,425,000}, {@code 1 000}, {@code 12{,}000}, {@code 1,\!000})
 *       are removed and an unambiguous decimal comma ({@code 0,111}, {@code 1000,99}) becomes a
 *       point.
 * </ol>
 *
 * Every step is a linear scan or a regular expression without nested quantifiers.
 */
final class LatexNormaliser {

  private static final Set<String> COLLAPSIBLE_COMMANDS =
      Set.of(
          "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "frac", "dfrac", "tfrac", "sqrt",
          "boxed", "pi", "left", "right", "text", "cdot", "times", "pm", "infty", "in", "cup",
          "begin", "end", "sin", "cos", "tan", "ln", "log", "approx", "mathrm", "circ", "dots");
  private static final Set<String> WRAPPERS =
      Set.of("text", "textbf", "textit", "textrm", "textnormal", "mbox", "mathrm", "textsf");

  private static final Pattern SIZING =
      Pattern.compile(
          "\\\\(?:left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr|displaystyle|limits|quad|qquad)(?![a-zA-Z])");

  /**
   * {@code ^\circ}, {@code ^{\circ}}, {@code \degree}, °, or a bare {@code \circ} right after a
   * value.
   */
  private static final String DEGREE_MARK =
      "\\^\\s*\\{?\\s*(?:\\\\circ|\\\\degree|°)\\s*\\}?|\\\\degree(?![A-Za-z])|°|(?<=[0-9}])\\s*\\\\circ(?![A-Za-z])";

  private static final Pattern DEGREES = Pattern.compile(DEGREE_MARK);
  private static final Pattern TEMPERATURE =
      Pattern.compile(
          "(?:"
              + DEGREE_MARK
              + ")\\s*(?:\\\\(?:text|mathrm)\\s*\\{\\s*([CF])\\s*\\}|([CF])(?![A-Za-z]))");
  private static final Pattern REPEATING_DECIMAL =
      Pattern.compile(
          "(?<![\\d.])(\\d*)\\.(\\d{0,30})\\\\(?:overline|bar)\\s*\\{\\s*(\\d{1,30})\\s*\\}");
  private static final Pattern PERCENT =
      Pattern.compile("\\\\%|%|(?i)\\b(?:percentage|percent|pct)\\b");
  private static final Pattern CURRENCY =
      Pattern.compile("\\\\\\$|\\$|€|£|¥|\\\\euro|\\\\pounds|(?i)\\b(?:usd|eur)\\b");
  private static final Pattern AND_WORD = Pattern.compile("(?i)\\s+and\\s+");

  /** Words after a number that are mathematics, not a unit. */
  private static final Set<String> MATH_WORDS =
      Set.of(
          "sin",
          "cos",
          "tan",
          "sec",
          "csc",
          "cot",
          "sinh",
          "cosh",
          "tanh",
          "arcsin",
          "arccos",
          "arctan",
          "log",
          "ln",
          "lg",
          "exp",
          "sqrt",
          "pi",
          "mod",
          "and",
          "or",
          "inf",
          "infty",
          "infinity",
          "squared",
          "cubed");

  /** Words that scale the number before them: not units. */
  private static final Map<String, String> MULTIPLIERS =
      Map.of(
          "dozen",
          "12",
          "hundred",
          "100",
          "thousand",
          "1000",
          "million",
          "1000000",
          "billion",
          "1000000000",
          "trillion",
          "1000000000000");

  private static final Pattern MULTIPLIER_WORD =
      Pattern.compile(
          "(?i)(?<=[0-9}])(?:\\\\,|\\s)*+(dozen|hundred|thousand|million|billion|trillion)(?![A-Za-z])");
  private static final Pattern LATEX_THOUSANDS = Pattern.compile("(?<=\\d),\\\\!(?=\\d{3}(?!\\d))");

  /**
   * Measurement units under one name each, so {@code cm} and {@code centimeters} agree and {@code
   * cm} and {@code m} do not. Only these are compared; other words after a number ({@code muffins})
   * are dropped and ignored.
   */
  private static final Map<String, String> MEASUREMENT_UNITS = measurementUnits();

  private static final Pattern UNIT_SPACES = Pattern.compile("\\s+");
  private static final Pattern UNIT_EXPONENT = Pattern.compile("\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
  static final Pattern SIGNED_DECIMAL = Pattern.compile("[+-]?\\d+(?:\\.\\d+)?");
  private static final Pattern WORDS = Pattern.compile("[A-Za-z .]+");
  private static final Pattern SQUARED_MARK = Pattern.compile("[²³]");
  private static final Pattern BRACED_THOUSANDS =
      Pattern.compile("(?<=\\d)\\s*\\{\\s*,\\s*\\}\\s*(?=\\d)|(?<=\\d)\\\\,(?=\\d{3})");
  private static final Pattern WHOLE_THOUSANDS =
      Pattern.compile("[+-]?[1-9]\\d{0,2}(?:([, ])\\d{3})(?:\\1\\d{3})*(?:\\.\\d+)?");
  private static final Pattern WHOLE_DECIMAL_COMMA = Pattern.compile("[+-]?(?:0|\\d{4,}),\\d+");

  private LatexNormaliser() {}

  static String normalise(String answer) {
    return normalise(answer, null);
  }

  /** Normalises {@code answer}; units dropped are appended to {@code units} when it is not null. */
  static String normalise(String answer, StringBuilder units) {
    if (isPlainDecimal(answer)) {
      return answer; // no step changes one; most extracted answers are one
    }
    String s = controlCharactersToSpaces(answer);
    s = collapseDoubledBackslashes(s);
    if (s.contains("\\overline") || s.contains("\\bar")) {
      s =
          REPEATING_DECIMAL
              .matcher(s)
              .replaceAll(m -> Matcher.quoteReplacement(repeatingDecimal(m)));
    }
    s = s.replace("\\(", " ").replace("\\)", " ").replace("\\[", " ").replace("\\]", " ");
    s = SIZING.matcher(s).replaceAll(" ");
    if (s.contains(",\\!")) {
      s = LATEX_THOUSANDS.matcher(s).replaceAll("");
    }
    s = s.replace("\\!", "").replace('~', ' ');
    s =
        s.replace('−', '-')
            .replace('×', '*')
            .replace('·', '*')
            .replace('÷', '/')
            .replace("≤", "<=")
            .replace("≥", ">=")
            .replace("≠", "!=")
            .replace("π", "\\pi ")
            .replace("∞", "\\infty ")
            .replace("√", "\\sqrt ");
    if (s.indexOf('°') >= 0 || s.contains("\\circ") || s.contains("\\degree")) {
      s =
          TEMPERATURE
              .matcher(s)
              .replaceAll(
                  m -> {
                    if (units != null) {
                      units.append(
                          "C".equals(m.group(1)) || "C".equals(m.group(2))
                              ? "celsius "
                              : "fahrenheit ");
                    }
                    return " ";
                  });
      s = DEGREES.matcher(s).replaceAll(" \\\\degree ");
    }
    s = PERCENT.matcher(s).replaceAll(" ");
    s = CURRENCY.matcher(s).replaceAll(" ");
    s = BRACED_THOUSANDS.matcher(s).replaceAll("");
    s = unwrapTextCommands(s, units);
    s = AND_WORD.matcher(s).replaceAll(", ");
    if (s.contains("ozen")
        || s.contains("undred")
        || s.contains("housand")
        || s.contains("illion")) {
      s =
          MULTIPLIER_WORD
              .matcher(s)
              .replaceAll(m -> " \\\\cdot " + MULTIPLIERS.get(m.group(1).toLowerCase(Locale.ROOT)));
    }
    s = dropUnitWords(s, units);
    s = SQUARED_MARK.matcher(s).replaceAll(m -> m.group().equals("²") ? "^2" : "^3");
    s = stripTrailingPunctuation(s.trim());
    return separators(s);
  }

  /** {@code 1.2\overline{34}} as the exact fraction {@code \frac{12322}{9900}}, in braces. */
  private static String repeatingDecimal(MatchResult m) {
    String whole = m.group(1).isEmpty() ? "0" : m.group(1);
    String fixed = m.group(2);
    String repeating = m.group(3);
    BigInteger all = new BigInteger(whole + fixed + repeating);
    BigInteger before = new BigInteger(whole + fixed);
    BigInteger denominator =
        BigInteger.TEN
            .pow(repeating.length())
            .subtract(BigInteger.ONE)
            .multiply(BigInteger.TEN.pow(fixed.length()));
    return "{\\frac{" + all.subtract(before) + "}{" + denominator + "}}";
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
   * {@code 15\mbox{ cm}^2} loses its unit; {@code 12\text{ and }13} becomes {@code 12, 13}; {@code
   * \text{13}} becomes 13; {@code \text{Evelyn}} alone stays (the parser keeps it as text).
   */
  private static String unwrapTextCommands(String s, StringBuilder units) {
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
      if (name.equals("mathrm") && (content.equals("i") || content.equals("e"))) {
        sb.append(' ').append(content).append(' '); // upright i and e are the constants
      } else if (content.equalsIgnoreCase("and") || content.equalsIgnoreCase("or")) {
        sb.append(", ");
      } else if (SIGNED_DECIMAL.matcher(content).matches()) {
        sb.append(content);
      } else if (somethingBefore && MULTIPLIERS.containsKey(content.toLowerCase(Locale.ROOT))) {
        sb.append(' ').append(content).append(' ');
      } else if (somethingBefore
          && (WORDS.matcher(content).matches() || canonicalUnit(content) != null)) {
        int unitEnd = skipUnitExponent(s, after);
        String unit = content + s.substring(after, unitEnd);
        if (isDegreeUnit(unit)) {
          sb.append(" \\degree ");
        } else {
          if (units != null) {
            units.append(unit).append(' ');
          }
          sb.append(' ');
        }
        after = unitEnd;
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

  /**
   * Drops the words that follow a value and end the answer or a list item: {@code 18 muffins},
   * {@code 2 square feet}, {@code 60 km/h}, {@code 5 cm^2}. One linear scan. Words that are
   * mathematics stop the rule, and so does anything but a separator after the words ({@code 2 sin
   * x} stays).
   */
  static String dropUnitWords(String s, StringBuilder units) {
    StringBuilder out = null;
    int copied = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(Character.isDigit(c) || c == '}')) {
        continue;
      }
      int end = unitWordsEnd(s, i + 1);
      if (end < 0) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(n);
      }
      out.append(s, copied, i + 1).append(' ');
      String unit = s.substring(i + 1, end);
      if (isDegreeUnit(unit)) {
        out.append("\\degree ");
      } else if (units != null) {
        units.append(unit).append(' ');
      }
      copied = end;
      i = end - 1;
    }
    if (out == null) {
      return s;
    }
    return out.append(s, copied, n).toString();
  }

  /**
   * Where the unit words starting after {@code from} end, or -1 when what follows is not a unit.
   */
  private static int unitWordsEnd(String s, int from) {
    int n = s.length();
    int i = from;
    int words = 0;
    int lastEnd = -1;
    boolean afterSlash = false;
    // A lone letter is a variable (5 x), unless it is part of a unit ratio (km/h, m/s).
    boolean loneLetterUnit = false;
    while (true) {
      while (i < n && (s.charAt(i) == ' ' || (words > 0 && s.charAt(i) == '/'))) {
        afterSlash |= s.charAt(i) == '/';
        i++;
      }
      int start = i;
      while (i < n && isAsciiLetter(s.charAt(i))) {
        i++;
      }
      int length = i - start;
      if (length == 0) {
        break;
      }
      if (start > 0 && s.charAt(start - 1) == '\\') {
        return -1; // a command such as \pi
      }
      String word = s.substring(start, i).toLowerCase(Locale.ROOT);
      int afterExponent = unitExponentEnd(s, i);
      if (length == 1 && afterExponent == i) {
        if (!afterSlash && !slashFollows(s, i)) {
          return -1;
        }
        loneLetterUnit = true;
      }
      afterSlash = false;
      if (MATH_WORDS.contains(word) || MULTIPLIERS.containsKey(word)) {
        return -1;
      }
      words++;
      i = afterExponent;
      lastEnd = i;
      if (words > 6) {
        return -1;
      }
    }
    if (words == 0) {
      return -1;
    }
    int j = lastEnd;
    while (j < n && s.charAt(j) == ' ') {
      j++;
    }
    boolean endsItem = j == n || ",;)]".indexOf(s.charAt(j)) >= 0 || s.startsWith("\\}", j);
    if (!endsItem) {
      return -1;
    }
    // Glued to the number, only a measurement unit is a unit: 35cm is 35, 5ab is 5·a·b.
    boolean glued = from < n && isAsciiLetter(s.charAt(from));
    return (glued || loneLetterUnit) && canonicalUnit(s.substring(from, lastEnd)) == null
        ? -1
        : lastEnd;
  }

  private static boolean slashFollows(String s, int at) {
    int j = at;
    while (j < s.length() && s.charAt(j) == ' ') {
      j++;
    }
    return j < s.length() && s.charAt(j) == '/';
  }

  /** "degrees" after a value is the degree mark, read like {@code ^\circ}. */
  private static boolean isDegreeUnit(String words) {
    return "degree".equals(canonicalUnit(words));
  }

  private static int unitExponentEnd(String s, int at) {
    if (at < s.length() && (s.charAt(at) == '²' || s.charAt(at) == '³')) {
      return at + 1;
    }
    Matcher m = UNIT_EXPONENT.matcher(s);
    m.region(at, s.length());
    return m.lookingAt() ? m.end() : at;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * One name for a measurement unit as written ({@code square centimeters} is {@code cm^2}, {@code
   * miles per hour} is {@code mi/h}); null when any part is not a measurement unit.
   */
  static String canonicalUnit(String written) {
    String u =
        UNIT_SPACES
            .matcher(
                written
                    .toLowerCase(Locale.ROOT)
                    .replace("²", "^2")
                    .replace("³", "^3")
                    .replace("{", "")
                    .replace("}", "")
                    .replace(" per ", "/"))
            .replaceAll(" ")
            .trim()
            .replace(" / ", "/");
    if (u.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String part : u.split("/")) {
      String power = "";
      String p = part.trim();
      if (p.startsWith("square ") || p.startsWith("sq ")) {
        power = "^2";
        p = p.substring(p.indexOf(' ') + 1);
      } else if (p.startsWith("cubic ")) {
        power = "^3";
        p = p.substring(6);
      }
      Matcher exponent = UNIT_EXPONENT.matcher(p);
      int caret = p.indexOf('^');
      if (caret > 0 && exponent.region(caret, p.length()).matches()) {
        power = "^" + p.charAt(Math.max(p.lastIndexOf('2'), p.lastIndexOf('3')));
        p = p.substring(0, caret).trim();
      }
      String name = MEASUREMENT_UNITS.get(p);
      if (name == null && p.endsWith("es")) {
        name = MEASUREMENT_UNITS.get(p.substring(0, p.length() - 2));
      }
      if (name == null && p.endsWith("s")) {
        name = MEASUREMENT_UNITS.get(p.substring(0, p.length() - 1));
      }
      if (name == null) {
        return null;
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(name).append(power);
    }
    return out.toString();
  }

  private static Map<String, String> measurementUnits() {
    Map<String, String> units = new HashMap<>();
    String[][] names = {
      {"mm", "millimeter", "millimetre"},
      {"cm", "centimeter", "centimetre"},
      {"m", "meter", "metre"},
      {"km", "kilometer", "kilometre"},
      {"in", "inch"},
      {"ft", "foot", "feet"},
      {"yd", "yard"},
      {"mi", "mile"},
      {"s", "sec", "second"},
      {"min", "minute"},
      {"h", "hr", "hour"},
      {"day"},
      {"week", "wk"},
      {"month"},
      {"year", "yr"},
      {"mg", "milligram"},
      {"g", "gram"},
      {"kg", "kilogram"},
      {"lb", "pound"},
      {"oz", "ounce"},
      {"ton", "tonne"},
      {"ml", "milliliter", "millilitre"},
      {"l", "liter", "litre"},
      {"gal", "gallon"},
      {"cup"},
      {"dollar"},
      {"cent"},
      {"degree", "deg"},
      {"mph"},
      {"kph"},
      {"radian", "rad"},
      {"celsius"},
      {"fahrenheit"}
    };
    for (String[] group : names) {
      for (String name : group) {
        units.put(name, group[0]);
      }
    }
    return Map.copyOf(units);
  }

  private static String stripTrailingPunctuation(String s) {
    int end = s.length();
    while (end > 0 && ".,;:!? ".indexOf(s.charAt(end - 1)) >= 0) {
      if (s.charAt(end - 1) == '!' && end >= 2 && endsOperand(s.charAt(end - 2))) {
        break; // 5!, n! and (n+1)! are factorials, not exclamations
      }
      end--;
    }
    int start = 0;
    while (start < end && s.charAt(start) == ':') {
      start++;
    }
    return s.substring(start, end).trim();
  }

  private static boolean endsOperand(char c) {
    return Character.isLetterOrDigit(c) || c == ')' || c == '}' || c == ']';
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
