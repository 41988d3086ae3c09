package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * False-positive probes: pairs that look alike but are not the same answer. A reward that says
 * "correct" for any of them teaches a policy to be wrong, so the target is zero. Each prediction is
 * boxed and scored against the gold as the pipeline scores it. A true-positive set beside them
 * checks that soundness did not cost recall on answers that are equal.
 */
class MathVerifierSoundnessTest {

  private final MathVerifier verifier = new MathVerifier();

  /** {gold, prediction that differs}: the comment says why they differ. */
  private static final String[][] DIFFERENT = {
    // Domains: equal for x > 0 only, or never.
    {"\\sqrt{x^2}", "x"}, // |x|
    {"x", "\\sqrt{x^2}"},
    {"\\ln(x^2)", "2\\ln x"}, // defined for x < 0 on one side only
    {"2\\ln x", "\\ln(x^2)"},
    {"\\ln(xy)", "\\ln x + \\ln y"},
    {"\\sqrt{xy}", "\\sqrt{x}\\sqrt{y}"},
    {"|x|", "x"},
    {"x", "(\\sqrt{x})^2"}, // undefined for x < 0 on one side
    {"\\frac{|x|}{x}", "1"},
    {"\\arcsin(\\sin x)", "x"},
    {"\\sqrt{x^2 y^2}", "xy"}, // signs mixed
    {"e^{\\ln x}", "x"},
    {"x^{2/3}", "\\sqrt[3]{x}^3"},
    // Near-equal numbers and tolerances.
    {"x^2", "x^2+10^{-12}x"},
    {"x^2", "x^2 + 10^{-12}"},
    {"\\sin x", "\\sin x + 10^{-13}"},
    {"\\pi", "\\pi + 10^{-12}"},
    {"\\sqrt{2}", "\\sqrt{2} + 10^{-14}"},
    {"\\frac{1}{3}", "0.333"},
    {"\\frac{2}{3}", "0.666"},
    {"0.3", "0.30000000000000004"},
    {"0.3", "0.3000001"},
    {"1", "0.9999999"},
    {"1", "1.000000000001"},
    {"10^{-20}", "0"},
    {"10^{-20}", "0.0"},
    {"123456789012345678901234567890", "123456789012345678901234567891"},
    {"2^{64}", "18446744073709551615"},
    {"10^{100}", "10^{100}+1"},
    {"123456789.5", "123456789.6"},
    {"\\frac{22}{7}", "\\pi"},
    {"e", "2.718"},
    {"\\frac{\\pi}{2}", "1.57"},
    // Intervals, sets, tuples.
    {"[1, 2]", "[2, 1]"},
    {"(1, 2)", "[1, 2]"},
    {"[1, 2)", "(1, 2]"},
    {"(0, \\infty)", "[0, \\infty)"},
    {"(-\\infty, \\infty)", "(0, \\infty)"},
    {"\\{1, 2\\}", "(1, 2)"},
    {"(1, 2)", "\\{1, 2\\}"},
    {"(3, 4)", "(4, 3)"},
    {"(1, 2, 3)", "(1, 3, 2)"},
    {"\\{1, 2, 3\\}", "\\{1, 2\\}"},
    {"(1, 2, 3)", "(1, 2)"},
    {"\\{1, 2\\}", "\\{1, 2, 3\\}"},
    {"[1, 2] \\cup [3, 4]", "[1, 4]"},
    {"\\emptyset", "0"},
    // Signs and \pm.
    {"3", "-3"},
    {"a - b", "b - a"},
    {"\\frac{x-1}{x+1}", "\\frac{x+1}{x-1}"},
    {"\\pm 3", "3"},
    {"3", "\\pm 3"},
    {"\\pm 3", "\\{3, 4\\}"},
    {"1 \\pm \\sqrt{2}", "1 + \\sqrt{2}"},
    {"\\infty", "-\\infty"},
    // Relations.
    {"x < 2", "x > 2"},
    {"x \\le 2", "x < 2"},
    {"x = 2", "x = -2"},
    {"y = 2x + 1", "y = 2x - 1"},
    {"x > 2", "(-\\infty, 2)"},
    {"4", "2x = 4"},
    {"(1, 2)", "(x, y) = (2, 1)"},
    // Units, percent, times.
    {"5 \\text{ km}", "5 \\text{ cm}"},
    {"3 \\text{ ft}^2", "3 \\text{ ft}"},
    {"18", "18 \\text{ dozen}"},
    {"7", "7 \\text{ thousand}"},
    {"0.28", "28\\%"},
    {"28", "0.28"},
    {"12:00", "1:00"},
    {"1:00", "12:00"},
    {"3:30", "3:03"},
    // Letters and words.
    {"\\text{(C)}", "\\text{(D)}"},
    {"C", "c"},
    {"\\text{yes}", "\\text{no}"},
    // Complex look-alikes: conjugates, swapped parts, i and -i, identities true only on the reals.
    {"3+4i", "3-4i"},
    {"3+4i", "4+3i"},
    {"i", "-i"},
    {"1+i", "1-i"},
    {"2i", "2"},
    {"i", "1"},
    {"i^2", "1"},
    {"\\overline{3+4i}", "3+4i"},
    {"\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i", "\\frac{\\sqrt{3}}{2}+\\frac{1}{2}i"},
    {"e^{i\\pi/3}", "e^{-i\\pi/3}"},
    {"e^{i\\theta}", "\\cos\\theta - i\\sin\\theta"},
    {"\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i", "0.5+0.866i"},
    {"1+10^{-20}i", "1"},
    {"7", "3+4\\mathrm{i}"},
    {"-1", "\\sqrt{-1}"},
    {"\\overline{z}", "z"},
    {"|z|^2", "z^2"},
    {"z \\bar z", "z^2"},
    {"\\sqrt{z^2}", "z"},
    {"\\ln(z^2)", "2\\ln z"},
    {"\\frac{1}{z}", "\\frac{\\bar z}{|z|}"},
    {"\\bar{x}", "x"},
    // Equations: the value a function takes, not its argument; conditions are not values.
    {"2", "f(2) = 1"},
    {"4", "2f(1) = 4"},
    {"1", "x(x+1) = 1"},
    {"x", "g(x) = x^2"},
    // Degrees: a degree is not a radian; a mark inside a function is not dropped.
    {"\\frac{\\pi}{6}", "30"},
    {"\\frac{1}{2}", "\\sin 30"},
    {"\\sin 30^\\circ", "\\sin 30"},
    {"5^\\circ", "5 \\text{ rad}"},
    {"60^\\circ", "30^\\circ"},
    {"f \\circ g", "fg"},
    {"0", "0.\\overline{3}"},
    // Structure of expressions.
    {"\\sin^2 x", "\\sin x^2"},
    {"a^{b^c}", "(a^b)^c"},
    {"x^2 y", "x y^2"},
    {"\\log_2 8", "\\log_8 2"},
    {
      "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
      "\\begin{pmatrix}1 & 3 \\\\ 2 & 4\\end{pmatrix}"
    },
    {"\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}", "\\begin{pmatrix}1 & 2\\end{pmatrix}"},
  };

