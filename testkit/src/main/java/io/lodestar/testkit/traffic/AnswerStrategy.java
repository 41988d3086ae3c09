package io.lodestar.testkit.traffic;

import io.lodestar.testkit.traffic.MathProblems.Problem;
import io.lodestar.testkit.traffic.MathProblems.Solution;
import io.lodestar.testkit.traffic.ResponseWriter.Written;
import java.math.BigDecimal;
import java.util.Random;

/**
 * How a simulated response goes about a problem: the actions of the learnable {@link
 * TabularPolicy}. Only {@link #RIGHT_METHOD} reaches the reference answer; each other one is a
 * habit a math verifier marks wrong, so a policy that learns from verifier rewards moves its mass
 * onto {@link #RIGHT_METHOD}.
 */
public enum AnswerStrategy {
  /** The reference working and answer. */
  RIGHT_METHOD("right-method"),
  /** The right working, then a final answer one off. */
  OFF_BY_ONE("off-by-one"),
  /** The right working, then the answer in another unit (cents for dollars, a factor 60 else). */
  UNIT_SLIP("unit-slip"),
  /** A slip at one step of the working, carried consistently to a wrong answer. */
  STEP_SLIP("step-slip"),
  /** Restates and pads until the token limit cuts it off before any answer. */
  VERBOSE_PADDING("verbose-padding");

  private final String id;

  AnswerStrategy(String id) {
    this.id = id;
  }

  /** The name used in generations' sampling parameters and in policy files. */
  public String id() {
    return id;
  }

  /** The strategy named {@code id}; throws for a name no strategy has. */
  public static AnswerStrategy fromId(String id) {
    for (AnswerStrategy strategy : values()) {
      if (strategy.id.equals(id)) {
        return strategy;
      }
    }
    throw new IllegalArgumentException("unknown answer strategy '" + id + "'");
  }

  Written write(ResponseWriter writer, Problem problem, Solution reference, Random rnd) {
    BigDecimal answer = reference.answer().value();
    return switch (this) {
      case RIGHT_METHOD -> writer.answered(problem, reference);
      case OFF_BY_ONE -> {
        BigDecimal offBy = BigDecimal.ONE;
        boolean down = rnd.nextBoolean() && answer.compareTo(BigDecimal.ONE) > 0;
        yield writer.answered(
            problem, withAnswer(reference, down ? answer.subtract(offBy) : answer.add(offBy)));
      }
      case UNIT_SLIP -> {
        BigDecimal factor = BigDecimal.valueOf(reference.answer().money() ? 100 : 60);
        yield writer.answered(problem, withAnswer(reference, answer.multiply(factor)));
      }
      case STEP_SLIP ->
          writer.answered(problem, TrafficSimulator.wrongSolution(rnd, problem, reference));
      case VERBOSE_PADDING -> writer.padded(problem, reference, answer);
    };
  }

  private static Solution withAnswer(Solution reference, BigDecimal value) {
    return new Solution(reference.steps(), reference.answer().withValue(value));
  }
}
