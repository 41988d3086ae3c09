package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JudgeGuardTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "\n\t ", ":", ".", "...", ",", "!", "-", "**", ": .",
        "Thought process:", "thought process", "THOUGHT PROCESS:", "**Thought process:**", "Thought  process :",
        "Let's solve this problem step by step.", "let’s solve this problem step by step", "Lets solve this problem step by step!",
        "Solution", "Solution:", "SOLUTION.", "### Solution", "Answer:",
        "Solution: Let's solve this problem step by step.", "Thought process: Let's think step by step.",
        "思考过程：", "让我们一步一步解决这个问题。", "解", "解：", "解答", "答案：",
        "思考プロセス：", "この問題を段階的に解いてみましょう。", "解答：", "かいせつ",
        "Proceso de pensamiento:", "Resolvamos este problema paso a paso.", "Solución:", "solucion", "Respuesta",
        "Processus de réflexion :", "Résolvons ce problème étape par étape.", "Solution :", "Réponse :",
        "Denkprozess:", "Lösen wir dieses Problem Schritt für Schritt.", "Lösung:", "Lösung",
        "Процесс мышления:", "Давайте решим эту задачу шаг за шагом.", "Решение:", "Ответ",
        "ＳＯＬＵＴＩＯＮ：", "Thought process:\n\nSolution:\n"
      })
  void contentFreeResponsesAreMasterKeys(String response) {
    assertThat(JudgeGuard.isMasterKey(response)).as("%s", response).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "42", "The answer is 42.", "Solution: 42", "Solution: x = 3", "解：x=3", "Ответ: 7",
        "Let's solve this problem step by step. 6 * 7 = 42.", "Thought process: 6 times 7 is 42, so 42.",
        "No.", "Yes", "Paris", "Respuesta: París", "Lösung: 12"
      })
  void responsesWithContentGoToTheJudge(String response) {
    assertThat(JudgeGuard.isMasterKey(response)).as("%s", response).isFalse();
  }

  @org.junit.jupiter.api.Test
  void aNullResponseIsAMasterKey() {
    assertThat(JudgeGuard.isMasterKey(null)).isTrue();
  }

  @org.junit.jupiter.api.Test
  void repeatedOpenersAreStillMasterKeysAndLongAnswersAreNot() {
    assertThat(JudgeGuard.isMasterKey("Solution: ".repeat(500))).isTrue();
    assertThat(JudgeGuard.isMasterKey("Solution: ".repeat(500) + "42")).isFalse();
    assertThat(JudgeGuard.isMasterKey("The answer is 42. ".repeat(10_000))).isFalse();
  }
}
