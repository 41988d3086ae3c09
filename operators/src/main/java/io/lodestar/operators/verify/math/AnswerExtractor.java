package io.lodestar.operators.verify.math;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds candidate answers in free text, best first. The verifier parses candidates in order and
 * uses the first that parses, so a rule that finds unparseable text falls through to the next.
 *
 * <p>All scans are linear; regular expressions use no nested quantifiers.
 */
final class AnswerExtractor {

  /** Longest stretch after a marker ("the final answer is") that can hold the answer. */
  private static final int MAX_SEGMENT_CHARS = 300;

  static final Marker FINAL_ANSWER =
      new Marker("final", Pattern.compile("(?i)final\\s+answer\\s*(?:is|:)"));
  static final Marker ANSWER_PHRASE =
      new Marker("answer", Pattern.compile("(?i)\\banswer\\s*(?:is|:)|\\banswer\\*\\*\\s*:"));
  private static final String GSM8K_PREFIX = "####";
  private static final Pattern GSM8K_MARKER = Pattern.compile("####\\s*([^\\n]{1,100})");
  private static final Pattern FINAL_A_LINE =
      Pattern.compile("(?i)^\\s*\\**(?:a|answer)\\**\\s*:\\s*(.{1,200})$");

  /**
   * A number in prose: a time of day ({@code 12:00}, kept whole so that it is never read as its
   * minutes), a fraction ({@code 3/4}, kept whole so that it keeps its numerator), a number with
   * grouped thousands, or a plain or decimal number. Never part of a longer run of digits, letters,
   * colons or slashes.
   */
  private static final Pattern PLAIN_NUMBER =
      Pattern.compile(
          "(?<![A-Za-z0-9.,:/])(?:\\d{1,2}:[0-5]\\d(?![\\d:])|\\d+/[1-9]\\d*(?![\\d/,]|\\.\\d)"
              + "|[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?(?![\\d,])|[1-9]\\d{0,2}(?: \\d{3})+(?![\\d.,])"
              + "|\\d+(?:[.,]\\d+)?(?![\\d:])|\\.\\d+)");

  private static final Pattern COMMA_THOUSANDS =
      Pattern.compile("[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?");
  private static final Pattern LETTER_RUN = Pattern.compile("(?<![\\\\A-Za-z])[A-Za-z]{2,}");

  private AnswerExtractor() {}

  /**
   * An answer marker: a case-insensitive pattern whose every match starts with {@code literal}
   * (lower-case ASCII) and contains it nowhere else, so matches never overlap and the last one is
   * found by trying the pattern at the literal's occurrences from the end, without a regex scan of
   * the whole text.
   */
  record Marker(String literal, Pattern pattern) {}

  /** Which extraction rules to apply, mirroring Math-Verify's LaTeX and expression configs. */
  record Rules(boolean latex, boolean expression) {}

  /**
   * Candidates for a Math-Verify-style extraction: with LaTeX rules, boxed answers, then the text
   * after "final answer is", then LaTeX spans from last to first; with expression rules, the whole
   * text when it reads as a formula, then numbers from last to first.
   */
  static List<String> candidates(String text, Rules rules) {
    Set<String> out = new LinkedHashSet<>();
    if (rules.latex()) {
      boxed(text).ifPresent(out::add);
      afterLast(text, FINAL_ANSWER, out);
      List<String> spans = latexSpans(text);
      for (int i = spans.size() - 1; i >= 0; i--) {
        out.add(spans.get(i));
      }
    }
    if (rules.expression()) {
      // A text that is one number ("1,22", "0,111") is that number, not a list of two.
      Matcher whole = PLAIN_NUMBER.matcher(text.trim());
      if (whole.matches()) {
        out.add(numberText(text.trim(), whole));
      }
      wholeFormula(text).ifPresent(out::add);
      numbersLastFirst(text, out);
    }
    return new ArrayList<>(out);
  }

