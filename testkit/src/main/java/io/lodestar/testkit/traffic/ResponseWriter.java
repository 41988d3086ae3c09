package io.lodestar.testkit.traffic;

import io.lodestar.schema.FinishReason;
import io.lodestar.testkit.traffic.MathProblems.Amount;
import io.lodestar.testkit.traffic.MathProblems.Problem;
import io.lodestar.testkit.traffic.MathProblems.Solution;
import io.lodestar.testkit.traffic.MathProblems.Step;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a model-like response from a solution: varied phrasing, step-by-step working and a final
 * answer in one of the formats real models use, or a response that never gets to an answer.
 */
final class ResponseWriter {

  /** A number as it appears in text: {@code 1,234.50}, {@code 42}, {@code 0.5}. */
  private static final Pattern NUMBER = Pattern.compile("\\d[\\d,]*(?:\\.\\d+)?");

  record Written(String text, FinishReason finishReason) {}

  /** Per-response habits, so that samples of one prompt read differently. */
  private record Style(String times, String divide, boolean groupThousands, boolean paragraphs) {}

  private static final String[] INTROS = {
    "Let's solve this step by step.", "Let me work through this carefully.",
        "We can break this into steps.",
    "Sure! Here's how to work it out.", "Okay, let's figure this out.", ""
  };
  private static final String[] FIRST = {"First, ", "To start, ", ""};
  private static final String[] MIDDLE = {"Next, ", "Then ", "After that, ", ""};
  private static final String[] LAST = {"Finally, ", "So ", "That means "};
  private static final String[] TRAIL_OFFS = {
    "Hmm, I'm not sure how the remaining quantities combine here. Let me re-read the question.",
    "Wait, that doesn't look right, I may have mixed up what the question asks for.",
    "From here the rest follows the same way.",
    "I'll leave the last step as an exercise, since it works exactly like the ones above."
  };
  private static final String[] SIGN_OFFS = {
    "",
    "",
    "",
    "\n\nLet me know if you'd like me to explain any step in more detail.",
    "\n\nHope this helps!"
  };

  private static final String[] PADDING = {
    "Before we begin, it is worth noting that problems like this one come up all the time.",
    "There are many ways to think about it, and it helps to consider each of them in turn.",
    "We should be careful to read every number in the question and consider what it means.",
    "It is also a good idea to think about the units involved and whether they match up.",
    "With all of that in mind, let us now carefully consider the approach we will take here."
  };

  private final Random rnd;

  ResponseWriter(Random rnd) {
    this.rnd = rnd;
  }

  /** A full response that ends in {@code solution.answer()}, right or wrong. */
  Written answered(Problem problem, Solution solution) {
    Style style = style();
    String text =
        maybeThink(problem)
            + working(problem, solution, style, solution.steps().size())
            + "\n\n"
            + finalAnswer(solution.answer(), style)
            + pick(SIGN_OFFS);
    return new Written(text, FinishReason.STOP);
  }

  /**
   * A response with no final answer: either the model trails off before the last step, or it is cut
   * off by the token limit mid-sentence. Its last number is never the reference answer, so even a
   * lenient extractor that takes the last number cannot credit it by accident.
   */
  Written unanswered(Problem problem, Solution solution, BigDecimal reference) {
    Style style = style();
    int steps = solution.steps().size();
    String text;
    FinishReason finishReason;
    if (rnd.nextBoolean()) {
      text =
          maybeThink(problem)
              + working(problem, solution, style, steps - 1)
              + " "
              + pick(TRAIL_OFFS);
      finishReason = FinishReason.STOP;
    } else {
      String full = maybeThink(problem) + working(problem, solution, style, steps);
      int cut = (int) (full.length() * (0.5 + 0.45 * rnd.nextDouble()));
      text = full.substring(0, cut);
      finishReason = FinishReason.LENGTH;
    }
    return new Written(withoutTrailingReference(text, reference), finishReason);
  }

  /**
   * A padded response: it restates the question and hedges at length, and the token limit cuts it
   * off before any answer. Its last number is never the reference answer.
   */
  Written padded(Problem problem, Solution solution, BigDecimal reference) {
    StringBuilder text = new StringBuilder("Great question! Let me restate it to be sure. ");
    text.append(problem.question()).append("\n\n");
    for (String filler : PADDING) {
      text.append(filler).append(' ');
    }
    text.append("\n\n").append(working(problem, solution, style(), solution.steps().size()));
    int cut = (int) (text.length() * (0.75 + 0.2 * rnd.nextDouble()));
    return new Written(
        withoutTrailingReference(text.substring(0, cut), reference), FinishReason.LENGTH);
  }

