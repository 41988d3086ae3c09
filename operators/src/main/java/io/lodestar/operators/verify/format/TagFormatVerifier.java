package io.lodestar.operators.verify.format;

import io.lodestar.operators.verify.Verifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Scores whether a response is laid out in tagged sections, by default {@code
 * <think>...</think><answer>...</answer>}. Three variants:
 *
 * <ul>
 *   <li>{@link #strict}: the whole response must be {@code <t1>\n...\n</t1>\n<t2>\n...\n</t2>} for
 *       the configured tags, in order, and nothing else (1 or 0). This is open-r1's format reward,
 *       except that text after the last closing tag fails here: open-r1's multiline {@code $} lets
 *       a trailing line through.
 *   <li>{@link #strictWithCodeFence}: as strict, and the last section must also contain a fenced
 *       block opened by {@code ```<language>} and closed by {@code ```} (open-r1's code format
 *       reward).
 *   <li>{@link #tagCount}: partial credit, one equal share per tag marker that occurs exactly once
 *       ({@code <t1>\n} for the first opening tag, {@code \n<ti>\n} for the others, {@code
 *       \n</ti>\n} for closing tags but {@code \n</tk>} for the last). With two tags each share is
 *       0.25, as open-r1's tag count reward.
 * </ul>
 *
 * <p>Matching uses plain substring search, no regular expressions, so any input is checked in
 * linear time. Stateless and thread-safe; {@link #verify} never throws.
 */
public final class TagFormatVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String VERSION = "tag-format/1";

  /** The component names of the three variants. */
  public static final String FORMAT = "format";

  public static final String CODE_FORMAT = "code_format";
  public static final String TAG_COUNT = "tag_count";
  public static final List<String> THINK_ANSWER = List.of("think", "answer");

  private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*+");
  private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z0-9_+#.-]++");

  /** How the layout is scored. */
  public enum Mode {
    STRICT,
    TAG_COUNT
  }

  private final List<String> tags;
  private final Mode mode;

  /** Language a strict layout's last section must fence code in; null when not required. */
  private final String codeLanguage;

  private TagFormatVerifier(List<String> tags, Mode mode, String codeLanguage) {
    if (tags == null || tags.isEmpty()) {
      throw new IllegalArgumentException("at least one tag is required");
    }
    for (String tag : tags) {
      if (tag == null || !TAG_NAME.matcher(tag).matches()) {
        throw new IllegalArgumentException("invalid tag name: " + tag);
      }
    }
    if (codeLanguage != null && !LANGUAGE.matcher(codeLanguage).matches()) {
      throw new IllegalArgumentException("invalid code language: " + codeLanguage);
    }
    this.tags = List.copyOf(tags);
    this.mode = mode;
    this.codeLanguage = codeLanguage;
  }

  public static TagFormatVerifier strict(List<String> tags) {
    return new TagFormatVerifier(tags, Mode.STRICT, null);
  }

  public static TagFormatVerifier strictWithCodeFence(List<String> tags, String language) {
    if (language == null) {
      throw new IllegalArgumentException("code language is required");
    }
    return new TagFormatVerifier(tags, Mode.STRICT, language);
  }

  public static TagFormatVerifier tagCount(List<String> tags) {
    return new TagFormatVerifier(tags, Mode.TAG_COUNT, null);
  }

  /** {@code format}, {@code code_format} or {@code tag_count}: the component's name. */
  @Override
  public String name() {
    if (mode == Mode.TAG_COUNT) {
      return TAG_COUNT;
    }
    return codeLanguage == null ? FORMAT : CODE_FORMAT;
  }

  public Mode mode() {
    return mode;
  }

  public List<String> tags() {
    return tags;
  }

  /** The generation's response. */
  @Override
  public RewardComponent score(Generation generation) {
    return verify(generation.getResponse());
  }

  public RewardComponent verify(String response) {
    try {
      if (response == null) {
        return FormatRewards.binary(name(), VERSION, false, "no response");
      }
      return mode == Mode.TAG_COUNT ? scoreTagCount(response) : scoreStrict(response);
    } catch (RuntimeException e) {
      return FormatRewards.component(
          name(),
          VERSION,
          null,
          RewardStatus.ERROR,
          "verifier error: " + e.getClass().getSimpleName());
    }
  }

  private RewardComponent scoreStrict(String text) {
    String first = tags.get(0);
    String last = tags.get(tags.size() - 1);
    String prefix = "<" + first + ">\n";
    String suffix = "\n</" + last + ">";
    if (!text.startsWith(prefix)) {
      return fail("does not start with <" + first + ">");
    }
    if (!text.endsWith(suffix)) {
      return fail("does not end with </" + last + ">");
    }
    int sectionStart = prefix.length();
    int contentEnd = text.length() - suffix.length();
    if (sectionStart > contentEnd) {
      return fail("tags overlap");
    }
    // Each section's content is free text, so the leftmost occurrence of the next separator is
    // the split that leaves the most room for the sections after it.
    for (int i = 1; i < tags.size(); i++) {
      String separator = "\n</" + tags.get(i - 1) + ">\n<" + tags.get(i) + ">\n";
      int at = text.indexOf(separator, sectionStart);
      if (at < 0 || at + separator.length() > contentEnd) {
        return fail("missing </" + tags.get(i - 1) + "> followed by <" + tags.get(i) + ">");
      }
      sectionStart = at + separator.length();
    }
    if (codeLanguage != null && !hasCodeFence(text, sectionStart, contentEnd)) {
      return fail("no ```" + codeLanguage + " block in <" + last + ">");
    }
    return FormatRewards.binary(name(), VERSION, true, "format ok");
  }

  private boolean hasCodeFence(String text, int from, int to) {
    String opening = "```" + codeLanguage;
    int open = text.indexOf(opening, from);
    if (open < 0) {
      return false;
    }
    int close = text.indexOf("```", open + opening.length());
    return close >= 0 && close + 3 <= to;
  }

  private RewardComponent scoreTagCount(String text) {
    List<String> markers = markers();
    List<String> wrong = new ArrayList<>();
    int correct = 0;
    for (String marker : markers) {
      if (countOccurrences(text, marker) == 1) {
        correct++;
      } else {
        wrong.add(marker.strip());
      }
    }
    double value = (double) correct / markers.size();
    String detail =
        correct
            + "/"
            + markers.size()
            + " tags"
            + (wrong.isEmpty() ? "" : "; not exactly once: " + String.join(" ", wrong));
    return FormatRewards.component(name(), VERSION, value, RewardStatus.OK, detail);
  }

  /** The tag markers in document order, newlines included (see the class comment). */
  private List<String> markers() {
    List<String> markers = new ArrayList<>(2 * tags.size());
    for (int i = 0; i < tags.size(); i++) {
      String tag = tags.get(i);
      markers.add(i == 0 ? "<" + tag + ">\n" : "\n<" + tag + ">\n");
      markers.add(i == tags.size() - 1 ? "\n</" + tag + ">" : "\n</" + tag + ">\n");
    }
    return markers;
  }

  /** Non-overlapping occurrences, as Python's {@code str.count}. */
  static int countOccurrences(String text, String marker) {
    int count = 0;
    int at = text.indexOf(marker);
    while (at >= 0) {
      count++;
      at = text.indexOf(marker, at + marker.length());
    }
    return count;
  }

  private RewardComponent fail(String reason) {
    return FormatRewards.binary(name(), VERSION, false, reason);
  }
}