  /** {gold, prediction equal to it}. */
  private static final String[][] EQUAL = {
    {"\\frac{1}{2}", "0.5"},
    {"0.1+0.2", "0.3"},
    {"\\frac{1}{3}", "0.333333"},
    {"\\sqrt{2}", "1.414214"},
    {"x^2-1", "(x-1)(x+1)"},
    {"\\frac{x^2-1}{x-1}", "x+1"}, // equal wherever both are defined
    {"\\frac{x}{x}", "1"},
    {"|x|", "\\sqrt{x^2}"},
    {"2\\ln|x|", "\\ln(x^2)"},
    {"\\sqrt[3]{x^3}", "x"},
    {"\\sqrt[3]{-27}", "-3"},
    {"\\sin x", "\\cos(x - \\frac{\\pi}{2})"},
    {"\\frac{1}{x-1}", "-\\frac{1}{1-x}"},
    {"\\tan^2 y + 1", "\\sec^2 y"},
    {"e^{x} e^{x}", "e^{2x}"},
    {"\\frac{\\sqrt{x}}{x}", "\\frac{1}{\\sqrt{x}}"},
    {"(a+b)^3", "a^3 + 3a^2 b + 3 a b^2 + b^3"},
    {"10^{100}", "10^{100}"},
    {"123456789012345678901234567890", "123456789012345678901234567890"},
    {"\\pm 3", "\\{-3, 3\\}"},
    {"\\{-3, 3\\}", "\\pm 3"},
    {"[1, 2)", "1 \\le x < 2"},
    {"(2, \\infty)", "x > 2"},
    {"x > 2", "(2, \\infty)"},
    {"(-\\infty, 5]", "x \\le 5"},
    {"(1, 2)", "(x, y) = (1, 2)"},
    {"3", "f(x) = 3"},
    {"\\text{(C)}", "C"},
    {"C", "\\text{C}"},
    {"18", "18 \\text{ muffins}"},
    {"5 \\text{ km}", "5 \\text{ kilometers}"},
    {"36", "3 \\text{ dozen}"},
    {"12:00", "12:00"},
    {"2,\\!500", "2500"},
    {"\\infty", "\\infty"},
    {"\\frac{\\pi}{2}", "1.570796"},
    {"3+4i", "4i+3"},
    {"-1", "i^2"},
    {"-1", "e^{i\\pi}"},
    {"i", "\\sqrt{-1}"},
    {"3-4i", "\\overline{3+4i}"},
    {"1+i", "\\frac{2}{1-i}"},
    {"|z|^2", "z\\overline{z}"},
    {"\\{2+3i, 2-3i\\}", "2 \\pm 3i"},
    {"-\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i", "e^{2\\pi i/3}"},
    {"5", "f(3) = 5"},
    {"x^2+1", "g(x) = x^2+1"},
    {"\\frac{1}{2}", "\\sin 30^\\circ"},
    {"-1", "\\cos 180^{\\circ}"},
    {"45", "45^\\circ"},
    {"\\frac{\\pi}{4}", "45°"},
    {"\\frac{1}{3}", "0.\\overline{3}"},
    {"0", "\\sin \\pi"},
    {"0", "\\cos\\frac{\\pi}{2}"},
    {"1", "\\sin^2 x + \\cos^2 x"},
    {
      "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{15+2\\sqrt{33}}",
      "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{2\\sqrt{33}+15}"
    },
  };