  /**
   * Candidates for a free-form model response, in this priority: boxed answers ({@code \boxed},
   * {@code \fbox}; several distinct boxes form a set), "final answer is …", "answer: …" / "answer
   * is …", the GSM8K marker {@code #### n}, a final {@code A: n} line, LaTeX spans from last to
   * first, numbers from last to first.
   */
  static Iterable<String> responseCandidates(String text) {
    return responseCandidates(text, text);
  }

  /**
   * As {@link #responseCandidates(String)}, boxes taken from {@code whole}, the rest from {@code
   * text}.
   */
  static Iterable<String> responseCandidates(String whole, String text) {
    // Stages run only when every earlier candidate failed to parse: most answers are settled by a
    // box or a marker, so scanning the whole text for LaTeX spans and numbers is usually skipped.
    List<Supplier<Collection<String>>> stages =
        List.of(
            () -> boxed(whole).map(List::of).orElse(List.of()),
            () -> collect(out -> afterLast(text, FINAL_ANSWER, out)),
            () -> collect(out -> afterLast(text, ANSWER_PHRASE, out)),
            () -> collect(out -> gsm8kMarker(text, out)),
            () -> collect(out -> finalAnswerLine(text, out)),
            () -> {
              List<String> spans = latexSpans(text);
              Collections.reverse(spans);
              return spans;
            },
            () -> collect(out -> numbersLastFirst(text, out)));
    return () -> new StagedCandidates(stages);
  }

  private static void gsm8kMarker(String text, Set<String> out) {
    int first = text.indexOf(GSM8K_PREFIX);
    if (first < 0) {
      return;
    }
    // Every match starts at an occurrence of the prefix, so the scan may start at the first one.
    Matcher gsm = GSM8K_MARKER.matcher(text).region(first, text.length());
    String lastMarker = null;
    while (gsm.find()) {
      lastMarker = gsm.group(1);
    }
    if (lastMarker != null) {
      out.add(lastMarker.trim());
      firstNumber(lastMarker, out);
    }
  }

  private static void finalAnswerLine(String text, Set<String> out) {
    Matcher aLine = FINAL_A_LINE.matcher(lastNonBlankLine(text));
    if (aLine.matches()) {
      out.add(aLine.group(1).trim());
      firstNumber(aLine.group(1), out);
    }
  }

  private static Collection<String> collect(Consumer<Set<String>> stage) {
    Set<String> out = new LinkedHashSet<>();
    stage.accept(out);
    return out;
  }

  /** Candidates stage by stage, each computed on demand, blanks and repeats skipped. */
  private static final class StagedCandidates implements Iterator<String> {
    private final Iterator<Supplier<Collection<String>>> stages;
    private final Set<String> seen = new HashSet<>();
    private Iterator<String> current = Collections.emptyIterator();
    private String next;

