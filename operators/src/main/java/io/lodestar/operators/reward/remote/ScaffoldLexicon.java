package io.lodestar.operators.reward.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The words that carry no answer, read from {@code judge-guard-scaffolding.txt} beside this class
 * (see its header for the format). Entries are normalised exactly like response text, so matching
 * ignores case, width and accents; single letters are the exception and match as written.
 * Immutable once loaded.
 */
final class ScaffoldLexicon {

  static final String RESOURCE = "judge-guard-scaffolding.txt";

  /** The lexicon shipped with the project, loaded once. */
  static final ScaffoldLexicon DEFAULT = load(RESOURCE);

  private final Set<String> words = new HashSet<>();
  private final Set<String> letters = new HashSet<>();
  private final Set<String> elisions = new HashSet<>();
  /** Several-word entries by their first word, longest first. */
  private final Map<String, List<String[]>> phrases = new HashMap<>();
  /** Han/kana entries, as a trie over their chars. */
  private final CjkNode cjk = new CjkNode();

  /** A trie node; {@code entry} when an entry ends here, {@code answer} when that entry is an answer word. */
  private static final class CjkNode {
    final Map<Character, CjkNode> next = new HashMap<>();
    boolean entry;
    boolean answer;
  }

  private ScaffoldLexicon() {}

  static ScaffoldLexicon load(String resource) {
    try (InputStream in = ScaffoldLexicon.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("judge guard lexicon " + resource + " is missing from the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("judge guard lexicon " + resource + " could not be read", e);
    }
  }

  static ScaffoldLexicon parse(String text) {
    ScaffoldLexicon lexicon = new ScaffoldLexicon();
    String section = null;
    List<String> answers = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1);
        if (!Set.of("scaffold", "answers", "elisions").contains(section)) {
          throw new IllegalStateException("judge guard lexicon: unknown section [" + section + "]");
        }
        continue;
      }
      if (section == null) {
        throw new IllegalStateException("judge guard lexicon: entries before the first [section]: " + line);
      }
      for (String entry : line.split(",")) {
        String e = entry.strip();
        if (e.isEmpty()) {
          continue;
        }
        switch (section) {
          case "scaffold" -> lexicon.addScaffold(e);
          case "answers" -> answers.add(e);
          default -> lexicon.elisions.add(ResponseSubstance.key(e));
        }
      }
    }
    for (String answer : answers) {
      String key = ResponseSubstance.key(answer);
      lexicon.words.remove(key);
      CjkNode node = lexicon.cjkNode(key);
      node.entry = true;
      node.answer = true;
    }
    lexicon.phrases.values().forEach(list -> list.sort(Comparator.comparingInt((String[] p) -> p.length).reversed()));
    return lexicon;
  }

  private void addScaffold(String entry) {
    String key = ResponseSubstance.key(entry);
    if (!key.isEmpty() && key.codePoints().allMatch(ResponseSubstance::isCjk)) {
      cjkNode(key).entry = true;
      return;
    }
    String[] tokens = ResponseSubstance.words(entry);
    if (tokens.length == 0) {
      throw new IllegalStateException("judge guard lexicon: entry without letters: " + entry);
    }
    if (tokens.length > 1) {
      phrases.computeIfAbsent(tokens[0], k -> new ArrayList<>()).add(tokens);
    } else if (entry.strip().codePointCount(0, entry.strip().length()) == 1) {
      letters.add(entry.strip());
    } else {
      words.add(tokens[0]);
    }
  }

  /** A single word: multi-letter words by their key, single letters as written. */
  boolean isScaffoldWord(String written, String key) {
    if (written.codePointCount(0, written.length()) == 1) {
      return letters.contains(written);
    }
    return words.contains(key);
  }

  boolean isElision(String key) {
    return elisions.contains(key);
  }

  /** The several-word entries that start with {@code key}, longest first (empty when none). */
  List<String[]> phrasesStartingWith(String key) {
    return phrases.getOrDefault(key, List.of());
  }

  private CjkNode cjkNode(String key) {
    if (key.length() >= 32) {
      throw new IllegalStateException("judge guard lexicon: Han/kana entries must be shorter than 32 chars: " + key);
    }
    CjkNode node = cjk;
    for (int i = 0; i < key.length(); i++) {
      node = node.next.computeIfAbsent(key.charAt(i), c -> new CjkNode());
    }
    return node;
  }

  /**
   * The Han/kana entries that start at {@code text[from]}: bit {@code 2*len} set for a
   * scaffolding entry of {@code len} chars, bit {@code 2*len+1} for an answer word. Entries are
   * shorter than 32 chars, which {@link #parse} checks.
   */
  long cjkMatches(String text, int from) {
    long found = 0;
    CjkNode node = cjk;
    for (int i = from; i < text.length(); i++) {
      node = node.next.get(text.charAt(i));
      if (node == null) {
        break;
      }
      if (node.entry) {
        int len = i + 1 - from;
        found |= 1L << (2 * len + (node.answer ? 1 : 0));
      }
    }
    return found;
  }
}