  private Style style() {
    return new Style(
        pick(new String[] {"×", "×", "*", "x"}),
        pick(new String[] {"÷", "/"}),
        rnd.nextDouble() < 0.6,
        rnd.nextBoolean());
  }

  private String maybeThink(Problem problem) {
    if (rnd.nextDouble() >= 0.06) {
      return "";
    }
    return "<think>\nOkay, the user wants a word problem solved. "
        + problem.plan()
        + " I'll keep the arithmetic explicit so it is easy to check.\n</think>\n\n";
  }

  /** Intro, plan and the first {@code stepCount} steps of the solution. */
  private String working(Problem problem, Solution solution, Style style, int stepCount) {
    String intro = pick(INTROS);
    String plan = rnd.nextDouble() < 0.7 ? problem.plan() : "";
    StringBuilder text = new StringBuilder((intro + " " + plan).strip());
    List<Step> steps = solution.steps();
    String separator = style.paragraphs() ? "\n\n" : "\n";
    for (int i = 0; i < stepCount; i++) {
      // Connectors follow the full solution, so a truncated response still reads like an unfinished
      // one.
      String connector = i == 0 ? pick(FIRST) : i == steps.size() - 1 ? pick(LAST) : pick(MIDDLE);
      String sentence =
          connector + steps.get(i).label() + " " + expression(steps.get(i), style) + ".";
      text.append(text.length() == 0 ? "" : separator).append(capitalise(sentence));
    }
    return text.toString();
  }

  private String expression(Step step, Style style) {
    List<Amount> operands = step.operands();
    String lhs;
    if (step.op() == MathProblems.Op.PERCENT_OF) {
      lhs = render(operands.get(0), style) + "% of " + render(operands.get(1), style);
    } else {
      String symbol =
          switch (step.op()) {
            case PLUS -> " + ";
            case MINUS -> " - ";
            case TIMES -> " " + style.times() + " ";
            case DIVIDE -> " " + style.divide() + " ";
            case PERCENT_OF -> throw new IllegalStateException();
          };
      List<String> parts = new ArrayList<>();
      for (Amount operand : operands) {
        parts.add(render(operand, style));
      }
      lhs = String.join(symbol, parts);
    }
    return lhs + " = " + render(step.result(), style);
  }

  private String finalAnswer(Amount answer, Style style) {
    String bare = number(answer.value(), false, 0);
    String shown =
        answer.money()
            ? "$" + number(answer.value(), style.groupThousands(), rnd.nextBoolean() ? 2 : 0)
            : number(answer.value(), style.groupThousands(), 0);
    return switch (rnd.nextInt(6)) {
      case 0 -> "#### " + bare;
      case 1 -> "The answer is " + shown + ".";
      case 2 -> "Therefore, the answer is \\boxed{" + bare + "}.";
      case 3 -> "A: " + shown;
      case 4 -> "**Final answer:** " + shown;
      default -> "Answer: " + shown;
    };
  }

  private static String render(Amount amount, Style style) {
    if (amount.money()) {
      return "$" + number(amount.value(), style.groupThousands(), 2);
    }
    String number = number(amount.value(), style.groupThousands(), 0);
    return amount.unit() == null ? number : number + " " + amount.unit();
  }

  /**
   * Formats with at least {@code minScale} decimals (cents for money) and no trailing zeros beyond
   * them. Money shown with {@code minScale} 0 keeps its cents when they are not zero.
   */
  private static String number(BigDecimal value, boolean groupThousands, int minScale) {
    int scale = Math.max(minScale, Math.max(0, value.stripTrailingZeros().scale()));
    return String.format(Locale.ROOT, "%" + (groupThousands ? "," : "") + "." + scale + "f", value);
  }

  /**
   * Cuts the text back until its last number is not the reference answer (or no number is left).
   */
  private static String withoutTrailingReference(String text, BigDecimal reference) {
    String remaining = text;
    while (true) {
      Matcher matcher = NUMBER.matcher(remaining);
      int lastStart = -1;
      String last = null;
      while (matcher.find()) {
        lastStart = matcher.start();
        last = matcher.group();
      }
      if (last == null || new BigDecimal(last.replace(",", "")).compareTo(reference) != 0) {
        return remaining.stripTrailing();
      }
      remaining = remaining.substring(0, lastStart);
    }
  }

  private static String capitalise(String sentence) {
    return sentence.isEmpty()
        ? sentence
        : Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
  }

  private String pick(String[] options) {
    return options[rnd.nextInt(options.length)];
  }
}
