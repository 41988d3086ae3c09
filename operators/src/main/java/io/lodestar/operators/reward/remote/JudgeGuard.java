package io.lodestar.operators.reward.remote;

import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.Optional;

/**
 * Keeps "master key" responses from the judge: text with no answer in it, such as {@code :}, "Step
 * 1:", an empty {@code <think></think>}, "The answer is", "Let's think step by step." or "答案是",
 * which generative judges are known to reward. The guard tests content, not phrases: {@link
 * ResponseSubstance} takes away template tokens, reasoning blocks, step labels, markup,
 * punctuation, labels and scaffolding vocabulary, and then
 *
 * <ul>
 *   <li>a <b>math task whose reference is a math answer</b> (the math verifier can extract one from
 *       it) needs an answer the math verifier extracts from the response, with at least one content
 *       word in it ({@link Assessment#NO_EXTRACTABLE_ANSWER} otherwise);
 *   <li>any <b>other task</b>, with or without a reference, needs substance: at least one letter or
 *       digit in a content word ({@link Assessment#NO_SUBSTANCE} otherwise). One is enough, so
 *       "42", "x", "Paris" and "是" are judged; the stripping, not a length threshold, does the
 *       work.
 * </ul>
 *
 * <p>What a caught response gets is {@code judge.guard} ({@link GuardPolicy}). Stateless and
 * thread-safe; the cost is linear in the response's length, plus one answer extraction for math.
 */
public final class JudgeGuard {

  /** Whether a response goes to the judge, and if not, why. */
  public enum Assessment {
    /** Has an answer: the judge decides. */
    ANSWER,
    /** Nothing is left once the content-free parts are taken away. */
    NO_SUBSTANCE,
    /** A math task with a math reference, and the response has no answer to compare with it. */
    NO_EXTRACTABLE_ANSWER
  }

  private static final MathVerifier EXTRACTOR = new MathVerifier();

  private JudgeGuard() {}

  /** True when a response to an open task (no reference) has no substance. */
  public static boolean isMasterKey(String response) {
    return assess(response, null) != Assessment.ANSWER;
  }

  /** True when the response must not reach the judge for {@code task} (null: an open task). */
  public static boolean isMasterKey(String response, TaskMetadata task) {
    return assess(response, task) != Assessment.ANSWER;
  }

  public static Assessment assess(String response, TaskMetadata task) {
    if (response == null) {
      return Assessment.NO_SUBSTANCE;
    }
    if (hasMathReference(task)) {
      Optional<String> answer = EXTRACTOR.extract(ResponseSubstance.visibleAnswer(response));
      boolean substantial =
          answer.isPresent()
              && ResponseSubstance.lettersAndDigits(ResponseSubstance.contentWordsOf(answer.get()))
                  > 0;
      return substantial ? Assessment.ANSWER : Assessment.NO_EXTRACTABLE_ANSWER;
    }
    return ResponseSubstance.substance(response) > 0 ? Assessment.ANSWER : Assessment.NO_SUBSTANCE;
  }

  /**
   * A math task whose reference the math verifier reads as an answer. A reference it cannot read (a
   * word such as "Tuesday", a proof) leaves the response to the substance rule, so short word
   * answers the extractor does not recognise are still judged.
   */
  private static boolean hasMathReference(TaskMetadata task) {
    if (task == null || task.getKind() != TaskKind.MATH) {
      return false;
    }
    String reference = task.getGroundTruth();
    return reference != null && !reference.isBlank() && EXTRACTOR.extract(reference).isPresent();
  }
}
