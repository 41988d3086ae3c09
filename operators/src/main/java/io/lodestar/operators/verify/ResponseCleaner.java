package io.lodestar.operators.verify;

/**
 * Reduces a raw model response to the text an answer may be taken from: reasoning sections and
 * chat-template tokens removed, only the tail kept. Every step is a single linear pass.
 */
public final class ResponseCleaner {

  private static final String THINK_OPEN = "<think>";
  private static final String THINK_CLOSE = "</think>";

  /** Longest special token we recognise, e.g. {@code <|start_header_id|>}. */
  private static final int MAX_SPECIAL_TOKEN_CHARS = 48;

  /** GSM8K calculator annotations such as {@code <<16-3=13>>} are short and single-line. */
  private static final int MAX_ANNOTATION_CHARS = 100;

  private ResponseCleaner() {}

  /**
   * The part of {@code response} that answer extraction examines: the last {@code maxChars}
   * characters left after removing reasoning, special tokens and calculator annotations.
   */
  public static String examinedText(String response, int maxChars) {
    // Tags, special tokens and annotations all start with '<'; most responses have none.
    String visible =
        response.indexOf('<') < 0 ? response : removeSpecialTokens(removeThinking(response));
    return removeCalculatorAnnotations(lastChars(visible, maxChars));
  }

  /**
   * Drops {@code <think>...</think>} sections (tags matched case-insensitively).
   *
   * <ul>
   *   <li>A {@code <think>} never closed hides everything after it: a model cut off while reasoning
   *       has not committed to an answer, and the numbers it was trying are not one.
   *   <li>A {@code </think>} without an opening tag drops everything before it: templates such as
   *       DeepSeek-R1's put the opening tag in the prompt, so the response starts mid-reasoning.
   * </ul>
   */
  static String removeThinking(String text) {
    StringBuilder visible = new StringBuilder(Math.min(text.length(), 1 << 16));
    boolean thinking = false;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '<' && text.regionMatches(true, i, THINK_OPEN, 0, THINK_OPEN.length())) {
        thinking = true;
        i += THINK_OPEN.length();
        continue;
      }
      if (c == '<' && text.regionMatches(true, i, THINK_CLOSE, 0, THINK_CLOSE.length())) {
        if (!thinking) {
          visible.setLength(0);
        }
        thinking = false;
        i += THINK_CLOSE.length();
        continue;
      }
      if (!thinking) {
        visible.append(c);
      }
      i++;
    }
    return visible.toString();
  }

  /**
   * Replaces chat-template tokens ({@code <|im_end|>}, {@code <|eot_id|>}, {@code <|endoftext|>},
   * any other {@code <|name|>}, and {@code <s>}/{@code </s>}) by a line break, so that a final
   * {@code A: 7<|im_end|>} still reads as a final line.
   */
  static String removeSpecialTokens(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int n = text.length();
    int i = 0;
    while (i < n) {
      int tokenEnd = text.charAt(i) == '<' ? specialTokenEnd(text, i) : -1;
      if (tokenEnd > 0) {
        out.append('\n');
        i = tokenEnd;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static int specialTokenEnd(String text, int at) {
    if (text.startsWith("</s>", at)) {
      return at + 4;
    }
    if (text.startsWith("<s>", at)) {
      return at + 3;
    }
    if (!text.startsWith("<|", at)) {
      return -1;
    }
    int limit = Math.min(text.length() - 1, at + MAX_SPECIAL_TOKEN_CHARS);
    for (int i = at + 2; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '|' && text.charAt(i + 1) == '>') {
        return i > at + 2 ? i + 2 : -1;
      }
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        return -1;
      }
    }
    return -1;
  }

  /** Keeps the tail, where final answers are, without splitting a surrogate pair. */
  public static String lastChars(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    int start = text.length() - maxChars;
    if (Character.isLowSurrogate(text.charAt(start))) {
      start++;
    }
    return text.substring(start);
  }

  /**
   * Drops GSM8K calculator annotations ({@code = <<2*9=18>>18}): they repeat the number that
   * follows them, and a truncated solution ending inside one must not offer its operands as the
   * answer.
   */
  static String removeCalculatorAnnotations(String text) {
    int first = text.indexOf("<<");
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    out.append(text, 0, first);
    int n = text.length();
    int i = first;
    while (i < n) {
      int end = text.startsWith("<<", i) ? annotationEnd(text, i) : -1;
      if (end > 0) {
        i = end;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static int annotationEnd(String text, int at) {
    int limit = Math.min(text.length() - 1, at + 2 + MAX_ANNOTATION_CHARS);
    boolean hasEquals = false;
    for (int i = at + 2; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '>' && text.charAt(i + 1) == '>') {
        return hasEquals ? i + 2 : -1;
      }
      if (c == '<' || c == '>' || c == '\n') {
        return -1;
      }
      hasEquals |= c == '=';
    }
    return -1;
  }
}
