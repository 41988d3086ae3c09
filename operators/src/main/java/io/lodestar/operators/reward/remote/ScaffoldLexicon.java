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
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The words that carry no answer, read from {@code judge-guard-scaffolding.txt} beside this class
 * (see its header for the format). Entries are normalised exactly like response text, so matching
 * ignores case, width and accents; single ASCII letters are the exception and match as written.
 *
 * <p>In languages that attach grammar to words (Korean particles, Arabic clitics, Turkish and
 * Indonesian endings), a word is also scaffolding when it is a scaffolding word with up to two
 * listed prefixes and two listed suffixes: {@code 정답은} is {@code 정답} + {@code 은}. What is left must
 * be a scaffolding word of a few letters at least (three in alphabets, two in Arabic script, one
 * Hangul syllable), so an ending never turns a short content word into scaffolding. Immutable once
 * loaded.
 */
final class ScaffoldLexicon {

  static final String RESOURCE = "judge-guard-scaffolding.txt";

  /** The lexicon shipped with the project, loaded once. */
  static final ScaffoldLexicon DEFAULT = load(RESOURCE);

  private final Set<String> words = new HashSet<>();
  private final Set<String> letters = new HashSet<>();
  private final Set<String> elisions = new HashSet<>();
  private final List<String> prefixes = new ArrayList<>();
  private final List<String> suffixes = new ArrayList<>();
  private static final int MAX_AFFIXES = 2;

  /** Several-word entries by their first word, longest first. */
  private final Map<String, List<String[]>> phrases = new HashMap<>();

  /** Han/kana entries, as a trie over their chars. */
  private final CjkNode cjk = new CjkNode();

  /**
   * A trie node; {@code entry} when an entry ends here, {@code answer} when that entry is an answer
   * word.
   */
  private static final class CjkNode {
    final Map<Character, CjkNode> next = new HashMap<>();
    boolean entry;
    boolean answer;
  }

  private ScaffoldLexicon() {}

  static ScaffoldLexicon load(String resource) {
    try (InputStream in = ScaffoldLexicon.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "judge guard lexicon " + resource + " is missing from the classpath");
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
        if (!Set.of("scaffold", "answers", "elisions", "prefixes", "suffixes").contains(section)) {
          throw new IllegalStateException("judge guard lexicon: unknown section [" + section + "]");
        }
        continue;
      }
      if (section == null) {
        throw new IllegalStateException(
            "judge guard lexicon: entries before the first [section]: " + line);
      }
      for (String entry : line.split(",")) {
        String e = entry.strip();
        if (e.isEmpty()) {
          continue;
        }
        switch (section) {
          case "scaffold" -> lexicon.addScaffold(e);
          case "answers" -> answers.add(e);
          case "prefixes" -> lexicon.prefixes.add(ResponseSubstance.key(e));
          case "suffixes" -> lexicon.suffixes.add(ResponseSubstance.key(e));
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
    lexicon
        .phrases
        .values()
        .forEach(list -> list.sort(Comparator.comparingInt((String[] p) -> p.length).reversed()));
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

  /**
   * A single word: multi-letter words by their key, single letters as written, affixed words by
   * their stem.
   */
  boolean isScaffoldWord(String written, String key) {
    if (written.codePointCount(0, written.length()) == 1) {
      // An ASCII letter may be an answer (A) or a variable (x); an accented one (É) is never
      // either.
      return letters.contains(written)
          || (written.charAt(0) >= 0x80 && letters.contains(written.toLowerCase(Locale.ROOT)));
    }
    return words.contains(key) || isAffixedScaffold(key, 0, 0);
  }

  /**
   * {@code key} with listed affixes taken off, at most {@value #MAX_AFFIXES} of each kind, is a
   * scaffolding word.
   */
  private boolean isAffixedScaffold(String key, int prefixesTaken, int suffixesTaken) {
    if (suffixesTaken < MAX_AFFIXES) {
      for (String suffix : suffixes) {
        if (key.length() > suffix.length() && key.endsWith(suffix)) {
          String stem = key.substring(0, key.length() - suffix.length());
          if (isStem(stem) || isAffixedScaffold(stem, prefixesTaken, suffixesTaken + 1)) {
            return true;
          }
        }
      }
    }
    if (prefixesTaken < MAX_AFFIXES) {
      for (String prefix : prefixes) {
        if (key.length() > prefix.length() && key.startsWith(prefix)) {
          String stem = key.substring(prefix.length());
          if (isStem(stem) || isAffixedScaffold(stem, prefixesTaken + 1, suffixesTaken)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private boolean isStem(String stem) {
    int length = stem.codePointCount(0, stem.length());
    Character.UnicodeScript script = Character.UnicodeScript.of(stem.codePointAt(0));
    int shortest =
        switch (script) {
          case HANGUL -> 1; // a syllable block is a morpheme: 답 + 은
          case ARABIC, HEBREW -> 2; // abjads leave out short vowels: حل + ها
          default -> 3;
        };
    if (length < shortest) {
      return false;
    }
    return length == 1 ? letters.contains(stem) : words.contains(stem);
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
      throw new IllegalStateException(
          "judge guard lexicon: Han/kana entries must be shorter than 32 chars: " + key);
    }
    CjkNode node = cjk;
    for (int i = 0; i < key.length(); i++) {
      node = node.next.computeIfAbsent(key.charAt(i), c -> new CjkNode());
    }
    return node;
  }

  /**
   * The Han/kana entries that start at {@code text[from]}: bit {@code 2*len} set for a scaffolding
   * entry of {@code len} chars, bit {@code 2*len+1} for an answer word. Entries are shorter than 32
   * chars, which {@link #parse} checks.
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
