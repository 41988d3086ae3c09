package io.lodestar.operators.reward.remote;

import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The judge guard's test cases: adversarial content-free responses read from {@code
 * src/test/resources/judge-guard/} (a tuning set and a held-back set), the task contexts they are
 * tried in, and real short answers that must still be judged.
 */
final class GuardCases {

  static final String TUNED = "judge-guard/adversarial-tuned.txt";
  static final String HELD_BACK = "judge-guard/adversarial-heldback.txt";

  /** Second held-back round: openers in ten more languages and numbered lists. */
  static final String HELD_BACK_LANGUAGES = "judge-guard/adversarial-heldback-languages.txt";

  /** Real short answers in those languages, held back with them: each must reach the judge. */
  static final String REAL_HELD_BACK = "judge-guard/real-answers-heldback.txt";

  /** A task a response answers: its kind and reference (null for open tasks). */
  record Context(String label, TaskKind kind, String reference) {
    TaskMetadata task() {
      return TaskMetadata.newBuilder()
          .setDataSource("guard-test")
          .setKind(kind)
          .setGroundTruth(reference)
          .build();
    }

    @Override
    public String toString() {
      return label;
    }
  }

  static final Context MATH_42 = new Context("math, reference 42", TaskKind.MATH, "42");
  static final Context OPEN_CHAT = new Context("open chat", TaskKind.CHAT, null);
  static final Context CHAT_PARIS = new Context("chat, reference Paris", TaskKind.CHAT, "Paris");
  static final List<Context> CONTEXTS = List.of(MATH_42, OPEN_CHAT, CHAT_PARIS);

  /** A real answer and the task it answers. */
  record Answer(Context context, String response) {
    @Override
    public String toString() {
      return context + ": " + response;
    }
  }

