package io.lodestar.operators.reward.remote;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The content test behind {@link JudgeGuard}: what is left of a response once everything that
 * carries no answer is taken away. Pure, stateless and linear in the response's length.
 *
 * <p>Taken away, in this order:
 *
 * <ol>
 *   <li><b>Chat-template tokens</b>: {@code <|im_start|>assistant}, {@code <|eot_id|>}, any other
 *       {@code <|name|>} (full-width bars too), {@code <s>}, {@code [INST]}, {@code <<SYS>>},
 *       {@code <start_of_turn>model}, ...
 *   <li><b>Reasoning blocks</b>: {@code <think>}, {@code <thinking>}, {@code <reasoning>}, {@code
 *       <reflection>}, ... with what they hold. An unclosed opening tag hides the rest (a model cut
 *       off while reasoning has not answered); a closing tag without an opening one hides what came
 *       before it (templates that put the opening tag in the prompt).
 *   <li><b>Step labels and list numbers</b>: "Step 1:", "Schritt 2", "Étape 3 :", "Шаг 1.", "Passo
 *       1", "Krok 2", "Bước 1", "1단계", "第一步", "ステップ1", ..., and the numbers of a numbered list
 *       ("1.", "2)" at the start of lines, counting up from 1) - a label's number is not an answer.
 *   <li><b>Markup</b>: HTML-like tags ({@code <answer>}, {@code <b>}), code-fence language names,
 *       link targets, LaTeX environments and formatting commands ({@code \boxed}, {@code \text},
 *       {@code \left}, {@code \quad}, ...) and any command left with only empty arguments ({@code
 *       \boxed{}}, {@code \frac{}{}}). Other commands ({@code \pi}) count as content.
 *   <li><b>Punctuation, symbols and whitespace</b>: only letters and digits make words.
 *   <li><b>Labels</b>: up to three words without digits that end at a colon ("Answer:", "Réponse
 *       finale :", "解题思路：") - a label announces content, it is none.
 *   <li><b>Scaffolding vocabulary</b> ({@link ScaffoldLexicon}): function words, discourse markers
 *       and the vocabulary of reasoning about a task, in seventeen languages (see the resource),
 *       also with the grammatical endings some languages attach ({@code 정답은}). In Han/kana runs the
 *       longest entry wins; unmatched hiragana is grammar.
 * </ol>
 *
 * <p>What remains are the <b>content words</b>; the response's <b>substance</b> is the number of
 * letters and digits in them ({@code ∞} and {@code ∅} count as well). The rule does not depend on
 * the language beyond the vocabulary list: an unknown word always counts as content, so an answer
 * in any language or script is judged.
 */
final class ResponseSubstance {

  /** Start-of-turn tokens with the role name that follows them. */
  private static final Pattern TURN_START =
      Pattern.compile(
          "(?i)(?:<\\|im_start\\|>|<\\|start_header_id\\|>|<start_of_turn>)\\s*"
              + "(?:system|user|assistant|model|human|bot|ai|tool|gpt|developer)?(?![\\p{L}\\p{N}])(?:\\s*<\\|end_header_id\\|>)?");

  private static final Pattern THOUGHT_TOKENS =
      Pattern.compile("(?i)<\\|(begin|end)_of_thought\\|>");
  private static final Pattern TEMPLATE_TOKEN =
      Pattern.compile(
          "(?i)<\\|[^|<>\\n]{1,48}\\|>|</?s>|<unk>|<pad>|</?bos>|</?eos>|<(?:start|end)_of_turn>|<\\|?endoftext\\|?>"
              + "|\\[/?INST]|<</?SYS>>|\\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|TOOL_CONTENT)]");
  private static final Pattern REASONING_TAG =
      Pattern.compile(
          "(?i)<\\s*(/?)\\s*(?:think|thinking|thought|thoughts|reasoning|reason|reflection|scratchpad|inner_monologue)"
              + "(?:\\s[^<>]{0,100})?>");
  private static final String WORD_EDGE_BEFORE = "(?<![\\p{L}\\p{N}])";
  private static final String WORD_EDGE_AFTER = "(?![\\p{L}\\p{N}])";
  private static final Pattern STEP_LABEL =
      Pattern.compile(
          "(?iu)"
              + WORD_EDGE_BEFORE
              + "(?:step|schritt|étape|etape|paso|шаг|этап|part|teil|partie|parte|часть|stage|phase|case|question|frage"
              + "|pregunta|вопрос|problem|aufgabe|problème|probleme|problema|задача|exercise|übung|ejercicio|exercice"
              + "|упражнение|task|passo|passaggio|fase|etapa|stap|krok|etap|zadanie|adım|adim|bước|buoc|langkah"
              + "|tahap|soal|الخطوة|خطوة|चरण|단계|문제)"
              + "\\s*(?:#|no\\.|nr\\.|n°|№)?\\s*\\(?(?:\\d{1,3}|[ivx]{1,4})\\)?"
              + WORD_EDGE_AFTER
              + "|第\\s*[0-9一二三四五六七八九十百]+\\s*(?:个步骤|步骤|步|部分|题|題|問|ステップ)"
              + "|(?:步骤|ステップ|手順)\\s*[0-9一二三四五六七八九十]+"
              + "|"
              + WORD_EDGE_BEFORE
              + "\\d{1,3}\\s*(?:단계|번째\\s*단계)");

  /**
   * A list item's number at the start of a line ("1.", "2)", "(3)"), after any quote, heading or
   * bullet marks and tags, with text after it on the line. Only a list counts: the first marker is
   * 1, each next one the number after the last, so "42. That is the total." keeps its 42.
   */
  private static final Pattern LIST_MARKER =
      Pattern.compile(
          "(?m)^((?:[ \\t>*+#-]|<[A-Za-z][A-Za-z0-9_-]{0,30}>)*)(?:\\((\\d{1,3})\\)|(\\d{1,3})[.)])(?=[ \\t]+\\S)");

  private static final Pattern HTML_TAG =
      Pattern.compile("</?[A-Za-z][A-Za-z0-9_:-]{0,30}(?:\\s[^<>\\n]{0,200})?/?>");
  private static final Pattern CODE_FENCE =
      Pattern.compile("(?:```+|~~~+)[ \\t]*[A-Za-z0-9_+#.-]{0,30}");
  private static final Pattern LINK_TARGET = Pattern.compile("]\\([^)\\s]{0,500}\\)");
  private static final Pattern LATEX_ENVIRONMENT =
      Pattern.compile("\\\\(?:begin|end)\\s*\\{[^{}\\n]{0,40}}");
  private static final Pattern LATEX_WITH_DROPPED_ARGUMENT =
      Pattern.compile(
          "\\\\(?:label|tag|ref|eqref|color|textcolor|hspace|vspace|phantom|hphantom|vphantom)\\*?\\s*\\{[^{}\\n]{0,60}}");
  private static final Pattern LATEX_EMPTY_ARGUMENTS =
      Pattern.compile("\\\\[A-Za-z]+\\*?(?:\\s*(?:\\{\\s*}|\\[\\s*]))+");
  private static final Pattern LATEX_FORMATTING =
      Pattern.compile(
          "\\\\(?:boxed|fbox|framebox|text|textbf|textit|textrm|textsf|texttt|textup|textnormal|textsc|mathrm|mathbf"
              + "|mathit|mathsf|mathtt|mathbb|mathcal|mathfrak|mathscr|mathnormal|boldsymbol|bm|pmb|emph|underline"
              + "|displaystyle|textstyle|scriptstyle|scriptscriptstyle|left|right|middle|bigl|bigr|Bigl|Bigr|biggl"
              + "|biggr|Biggl|Biggr|big|Big|bigg|Bigg|quad|qquad|enspace|thinspace|medspace|thickspace|negthinspace"
              + "|hfill|vfill|noindent|indent|newline|linebreak|pagebreak|par|item|section|subsection|subsubsection"
              + "|paragraph|hline|centering|small|normalsize|large|Large|LARGE|huge|Huge|footnotesize|scriptsize|tiny"
              + "|limits|nolimits|ensuremath|notag|nonumber|cdots|ldots|dots|dotsc|dotsb|vdots|ddots|blacksquare"
              + "|square|Box|qed|qedsymbol|checkmark|therefore|because|implies|Rightarrow|Longrightarrow|rightarrow"
              + "|to|iff|hence)(?![A-Za-z])\\*?");
  private static final Pattern LATEX_ESCAPE = Pattern.compile("\\\\(?=[^A-Za-z])");
  private static final int MAX_LABEL_WORDS = 3;

  private ResponseSubstance() {}

  // ------------------------------------------------------------------ public surface of the rule

  /**
   * The response as an answer extractor should see it: width-normalised (NFKC), without template
   * tokens, reasoning blocks and step labels. Markup and wording stay.
   */
  static String visibleAnswer(String response) {
    if (response == null) {
      return "";
    }
    String text = Normalizer.normalize(response, Normalizer.Form.NFKC);
    if (text.indexOf('<') >= 0 || text.indexOf('[') >= 0) {
      text =
          THOUGHT_TOKENS
              .matcher(text)
              .replaceAll(m -> m.group(1).equalsIgnoreCase("begin") ? "<think>" : "</think>");
      text = TURN_START.matcher(text).replaceAll("\n");
      text = TEMPLATE_TOKEN.matcher(text).replaceAll("\n");
      text = withoutReasoning(text);
    }
    return withoutListNumbers(STEP_LABEL.matcher(text).replaceAll(" "));
  }

  private static String withoutListNumbers(String text) {
    Matcher m = LIST_MARKER.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int last = 0;
    int from = 0;
    do {
      int number = Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(3));
      if (number == 1 || number == last + 1) {
        out.append(text, from, m.start()).append(m.group(1)).append(' ');
        from = m.end();
        last = number;
      }
    } while (m.find());
    return out.append(text, from, text.length()).toString();
  }

  /** The content words of a response (see the class comment). */
  static List<String> contentWords(String response) {
    return contentWordsOf(visibleAnswer(response));
  }

  /** The content words of text that is already visible (an extracted answer, say). */
  static List<String> contentWordsOf(String visible) {
    return content(words(withoutMarkup(visible), true), ScaffoldLexicon.DEFAULT);
  }

  /** Letters and digits in the response's content words. */
  static int substance(String response) {
    return lettersAndDigits(contentWords(response));
  }

  static int lettersAndDigits(List<String> words) {
    int n = 0;
    for (String w : words) {
      n += (int) w.codePoints().filter(ResponseSubstance::isWordPart).count();
    }
    return n;
  }

  // ------------------------------------------------------------------ stripping

  private static String withoutReasoning(String text) {
    Matcher m = REASONING_TAG.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder visible = new StringBuilder(text.length());
    boolean thinking = false;
    int from = 0;
    do {
      boolean closing = !m.group(1).isEmpty();
      if (!thinking) {
        visible.append(text, from, m.start());
      }
      if (closing && !thinking) {
        visible.setLength(0);
      }
      thinking = !closing;
      from = m.end();
    } while (m.find());
    if (!thinking) {
      visible.append(text, from, text.length());
    }
    return visible.toString();
  }

  static String withoutMarkup(String text) {
    String t = text;
    if (t.indexOf('<') >= 0) {
      t = HTML_TAG.matcher(t).replaceAll(" ");
    }
    if (t.indexOf('`') >= 0 || t.indexOf('~') >= 0) {
      t = CODE_FENCE.matcher(t).replaceAll(" ");
    }
    if (t.indexOf("](") >= 0) {
      t = LINK_TARGET.matcher(t).replaceAll("] ");
    }
    if (t.indexOf('\\') >= 0) {
      t = LATEX_ENVIRONMENT.matcher(t).replaceAll(" ");
      t = LATEX_WITH_DROPPED_ARGUMENT.matcher(t).replaceAll(" ");
      // \boxed{\text{}} empties in two rounds; deeper nests of empty commands are not worth more.
      for (int round = 0; round < 4; round++) {
        String next = LATEX_EMPTY_ARGUMENTS.matcher(t).replaceAll(" ");
        if (next.equals(t)) {
          break;
        }
        t = next;
      }
      t = LATEX_FORMATTING.matcher(t).replaceAll(" ");
      t = LATEX_ESCAPE.matcher(t).replaceAll(" ");
    }
    return t;
  }

  // ------------------------------------------------------------------ words

  /** A word as written (after NFKC), its matching key, and how it stands in the text. */
  record Word(String written, String key, boolean cjk, boolean elided, boolean label) {}

  /** The words of a lexicon entry, as keys. */
  static String[] words(String entry) {
    return words(Normalizer.normalize(entry, Normalizer.Form.NFKC), false).stream()
        .map(Word::key)
        .toArray(String[]::new);
  }

  /**
   * Splits text into runs of letters and digits. A run changes word where the script changes
   * between Han/kana and anything else, and at apostrophes (both sides are then "elided"). With
   * {@code labels}, up to {@value #MAX_LABEL_WORDS} digit-free words between a boundary (line or
   * sentence end, comma, colon, start) and a colon that ends a phrase are marked as a label.
   */
  static List<Word> words(String text, boolean labels) {
    List<Word> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean currentCjk = false;
    boolean elided = false;
    int sinceBoundary = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      int next = i + width < n ? text.codePointAt(i + width) : -1;
      if (isWordPart(cp)) {
        boolean cjk = isCjk(cp);
        if (current.length() > 0 && cjk != currentCjk) {
          out.add(word(current, currentCjk, elided, false));
          elided = false;
          sinceBoundary++;
        }
        currentCjk = cjk;
        current.appendCodePoint(cp);
      } else if (isApostrophe(cp)
          && current.length() > 0
          && next >= 0
          && Character.isLetter(next)) {
        out.add(word(current, currentCjk, true, false));
        elided = true;
        sinceBoundary++;
      } else {
        if (current.length() > 0) {
          out.add(word(current, currentCjk, elided, false));
          elided = false;
          sinceBoundary++;
        }
        if (labels && cp == ':' && isPhraseColon(next)) {
          markLabel(out, sinceBoundary);
          sinceBoundary = 0;
        } else if (isBoundary(cp)) {
          sinceBoundary = 0;
        }
      }
      i += width;
    }
    if (current.length() > 0) {
      out.add(word(current, currentCjk, elided, false));
    }
    return out;
  }

  private static Word word(StringBuilder current, boolean cjk, boolean elided, boolean label) {
    String written = current.toString();
    current.setLength(0);
    return new Word(written, key(written), cjk, elided, label);
  }

  private static void markLabel(List<Word> out, int count) {
    if (count < 1 || count > MAX_LABEL_WORDS) {
      return;
    }
    int start = out.size() - count;
    for (int k = start; k < out.size(); k++) {
      if (out.get(k).written().codePoints().anyMatch(Character::isDigit)) {
        return;
      }
    }
    for (int k = start; k < out.size(); k++) {
      Word w = out.get(k);
      out.set(k, new Word(w.written(), w.key(), w.cjk(), w.elided(), true));
    }
  }

  /** A colon that ends a phrase ("Answer: 42", "Answer:"), not one inside "12:30" or "http://". */
  private static boolean isPhraseColon(int next) {
    return next < 0 || !(Character.isLetterOrDigit(next) || next == '/');
  }

  private static boolean isBoundary(int cp) {
    return cp == '\n'
        || cp == '.'
        || cp == '!'
        || cp == '?'
        || cp == ';'
        || cp == ','
        || cp == '。'
        || cp == '、'
        || cp == '！'
        || cp == '？'
        || cp == '；'
        || cp == '，';
  }

  private static boolean isApostrophe(int cp) {
    return cp == '\'' || cp == '\u2019' || cp == '\u2018' || cp == '\u02BC';
  }

  private static boolean isWordPart(int cp) {
    if (Character.isLetterOrDigit(cp) || cp == '∞' || cp == '∅') {
      return true; // infinity and the empty set are whole answers on their own
    }
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
  }

  static boolean isCjk(int cp) {
    if (cp == 0x30FC || cp == 0x3005) {
      return true; // the prolonged sound mark and the iteration mark belong to the word around them
    }
    UnicodeScript script = UnicodeScript.of(cp);
    return script == UnicodeScript.HAN
        || script == UnicodeScript.HIRAGANA
        || script == UnicodeScript.KATAKANA;
  }

  /**
   * The matching key: lower case, accents removed, {@code ß} as {@code ss}. In scripts whose marks
   * are vowels rather than accents (Devanagari, Thai, ...), marks stay: {@code के} is not {@code
   * क}.
   */
  static String key(String written) {
    if (written.chars().allMatch(c -> c < 0x80)) {
      return written.toLowerCase(Locale.ROOT);
    }
    String lower = Normalizer.normalize(written, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    String decomposed = Normalizer.normalize(lower, Normalizer.Form.NFKD);
    StringBuilder sb = new StringBuilder(decomposed.length());
    UnicodeScript base = UnicodeScript.COMMON;
    for (int i = 0; i < decomposed.length(); ) {
      int cp = decomposed.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.getType(cp) != Character.NON_SPACING_MARK) {
        base = UnicodeScript.of(cp);
        sb.appendCodePoint(cp);
      } else if (marksAreLetters(base)) {
        sb.appendCodePoint(cp);
      }
    }
    return Normalizer.normalize(sb, Normalizer.Form.NFC).replace("ß", "ss");
  }

  private static boolean marksAreLetters(UnicodeScript script) {
    return switch (script) {
      case DEVANAGARI,
          BENGALI,
          GURMUKHI,
          GUJARATI,
          ORIYA,
          TAMIL,
          TELUGU,
          KANNADA,
          MALAYALAM,
          SINHALA,
          THAI,
          LAO,
          TIBETAN,
          MYANMAR,
          KHMER ->
          true;
      default -> false;
    };
  }

  // ------------------------------------------------------------------ what is left

  static List<String> content(List<Word> words, ScaffoldLexicon lexicon) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < words.size()) {
      Word w = words.get(i);
      if (w.label()) {
        i++;
        continue;
      }
      if (w.cjk()) {
        cjkContent(w.key(), lexicon, out);
        i++;
        continue;
      }
      int phrase = phraseLength(words, i, lexicon);
      if (phrase > 0) {
        i += phrase;
        continue;
      }
      boolean scaffold =
          w.written().codePoints().noneMatch(Character::isDigit)
              && (lexicon.isScaffoldWord(w.written(), w.key())
                  || (w.elided() && lexicon.isElision(w.key())));
      if (!scaffold) {
        out.add(w.written());
      }
      i++;
    }
    return out;
  }

  private static int phraseLength(List<Word> words, int at, ScaffoldLexicon lexicon) {
    for (String[] phrase : lexicon.phrasesStartingWith(words.get(at).key())) {
      if (at + phrase.length > words.size()) {
        continue;
      }
      boolean all = true;
      for (int k = 1; k < phrase.length && all; k++) {
        all = words.get(at + k).key().equals(phrase[k]);
      }
      if (all) {
        return phrase.length;
      }
    }
    return 0;
  }

  /** Segmentation costs: content weighs most, then grammar, then nothing. */
  private static final int CONTENT_COST = 1_000;

  private static final int GRAMMAR_COST = 1;

  /**
   * Segments a Han/kana run so that as little as possible is left as content: lexicon scaffolding
   * costs nothing, an unmatched hiragana character is grammar (almost nothing), any other unmatched
   * character is content; an answer word ("はい") costs nothing but stays content. So "最终答案是" splits
   * as 最终 + 答案是 and leaves nothing, while "是的" keeps 是 and "はい" stays.
   */
  private static void cjkContent(String run, ScaffoldLexicon lexicon, List<String> out) {
    int n = run.length();
    int[] cost = new int[n + 1];
    // How the cheapest segmentation goes on from i: chars taken, and whether they stay content.
    int[] taken = new int[n + 1];
    boolean[] kept = new boolean[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      if (Character.isLowSurrogate(run.charAt(i))
          && i > 0
          && Character.isHighSurrogate(run.charAt(i - 1))) {
        cost[i] = Integer.MAX_VALUE / 2; // the middle of a character is never a place to start
        continue;
      }
      int cp = run.codePointAt(i);
      int width = Character.charCount(cp);
      boolean hiragana = UnicodeScript.of(cp) == UnicodeScript.HIRAGANA;
      cost[i] = (hiragana ? GRAMMAR_COST : CONTENT_COST) + cost[i + width];
      taken[i] = width;
      kept[i] = !hiragana;
      long matches = lexicon.cjkMatches(run, i);
      for (int len = 1; matches >>> (2 * len) != 0; len++) {
        long bits = (matches >>> (2 * len)) & 3L;
        if (bits != 0 && cost[i + len] < cost[i]) {
          cost[i] = cost[i + len];
          taken[i] = len;
          kept[i] = (bits & 2L) != 0;
        }
      }
    }
    StringBuilder content = new StringBuilder();
    int i = 0;
    while (i < n) {
      if (kept[i]) {
        content.append(run, i, i + taken[i]);
      } else if (content.length() > 0) {
        out.add(content.toString());
        content.setLength(0);
      }
      i += taken[i];
    }
    if (content.length() > 0) {
      out.add(content.toString());
    }
  }
}