    StagedCandidates(List<Supplier<Collection<String>>> stages) {
      this.stages = stages.iterator();
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (current.hasNext()) {
          String candidate = current.next();
          if (!candidate.isBlank() && seen.add(candidate)) {
            next = candidate;
          }
        } else if (stages.hasNext()) {
          current = stages.next().get().iterator();
        } else {
          return false;
        }
      }
      return true;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String candidate = next;
      next = null;
      return candidate;
    }
  }

  /**
   * The last complete non-empty box, joined with the boxes before it that "and", "or" or a comma
   * link to it ({@code \boxed{2} and \boxed{5}}, {@code x=\boxed{-1}, x=\boxed{4}}) into a set.
   * Unlinked earlier boxes (a quoted {@code \boxed{}} placeholder, a first attempt) are not part of
   * the answer.
   */
  static Optional<String> boxed(String text) {
    if (text.indexOf("\\boxed") < 0 && text.indexOf("\\fbox") < 0) {
      return Optional.empty();
    }
    List<int[]> boxes = new ArrayList<>(); // {command start, content open brace, closing brace}
    int[] closing = LatexNormaliser.closingBraces(text);
    for (String command : new String[] {"\\boxed", "\\fbox"}) {
      int from = 0;
      while (true) {
        int at = text.indexOf(command, from);
        if (at < 0) {
          break;
        }
        int open = at + command.length();
        while (open < text.length() && text.charAt(open) == ' ') {
          open++;
        }
        int close = open < text.length() ? closing[open] : -1;
        if (close < 0) {
          from = open;
          continue; // unterminated: not an answer
        }
        if (!text.substring(open + 1, close).isBlank()) {
          boxes.add(new int[] {at, open, close});
        }
        from = close + 1;
      }
    }
    if (boxes.isEmpty()) {
      return Optional.empty();
    }
    boxes.sort((x, y) -> Integer.compare(x[0], y[0]));
    // Boxes nested in a box belong to it; only outermost boxes are answers.
    List<int[]> outer = new ArrayList<>();
    for (int[] box : boxes) {
      if (outer.isEmpty() || box[0] > outer.get(outer.size() - 1)[2]) {
        outer.add(box);
      }
    }
    int first = outer.size() - 1;
    while (first > 0 && linked(text, outer.get(first - 1)[2] + 1, outer.get(first)[0])) {
      first--;
    }
    Set<String> contents = new LinkedHashSet<>();
    for (int i = first; i < outer.size(); i++) {
      contents.add(text.substring(outer.get(i)[1] + 1, outer.get(i)[2]).trim());
    }
    if (contents.size() == 1) {
      return Optional.of(contents.iterator().next());
    }
    return Optional.of("\\{" + String.join(", ", contents) + "\\}");
  }

  private static final Pattern BOX_LINK =
      Pattern.compile(
          "(?i)(?:\\s|[$,;]|\\\\[()\\[\\]]|\\\\quad|\\band\\b|\\bor\\b|\\balso\\b"
              + "|[A-Za-z](?:_\\{?\\w{1,3}\\}?)?\\s*=)*+");
  private static final Pattern LINK_WORD = Pattern.compile("(?i),|\\band\\b|\\bor\\b");
  private static final int MAX_LINK_CHARS = 40;

  /** Whether the text between two boxes links them: "and", "or" or a comma, with at most "x =". */
  private static boolean linked(String text, int from, int to) {
    if (to - from > MAX_LINK_CHARS || to < from) {
      return false;
    }
    String between = text.substring(from, to);
    return BOX_LINK.matcher(between).matches() && LINK_WORD.matcher(between).find();
  }

  /**
   * LaTeX math spans in reading order: {@code $$…$$}, {@code \[…\]} (may span lines), {@code $…$}
   * and {@code \(…\)} (one line only, as in Math-Verify); {@code \$} is a dollar sign.
   */
  static List<String> latexSpans(String text) {
    List<String> spans = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char next = text.charAt(i + 1);
        if (next == '(' || next == '[') {
          String close = next == '(' ? "\\)" : "\\]";
          int end = text.indexOf(close, i + 2);
          if (end >= 0
              && (next == '['
                  || text.indexOf('\n', i + 2) < 0
                  || text.indexOf('\n', i + 2) > end)) {
            spans.add(text.substring(i + 2, end));
            i = end + 2;
            continue;
          }
        }
        i += 2; // skips \$ and \\ alike
        continue;
      }
      if (c == '$') {
        boolean display = i + 1 < n && text.charAt(i + 1) == '$';
        int start = i + (display ? 2 : 1);
        int end = closingDollar(text, start, display);
        if (end >= 0) {
          spans.add(text.substring(start, end));
          i = end + (display ? 2 : 1);
          continue;
        }
        i = start;
        continue;
      }
      i++;
    }
    spans.removeIf(String::isBlank);
    return spans;
  }

  private static int closingDollar(String text, int from, boolean display) {
    for (int j = from; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '\\') {
        j++;
      } else if (c == '\n' && !display) {
        return -1;
      } else if (c == '$') {
        if (!display) {
          return j;
        }
        if (j + 1 < text.length() && text.charAt(j + 1) == '$') {
          return j;
        }
      }
    }
    return -1;
  }

  /** The text after the last match of {@code marker}: a LaTeX span right there, else the line. */
  private static void afterLast(String text, Marker marker, Set<String> out) {
    int end = lastMarkerEnd(text, marker);
    if (end < 0) {
      return;
    }
    String rest = text.substring(end, Math.min(text.length(), end + MAX_SEGMENT_CHARS));
    int skip = 0;
    while (skip < rest.length()
        && (Character.isWhitespace(rest.charAt(skip)) || ":*\"'".indexOf(rest.charAt(skip)) >= 0)) {
      skip++;
    }
    String trimmed = rest.substring(skip);
    List<String> spans = latexSpans(trimmed);
    if (!spans.isEmpty()
        && (trimmed.startsWith("$") || trimmed.startsWith("\\(") || trimmed.startsWith("\\["))) {
      out.add(spans.get(0));
    }
    String sentence = firstSentence(trimmed);
    if (sentence.isBlank()) {
      return;
    }
    if (!isProse(sentence)) {
      out.add(sentence);
      firstNumber(sentence, out);
      return;
    }
    if (HEDGE.matcher(sentence).find()) {
      // "It is 5 or 6" commits to neither: kept whole, it reads as no number at all.
      out.add(sentence);
      return;
    }
    // "Final Answer: The total is 42 stamps." is prose: its words are not a product of letters.
    for (String span : latexSpans(sentence)) {
      out.add(span);
    }
    valueInProse(sentence, out);
  }

  private static final Pattern HEDGE =
      Pattern.compile("(?i)\\d[^\\d]{0,40}\\bor\\b[^\\d]{0,40}\\d");
  private static final Pattern DOLLAR_SPAN = Pattern.compile("\\$[^$\n]*\\$");
  private static final Pattern PROSE_WORD = Pattern.compile("(?<![\\\\A-Za-z])[A-Za-z]{2,}");

  /** Two-letter words that are grammar, never a product of two variables in an answer. */
  private static final Set<String> SHORT_WORDS =
      Set.of("is", "it", "of", "to", "be", "an", "at", "by", "so", "we", "if", "as", "on");

  private static final Set<String> FORMULA_WORDS =
      Set.of(
          "and", "sin", "cos", "tan", "sec", "csc", "cot", "log", "exp", "sqrt", "frac", "dfrac",
          "text", "cdot", "times", "infty", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
          "pmatrix", "bmatrix");
  private static final Pattern STATED_VALUE =
      Pattern.compile("(?i)(?:\\bis\\b|\\bare\\b|\\bequals?\\b|\\bbe\\b|=)");

  /**
   * Whether a segment holds words: three letters or more that are not commands or function names,
   * or a two-letter grammar word ("it is 5").
   */
  static boolean isProse(String segment) {
    // Units after a value ("9 apples") are not prose; the normaliser drops them.
    String outsideMath =
        LatexNormaliser.dropUnitWords(DOLLAR_SPAN.matcher(segment).replaceAll(" "), null);
    Matcher m = PROSE_WORD.matcher(outsideMath);
    while (m.find()) {
      String word = m.group().toLowerCase(Locale.ROOT);
      if (word.length() == 2 ? SHORT_WORDS.contains(word) : !FORMULA_WORDS.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The number a prose sentence states: the first after its last "is", "=", "equals", else its
   * last.
   */
  private static void valueInProse(String sentence, Set<String> out) {
    Matcher stated = STATED_VALUE.matcher(sentence);
    int after = -1;
    while (stated.find()) {
      after = stated.end();
    }
    if (after >= 0) {
      Matcher m =
          PLAIN_NUMBER
              .matcher(sentence)
              .region(after, sentence.length())
              .useTransparentBounds(true);
      if (m.find()) {
        out.add(numberText(sentence, m));
        return;
      }
    }
    List<String> numbers = new ArrayList<>();
    numbersLastFirst(sentence, numbers);
    if (!numbers.isEmpty()) {
      out.add(numbers.get(0));
    }
  }

  /** Where the last match of {@code marker} ends, or -1 when there is none. */
  static int lastMarkerEnd(String text, Marker marker) {
    // Transparent bounds: \b at the region's start still sees the character before it.
    Matcher m = marker.pattern().matcher(text).useTransparentBounds(true);
    String literal = marker.literal();
    char first = literal.charAt(0);
    for (int at = text.length() - literal.length(); at >= 0; at--) {
      // (c | 0x20) folds ASCII upper case onto lower case; (?i) without UNICODE_CASE folds nothing
      // else.
      if ((text.charAt(at) | 0x20) == first
          && text.regionMatches(true, at, literal, 0, literal.length())
          && m.region(at, text.length()).lookingAt()) {
        return m.end();
      }
    }
    return -1;
  }

  private static String firstSentence(String s) {
    int end = s.indexOf('\n');
    if (end < 0) {
      end = s.length();
    }
    for (int i = 0; i < end; i++) {
      if (s.charAt(i) == '.' && (i + 1 >= end || Character.isWhitespace(s.charAt(i + 1)))) {
        return s.substring(0, i);
      }
    }
    return s.substring(0, end);
  }

  private static String lastNonBlankLine(String text) {
    int end = text.length();
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    int start = text.lastIndexOf('\n', end - 1) + 1;
    return text.substring(start, end);
  }

  /** The whole text, when it is a formula rather than prose (no words outside commands). */
  private static Optional<String> wholeFormula(String text) {
    String s = text.trim();
    if (s.isEmpty() || s.length() > MAX_SEGMENT_CHARS || LETTER_RUN.matcher(s).find()) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  private static void firstNumber(String segment, Set<String> out) {
    Matcher m = PLAIN_NUMBER.matcher(segment);
    if (m.find()) {
      out.add(numberText(segment, m));
    }
  }

  private static void numbersLastFirst(String text, Collection<String> out) {
    Matcher m = PLAIN_NUMBER.matcher(text);
    List<String> numbers = new ArrayList<>();
    while (m.find()) {
      numbers.add(numberText(text, m));
    }
    for (int i = numbers.size() - 1; i >= 0; i--) {
      out.add(numbers.get(i));
    }
  }

  /**
   * A plain-text number made canonical: grouping commas and spaces removed, a lone decimal comma
   * made a point ({@code 2,74}), and a minus sign kept when it is a sign, not a subtraction.
   */
  private static String numberText(String text, Matcher m) {
    String digits = m.group();
    if (digits.indexOf(',') >= 0) {
      digits =
          COMMA_THOUSANDS.matcher(digits).matches()
              ? digits.replace(",", "")
              : digits.replace(',', '.');
    }
    digits = digits.replace(" ", "");
    int before = m.start() - 1;
    if (before >= 0 && (text.charAt(before) == '-' || text.charAt(before) == '−')) {
      int prev = before - 1;
      while (prev >= 0 && text.charAt(prev) == ' ') {
        prev--;
      }
      boolean operandBefore =
          prev >= 0 && (Character.isLetterOrDigit(text.charAt(prev)) || text.charAt(prev) == ')');
      if (operandBefore
          && Character.isLetter(text.charAt(prev))
          && prev >= 1
          && Character.isLetter(text.charAt(prev - 1))) {
        operandBefore = false; // a word ("equals -4"), not a variable ("x - 4")
      }
      if (!operandBefore) {
        digits = "-" + digits;
      }
    }
    return digits;
  }
}