  /** Real short answers, in several languages, that the judge must see. */
  static final List<Answer> REAL_SHORT_ANSWERS =
      List.of(
          new Answer(MATH_42, "42"),
          new Answer(MATH_42, "x = 3"),
          new Answer(MATH_42, "\\boxed{7}"),
          new Answer(MATH_42, "$\\boxed{42}$"),
          new Answer(MATH_42, "Yes, because 2 is prime."),
          new Answer(MATH_42, "Solution: 42"),
          new Answer(MATH_42, "Step 1: 6 * 7 = 42"),
          new Answer(MATH_42, "<think>6 times 7</think>The answer is 42."),
          new Answer(MATH_42, "答案是 42"),
          new Answer(MATH_42, "Ответ: 7"),
          new Answer(MATH_42, "Die Antwort ist 41."),
          new Answer(MATH_42, "La respuesta es \\frac{1}{2}."),
          new Answer(MATH_42, "1."),
          new Answer(OPEN_CHAT, "Paris."),
          new Answer(OPEN_CHAT, "42"),
          new Answer(OPEN_CHAT, "x = 3"),
          new Answer(OPEN_CHAT, "\\boxed{7}"),
          new Answer(OPEN_CHAT, "Yes, because 2 is prime."),
          new Answer(OPEN_CHAT, "Yes"),
          new Answer(OPEN_CHAT, "No."),
          new Answer(OPEN_CHAT, "True"),
          new Answer(OPEN_CHAT, "None."),
          new Answer(OPEN_CHAT, "Both."),
          new Answer(OPEN_CHAT, "Correct."),
          new Answer(OPEN_CHAT, "A"),
          new Answer(OPEN_CHAT, "(B)"),
          new Answer(OPEN_CHAT, "Photosynthesis"),
          new Answer(OPEN_CHAT, "Berlin ist die Hauptstadt."),
          new Answer(OPEN_CHAT, "Oui."),
          new Answer(OPEN_CHAT, "Sí, claro."),
          new Answer(OPEN_CHAT, "Да"),
          new Answer(OPEN_CHAT, "是的"),
          new Answer(OPEN_CHAT, "是"),
          new Answer(OPEN_CHAT, "答案：是"),
          new Answer(OPEN_CHAT, "北京"),
          new Answer(OPEN_CHAT, "はい"),
          new Answer(OPEN_CHAT, "東京です。"),
          new Answer(OPEN_CHAT, "네"),
          new Answer(OPEN_CHAT, "Solution: Paris"),
          new Answer(OPEN_CHAT, "**Answer:** Paris"),
          new Answer(OPEN_CHAT, "<|im_start|>assistant\nParis<|im_end|>"),
          new Answer(OPEN_CHAT, "<think></think>\nParis"),
          new Answer(CHAT_PARIS, "Paris."),
          new Answer(CHAT_PARIS, "Paris"),
          new Answer(CHAT_PARIS, "Lyon"),
          new Answer(CHAT_PARIS, "La réponse est Paris."),
          // Languages whose scaffolding vocabulary came later: their short answers still count.
          new Answer(MATH_42, "A resposta é 42."),
          new Answer(MATH_42, "La risposta è 42."),
          new Answer(MATH_42, "답은 42입니다."),
          new Answer(MATH_42, "Het antwoord is 42."),
          new Answer(MATH_42, "Odpowiedź to 42."),
          new Answer(MATH_42, "Cevap 42."),
          new Answer(MATH_42, "Đáp án là 42."),
          new Answer(MATH_42, "Jawabannya adalah 42."),
          new Answer(MATH_42, "الإجابة هي 42"),
          new Answer(MATH_42, "उत्तर 42 है।"),
          new Answer(MATH_42, "1. 6 × 7 = 42\n2. So 42"),
          new Answer(OPEN_CHAT, "Sim."),
          new Answer(OPEN_CHAT, "Não"),
          new Answer(OPEN_CHAT, "Brasília"),
          new Answer(OPEN_CHAT, "Sì"),
          new Answer(OPEN_CHAT, "Roma è la capitale."),
          new Answer(OPEN_CHAT, "네, 맞아요."),
          new Answer(OPEN_CHAT, "아니요."),
          new Answer(OPEN_CHAT, "부산"),
          new Answer(OPEN_CHAT, "Ja."),
          new Answer(OPEN_CHAT, "Nee, dat klopt niet."),
          new Answer(OPEN_CHAT, "Tak, to prawda."),
          new Answer(OPEN_CHAT, "Nie."),
          new Answer(OPEN_CHAT, "Evet"),
          new Answer(OPEN_CHAT, "Hayır."),
          new Answer(OPEN_CHAT, "İstanbul"),
          new Answer(OPEN_CHAT, "Có"),
          new Answer(OPEN_CHAT, "Không."),
          new Answer(OPEN_CHAT, "Ya, benar."),
          new Answer(OPEN_CHAT, "Tidak."),
          new Answer(OPEN_CHAT, "نعم، صحيح."),
          new Answer(OPEN_CHAT, "لا"),
          new Answer(OPEN_CHAT, "हाँ, सही है।"),
          new Answer(OPEN_CHAT, "नहीं"),
          new Answer(OPEN_CHAT, "दिल्ली"),
          new Answer(OPEN_CHAT, "e"),
          new Answer(OPEN_CHAT, "i"),
          new Answer(OPEN_CHAT, "z"),
          new Answer(OPEN_CHAT, "42. That is the total."),
          new Answer(OPEN_CHAT, "1. Rome\n2. Milan"),
          new Answer(CHAT_PARIS, "Le roi."),
          new Answer(CHAT_PARIS, "Kenya"),
          new Answer(CHAT_PARIS, "Soda"));

  private GuardCases() {}

  /** The responses of a case file: lines starting with '|', with '⏎' a line break and '⇥' a tab. */
  static List<String> load(String resource) {
    try (InputStream in = GuardCases.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      List<String> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
        if (line.startsWith("|")) {
          out.add(line.substring(1).replace('⏎', '\n').replace('⇥', '\t'));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A response as one readable line, for assertion messages. */
  static String show(String response) {
    return "\"" + response.replace("\n", "⏎").replace("\t", "⇥") + "\"";
  }
}