  private boolean equal(String gold, String predicted) {
    Double value =
        verifier.verify("So the answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @Test
  void shouldNeverCallALookAlikeEqual() {
    List<String> falsePositives = new ArrayList<>();
    for (String[] pair : DIFFERENT) {
      if (equal(pair[0], pair[1])) {
        falsePositives.add(pair[0] + "  vs  " + pair[1]);
      }
    }
    System.out.printf(
        "Soundness probes: %d false EQUIVALENT of %d look-alike pairs%n",
        falsePositives.size(), DIFFERENT.length);
    assertThat(falsePositives).as("look-alike pairs scored equal").isEmpty();
  }

  @Test
  void shouldStillCallEqualAnswersEqual() {
    List<String> misses = new ArrayList<>();
    for (String[] pair : EQUAL) {
      if (!equal(pair[0], pair[1])) {
        misses.add(pair[0] + "  vs  " + pair[1]);
      }
    }
    System.out.printf(
        "Soundness probes: %d of %d equal pairs recognised%n",
        EQUAL.length - misses.size(), EQUAL.length);
    assertThat(misses).as("equal pairs scored different").isEmpty();
  }

  @Test
  void shouldKeepBothDirectionsOfADifferenceApart() {
    // Symmetry: a difference found one way round is found the other way round too.
    List<String> falsePositives = new ArrayList<>();
    for (String[] pair : DIFFERENT) {
      if (equal(pair[1], pair[0])) {
        falsePositives.add(pair[1] + "  vs  " + pair[0]);
      }
    }
    assertThat(falsePositives)
        .as("look-alike pairs, gold and prediction swapped, scored equal")
        .isEmpty();
  }

  @Test
  void shouldTreatADomainMismatchAsADifferenceButSkipPointsWhereNeitherIsDefined() {
    Config config = Config.defaults();
    // Both undefined for x < 0: compared where both exist.
    assertThat(verifier.verify("$\\sqrt{x}\\sqrt{x^3}$", "$x^2$", config).equivalent()).isFalse();
    assertThat(
            verifier
                .verify(
                    "$\\sqrt{x}\\sqrt{x^3}$",
                    "$\\sqrt{x^4}\\cdot\\frac{\\sqrt{x}}{\\sqrt{x}}$",
                    config)
                .equivalent())
        .isTrue();
    assertThat(verifier.verify("$\\ln(x) + \\ln(x)$", "$\\ln(x^2)$", config).equivalent())
        .isFalse();
    assertThat(verifier.verify("$\\ln(x) + \\ln(x)$", "$2\\ln(x)$", config).equivalent()).isTrue();
  }
}
