package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.reward.remote.JudgeGuard.Assessment;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pure content rule of the judge guard; the same cases through a loopback judge are in
 * RemoteRewardFunctionTest.
 */
class JudgeGuardTest {

  private static TaskMetadata math(String reference) {
    return TaskMetadata.newBuilder()
        .setDataSource("guard-test")
        .setKind(TaskKind.MATH)
        .setGroundTruth(reference)
        .build();
  }

  static Stream<Arguments> tunedOpenersInEveryContext() {
    List<String> openers = GuardCases.load(GuardCases.TUNED);
    return GuardCases.CONTEXTS.stream().flatMap(c -> openers.stream().map(o -> Arguments.of(c, o)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tunedOpenersInEveryContext")
  void everyAdversarialOpenerIsAMasterKey(GuardCases.Context context, String opener) {
    assertThat(JudgeGuard.isMasterKey(opener, context.task())).as(GuardCases.show(opener)).isTrue();
  }

  /** Openers wrapped in template tokens, reasoning blocks and markup, and openers back to back. */
  static List<String> combinations() {
    List<String> openers = GuardCases.load(GuardCases.TUNED);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < openers.size(); i++) {
      String o = openers.get(i);
      out.add("<|im_start|>assistant\n" + o + "<|im_end|>");
      out.add("<|start_header_id|>assistant<|end_header_id|>\n\n" + o + "<|eot_id|>");
      out.add("[INST] " + o + " [/INST]");
      out.add("<think>\n</think>\n\n" + o);
      out.add("<think>" + o + "</think>" + o);
      out.add("**" + o + "**");
      out.add("### " + o + "\n\n---\n");
      out.add("> " + o);
      out.add("<answer>" + o + "</answer>");
      out.add(o + " $\\boxed{}$");
      out.add(
          o
              + "\n"
              + openers.get((i + 1) % openers.size())
              + "\n"
              + openers.get((i * 7 + 3) % openers.size()));
    }
    return out;
  }

  @Test
  void openersCombinedWithTemplateTokensReasoningBlocksAndMarkupAreMasterKeys() {
    List<String> missed = new ArrayList<>();
    for (GuardCases.Context context : GuardCases.CONTEXTS) {
      for (String response : combinations()) {
        if (!JudgeGuard.isMasterKey(response, context.task())) {
          missed.add(context + ": " + GuardCases.show(response));
        }
      }
    }
    assertThat(missed).isEmpty();
  }

  static Stream<GuardCases.Answer> realShortAnswers() {
    return GuardCases.REAL_SHORT_ANSWERS.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realShortAnswers")
  void realShortAnswersAreJudged(GuardCases.Answer answer) {
    assertThat(JudgeGuard.assess(answer.response(), answer.context().task()))
        .isEqualTo(Assessment.ANSWER);
  }

  /**
   * The second held-back round: openers in ten more languages and numbered lists, never used to
   * tune the vocabulary. The rate is printed; the floor only keeps it from falling.
   */
  @Test
  void heldBackOpenersInMoreLanguagesAreMasterKeys() {
    List<String> openers = GuardCases.load(GuardCases.HELD_BACK_LANGUAGES);
    List<String> judged = new ArrayList<>();
    int tried = 0;
    for (GuardCases.Context context : GuardCases.CONTEXTS) {
      for (String opener : openers) {
        tried++;
        if (!JudgeGuard.isMasterKey(opener, context.task())) {
          judged.add(context + ": " + GuardCases.show(opener));
        }
      }
    }
    System.out.printf(
        "judge guard, held-back openers in more languages: %d of %d settled (%.1f %%); judged: %s%n",
        tried - judged.size(), tried, 100.0 * (tried - judged.size()) / tried, judged);
    assertThat(judged)
        .as("math tasks need an extractable answer")
        .noneMatch(r -> r.startsWith(GuardCases.MATH_42.label()));
  }

  @Test
  void heldBackRealAnswersInMoreLanguagesAreJudged() {
    List<String> caught = new ArrayList<>();
    for (String answer : GuardCases.load(GuardCases.REAL_HELD_BACK)) {
      for (GuardCases.Context context : List.of(GuardCases.OPEN_CHAT, GuardCases.CHAT_PARIS)) {
        if (JudgeGuard.isMasterKey(answer, context.task())) {
          caught.add(context + ": " + GuardCases.show(answer));
        }
      }
    }
    System.out.printf(
        "judge guard, held-back real answers in more languages: %d caught: %s%n",
        caught.size(), caught);
    assertThat(caught).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "\n\t ",
        ":",
        ".",
        "...",
        ",",
        "!",
        "-",
        "**",
        ": .",
        "Thought process:",
        "thought process",
        "THOUGHT PROCESS:",
        "**Thought process:**",
        "Thought  process :",
        "Let's solve this problem step by step.",
        "let’s solve this problem step by step",
        "Lets solve this problem step by step!",
        "Solution",
        "Solution:",
        "SOLUTION.",
        "### Solution",
        "Answer:",
        "Solution: Let's solve this problem step by step.",
        "Thought process: Let's think step by step.",
        "思考过程：",
        "让我们一步一步解决这个问题。",
        "解",
        "解：",
        "解答",
        "答案：",
        "思考プロセス：",
        "この問題を段階的に解いてみましょう。",
        "解答：",
        "かいせつ",
        "Proceso de pensamiento:",
        "Resolvamos este problema paso a paso.",
        "Solución:",
        "solucion",
        "Respuesta",
        "Processus de réflexion :",
        "Résolvons ce problème étape par étape.",
        "Solution :",
        "Réponse :",
        "Denkprozess:",
        "Lösen wir dieses Problem Schritt für Schritt.",
        "Lösung:",
        "Lösung",
        "Процесс мышления:",
        "Давайте решим эту задачу шаг за шагом.",
        "Решение:",
        "Ответ",
        "ＳＯＬＵＴＩＯＮ：",
        "Thought process:\n\nSolution:\n"
      })
  void openersOfTheFormerPhraseListAreStillMasterKeys(String response) {
    assertThat(JudgeGuard.isMasterKey(response)).as("%s", response).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "42",
        "The answer is 42.",
        "Solution: 42",
        "Solution: x = 3",
        "解：x=3",
        "Ответ: 7",
        "Let's solve this problem step by step. 6 * 7 = 42.",
        "Thought process: 6 times 7 is 42, so 42.",
        "No.",
        "Yes",
        "Paris",
        "Respuesta: París",
        "Lösung: 12"
      })
  void responsesWithContentGoToTheJudge(String response) {
    assertThat(JudgeGuard.isMasterKey(response)).as("%s", response).isFalse();
    assertThat(JudgeGuard.isMasterKey(response, math("42")))
        .as("%s", response)
        .isEqualTo(!response.matches(".*\\d.*"));
  }

  @Test
  void templateTokensAndTheRoleAfterThemAreNotContent() {
    assertThat(ResponseSubstance.contentWords("<|im_start|>assistant\nParis<|im_end|>"))
        .containsExactly("Paris");
    assertThat(ResponseSubstance.contentWords("<｜Assistant｜>Paris<｜end▁of▁sentence｜>"))
        .containsExactly("Paris");
    assertThat(ResponseSubstance.contentWords("<start_of_turn>model\nParis<end_of_turn>"))
        .containsExactly("Paris");
    assertThat(ResponseSubstance.contentWords("<s>[INST] <<SYS>> <</SYS>> [/INST] Paris</s>"))
        .containsExactly("Paris");
  }

  @Test
  void reasoningBlocksAreNotTheAnswer() {
    assertThat(ResponseSubstance.contentWords("<think>Paris is the capital.</think>")).isEmpty();
    assertThat(ResponseSubstance.contentWords("<think>Paris is the capital.</think>\nParis"))
        .containsExactly("Paris");
    assertThat(ResponseSubstance.contentWords("<thinking>Lyon</thinking><answer>Paris</answer>"))
        .containsExactly("Paris");
    assertThat(ResponseSubstance.contentWords("<|begin_of_thought|>Lyon<|end_of_thought|>Paris"))
        .containsExactly("Paris");
    // Cut off while reasoning: nothing was answered. Opening tag in the prompt: only the end
    // counts.
    assertThat(ResponseSubstance.contentWords("<think>Paris is")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Lyon or Paris?</think>Paris"))
        .containsExactly("Paris");
  }

  @Test
  void stepLabelsLoseTheirNumbers() {
    assertThat(ResponseSubstance.contentWords("Step 1:\nStep 2:")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Step 1: 6 * 7 = 42"))
        .containsExactly("6", "7", "42");
    assertThat(ResponseSubstance.contentWords("Schritt 3. Étape 2 : Шаг 1. 第一步：第2步 ステップ3"))
        .isEmpty();
    assertThat(ResponseSubstance.visibleAnswer("Step 1: x = 3"))
        .doesNotContain("1")
        .contains("x = 3");
    assertThat(ResponseSubstance.contentWords("Steps 12")).containsExactly("12");
  }

  @Test
  void markupIsTakenAwayButMathematicsIsContent() {
    assertThat(ResponseSubstance.contentWords("$\\boxed{}$ \\[ \\] \\frac{}{} \\boxed{\\text{ }}"))
        .isEmpty();
    assertThat(
            ResponseSubstance.contentWords(
                "\\textbf{Solution:} \\begin{align} \\end{align} \\quad"))
        .isEmpty();
    assertThat(
            ResponseSubstance.contentWords(
                "```python\n```\n<answer> </answer> [link](http://example.com/x)"))
        .containsExactly("link");
    assertThat(ResponseSubstance.contentWords("$\\pi$")).containsExactly("pi");
    assertThat(ResponseSubstance.contentWords("\\boxed{\\frac{1}{2}}"))
        .containsExactly("frac", "1", "2");
    assertThat(ResponseSubstance.contentWords("∞")).containsExactly("∞");
  }

  @Test
  void wordsBeforeAColonAreALabelButWhatFollowsIsContent() {
    // The label rule needs no vocabulary: "Svar:" (Swedish, not in the lexicon) is a label too.
    assertThat(ResponseSubstance.contentWords("Svar:")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Svar: Stockholm")).containsExactly("Stockholm");
    assertThat(ResponseSubstance.contentWords("Resposta:")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Resposta: Lisboa")).containsExactly("Lisboa");
    assertThat(ResponseSubstance.contentWords("**Resposta final:** Lisboa"))
        .containsExactly("Lisboa");
    assertThat(ResponseSubstance.contentWords("解题思路：")).isEmpty();
    // Not labels: four words, a number, a time of day, a web address.
    assertThat(ResponseSubstance.contentWords("Berlin Paris Rome Madrid:")).hasSize(4);
    assertThat(ResponseSubstance.contentWords("12:30")).containsExactly("12", "30");
    assertThat(ResponseSubstance.contentWords("https://example.org"))
        .containsExactly("https", "example", "org");
  }

  @Test
  void singleLettersMatchAsWrittenAndFragmentsOnlyAtApostrophes() {
    assertThat(ResponseSubstance.contentWords("a")).isEmpty();
    assertThat(ResponseSubstance.contentWords("A")).containsExactly("A");
    assertThat(ResponseSubstance.contentWords("I")).isEmpty();
    assertThat(ResponseSubstance.contentWords("x")).containsExactly("x");
    assertThat(ResponseSubstance.contentWords("Let's see. I'll check.")).isEmpty();
    assertThat(ResponseSubstance.contentWords("s")).containsExactly("s");
    assertThat(ResponseSubstance.contentWords("l'eau")).containsExactly("eau");
  }

  @Test
  void hanAndKanaKeepWhatNoEntryExplains() {
    assertThat(ResponseSubstance.contentWords("最终答案是")).isEmpty();
    assertThat(ResponseSubstance.contentWords("所以答案是北京")).containsExactly("北京");
    assertThat(ResponseSubstance.contentWords("是的")).containsExactly("是");
    assertThat(ResponseSubstance.contentWords("答案：是")).containsExactly("是");
    assertThat(ResponseSubstance.contentWords("はい")).containsExactly("はい");
    assertThat(ResponseSubstance.contentWords("ええと、まず")).isEmpty();
    assertThat(ResponseSubstance.contentWords("答えは東京です")).containsExactly("東京");
    assertThat(ResponseSubstance.contentWords("答案是42")).containsExactly("42");
  }

  @Test
  void wordsTheLexiconDoesNotKnowAreContentInAnyScript() {
    for (String answer :
        List.of("Lisboa", "Sim.", "네", "नहीं", "نعم", "Ναι", "Hai ragione.", "Photosynthesis")) {
      assertThat(JudgeGuard.assess(answer, null)).as(answer).isEqualTo(Assessment.ANSWER);
    }
  }

  @Test
  void grammarWrittenOntoAScaffoldingWordIsScaffoldingButNotOntoAContentWord() {
    assertThat(ResponseSubstance.contentWords("정답은")).isEmpty();
    assertThat(ResponseSubstance.contentWords("문제를 풀어 봅시다.")).isEmpty();
    assertThat(ResponseSubstance.contentWords("정답은 서울입니다.")).containsExactly("서울입니다");
    assertThat(ResponseSubstance.contentWords("وبالتالي فإن الحل")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Jawabannya adalah")).isEmpty();
    assertThat(ResponseSubstance.contentWords("Sonuç olarak cevaptır")).isEmpty();
    // What is left after an ending must be a scaffolding word of some length: Kenya is not ke +
    // nya.
    assertThat(ResponseSubstance.contentWords("Kenya")).containsExactly("Kenya");
    assertThat(ResponseSubstance.contentWords("القاهرة")).containsExactly("القاهرة");
  }

  @Test
  void numbersOfAListAreNotContentButANumberThatStartsAnAnswerIs() {
    assertThat(ResponseSubstance.contentWords("1. Read the question.\n2. Think.")).isEmpty();
    assertThat(ResponseSubstance.contentWords("<answer>(1) Lösung\n(2) Antwort</answer>"))
        .isEmpty();
    assertThat(ResponseSubstance.contentWords("1. Rome\n2. Milan"))
        .containsExactly("Rome", "Milan");
    assertThat(ResponseSubstance.contentWords("42. That is the total.")).contains("42");
    assertThat(ResponseSubstance.contentWords("1.")).containsExactly("1");
    assertThat(ResponseSubstance.visibleAnswer("1. 42")).doesNotContain("1").contains("42");
  }

  @Test
  void vowelSignsAreLettersWhereAScriptWritesVowelsAsMarks() {
    // Accents go (é is e), but a Devanagari vowel sign is part of the word: के is not क.
    assertThat(ResponseSubstance.key("Réponse")).isEqualTo("reponse");
    assertThat(ResponseSubstance.key("के")).isNotEqualTo(ResponseSubstance.key("क"));
    assertThat(ResponseSubstance.contentWords("इसलिए उत्तर है")).isEmpty();
    assertThat(ResponseSubstance.contentWords("हाँ, सही है।")).containsExactly("हाँ", "सही");
  }

  @Test
  void anAccentedCapitalLetterIsTheLetterButAnAsciiCapitalMayBeAnAnswer() {
    assertThat(ResponseSubstance.contentWords("É")).isEmpty();
    assertThat(ResponseSubstance.contentWords("A resposta final é:")).isEmpty();
    assertThat(ResponseSubstance.contentWords("A")).containsExactly("A");
    assertThat(ResponseSubstance.contentWords("A is the answer.")).containsExactly("A");
  }

  @Test
  void mathTasksWithAMathReferenceNeedAnAnswerTheMathVerifierExtracts() {
    assertThat(JudgeGuard.assess("The answer is 41.", math("42"))).isEqualTo(Assessment.ANSWER);
    assertThat(JudgeGuard.assess("\\boxed{\\pi}", math("42"))).isEqualTo(Assessment.ANSWER);
    assertThat(JudgeGuard.assess("Paris", math("42"))).isEqualTo(Assessment.NO_EXTRACTABLE_ANSWER);
    // The extractor reads a number out of "Step 1:" and a word out of "Answer: Solution"; neither
    // is an answer.
    assertThat(JudgeGuard.assess("Step 1:", math("42")))
        .isEqualTo(Assessment.NO_EXTRACTABLE_ANSWER);
    assertThat(JudgeGuard.assess("Answer: Solution", math("42")))
        .isEqualTo(Assessment.NO_EXTRACTABLE_ANSWER);
    // A reference the extractor cannot read leaves the response to the substance rule.
    assertThat(JudgeGuard.assess("Tuesday", math("\\text{Tuesday}"))).isEqualTo(Assessment.ANSWER);
    assertThat(JudgeGuard.assess("The answer is", math("\\text{Tuesday}")))
        .isEqualTo(Assessment.NO_SUBSTANCE);
    assertThat(JudgeGuard.assess("Tuesday", math(null))).isEqualTo(Assessment.ANSWER);
  }

  @Test
  void aNullResponseIsAMasterKey() {
    assertThat(JudgeGuard.isMasterKey(null)).isTrue();
    assertThat(JudgeGuard.isMasterKey(null, math("42"))).isTrue();
  }

  @Test
  void repeatedOpenersAreStillMasterKeysAndLongAnswersAreNot() {
    assertThat(JudgeGuard.isMasterKey("Solution: ".repeat(500))).isTrue();
    assertThat(JudgeGuard.isMasterKey("Solution: ".repeat(500) + "42")).isFalse();
    assertThat(JudgeGuard.isMasterKey("The answer is 42. ".repeat(10_000))).isFalse();
    assertThat(JudgeGuard.isMasterKey("<think>".repeat(20_000) + "\\boxed{".repeat(20_000)))
        .isTrue();
  }

  @Test
  void aMalformedLexiconIsRefusedWithTheReason() {
    assertThatThrownBy(() -> ScaffoldLexicon.parse("[stopwords]\nthe"))
        .hasMessageContaining("unknown section [stopwords]");
    assertThatThrownBy(() -> ScaffoldLexicon.parse("the, a"))
        .hasMessageContaining("before the first [section]");
    assertThatThrownBy(() -> ScaffoldLexicon.parse("[scaffold]\n..."))
        .hasMessageContaining("entry without letters");
    ScaffoldLexicon withEndings =
        ScaffoldLexicon.parse("[scaffold]\nanswer\n[suffixes]\nish\n[prefixes]\nre");
    assertThat(withEndings.isScaffoldWord("answerish", "answerish")).isTrue();
    assertThat(withEndings.isScaffoldWord("reanswer", "reanswer")).isTrue();
    assertThat(withEndings.isScaffoldWord("ish", "ish")).isFalse();
  }
}
