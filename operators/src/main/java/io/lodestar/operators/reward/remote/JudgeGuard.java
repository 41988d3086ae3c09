package io.lodestar.operators.reward.remote;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Catches "master key" responses before a judge sees them: text with no content of its own, such as
 * {@code :}, {@code .}, "Thought process:", "Let's solve this problem step by step.", "Solution", or
 * their translations, which generative judges are known to reward. Known to fool even strong
 * judges, so they are never sent.
 *
 * <p>A response is caught when, after normalising (Unicode NFKC, lower case, accents removed, and
 * everything but letters and digits dropped), it is empty or made only of known openers, back to
 * back ("Solution: Let's solve this problem step by step." is caught; "Solution: 42" is not).
 */
public final class JudgeGuard {

  /** Openers in their natural spelling; they are normalised like responses when loaded. */
  static final List<String> OPENERS =
      List.of(
          // English
          "Thought process", "Let's solve this problem step by step", "Let's solve this step by step",
          "Let's think step by step", "Step by step", "Solution", "Answer", "Reasoning", "Explanation",
          // Chinese
          "思考过程", "让我们一步一步解决这个问题", "让我们一步一步地解决这个问题", "让我们逐步解决这个问题",
          "解", "解答", "答案", "解决方案", "解题过程", "思考過程",
          // Japanese
          "思考プロセス", "この問題を段階的に解いてみましょう", "この問題を一歩ずつ解いていきましょう",
          "ステップバイステップで解いていきましょう", "解決策", "解説", "かいせつ", "答え",
          // Spanish
          "Proceso de pensamiento", "Resolvamos este problema paso a paso", "Vamos a resolver este problema paso a paso",
          "Solución", "Respuesta",
          // French
          "Processus de réflexion", "Résolvons ce problème étape par étape", "Réponse",
          // German
          "Denkprozess", "Gedankengang", "Lösen wir dieses Problem Schritt für Schritt",
          "Lass uns dieses Problem Schritt für Schritt lösen", "Lösung", "Antwort",
          // Russian
          "Процесс мышления", "Ход мыслей", "Давайте решим эту задачу шаг за шагом", "Решим задачу шаг за шагом",
          "Решение", "Ответ");

  private static final Set<String> KEYS = new HashSet<>();
  private static final int LONGEST;

  static {
    int longest = 0;
    for (String opener : OPENERS) {
      String key = normalise(opener);
      KEYS.add(key);
      longest = Math.max(longest, key.length());
    }
    LONGEST = longest;
  }

  private JudgeGuard() {}

  /** True when the response is empty of content: only punctuation, whitespace and known openers. */
  public static boolean isMasterKey(String response) {
    if (response == null) {
      return true;
    }
    return segmentable(normalise(response));
  }

  /**
   * Dynamic programming over prefixes: can {@code text} be split into known openers? Stops as soon
   * as no split can reach further, so an ordinary answer costs a few dozen characters of work.
   */
  private static boolean segmentable(String text) {
    int n = text.length();
    boolean[] reachable = new boolean[n + 1];
    reachable[0] = true;
    int lastReachable = 0;
    for (int end = 1; end <= n; end++) {
      if (end - lastReachable > LONGEST) {
        return false;
      }
      for (int start = Math.max(0, end - LONGEST); start < end && !reachable[end]; start++) {
        reachable[end] = reachable[start] && KEYS.contains(text.substring(start, end));
      }
      if (reachable[end]) {
        lastReachable = end;
      }
    }
    return reachable[n];
  }

  static String normalise(String text) {
    String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    String decomposed = Normalizer.normalize(folded, Normalizer.Form.NFKD);
    StringBuilder sb = new StringBuilder(decomposed.length());
    decomposed.codePoints()
        .filter(cp -> Character.isLetterOrDigit(cp))
        .forEach(sb::appendCodePoint);
    return sb.toString();
  }
}
