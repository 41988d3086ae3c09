package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Relations whose sides are not rational functions (compared by sampling), identities, chains,
 * inequalities against intervals, matrices and subscripted names, each boxed in a response and
 * compared with a bare gold.
 */
class RelationsAndStructuresTest {

  private final MathVerifier verifier = new MathVerifier();

  private boolean same(String gold, String predicted) {
    Double value = verifier.verify("The answer is $\\boxed{" + predicted + "}$.", gold).getValue();
    return Double.valueOf(1.0).equals(value);
  }

  @ParameterizedTest(name = "{0} equals {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Equations and inequalities with radicals or trigonometry: proportional differences.
        "y = \\sqrt{x} | 2y = 2\\sqrt{x}",
        "y = \\sqrt{x} | -y = -\\sqrt{x}",
        "y < \\sin x | 2y < 2\\sin x",
        "y \\geq e^{x} | 3e^{x} \\leq 3y",
        // Identities: both differences vanish everywhere.
        "\\sin^2 x + \\cos^2 x = 1 | \\cos^2 x = 1 - \\sin^2 x",
        "x + y = y + x | 2x = x + x",
        // Chains, either direction.
        "1 < x < 3 | 3 > x > 1",
        "0 \\le t < 5 | 5 > t \\ge 0",
        // A gold inequality describes an interval; the pipeline's default also reads it the other
        // way.
        "x > 3 | (3, \\infty)",
        "x \\le 2 | (-\\infty, 2]",
        "[2, \\infty) | x \\geq 2",
        // Matrices: products, sums, scaling, division by a number, variables in entries.
        "\\begin{pmatrix}3\\\\7\\end{pmatrix} | \\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}\\begin{pmatrix}1\\\\1\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | 2\\begin{pmatrix}1&2\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | \\begin{pmatrix}1&2\\end{pmatrix}\\cdot 2",
        "\\begin{pmatrix}1&2\\end{pmatrix} | \\begin{pmatrix}2&4\\end{pmatrix}/2",
        "\\begin{pmatrix}4&6\\end{pmatrix} | \\begin{pmatrix}1&2\\end{pmatrix}+\\begin{pmatrix}3&4\\end{pmatrix}",
        "\\begin{pmatrix}-2&-2\\end{pmatrix} | \\begin{pmatrix}1&2\\end{pmatrix}-\\begin{pmatrix}3&4\\end{pmatrix}",
        "\\begin{pmatrix}x&0\\end{pmatrix} | x\\begin{pmatrix}1&0\\end{pmatrix}",
        "\\begin{pmatrix}\\sqrt{2}&1\\end{pmatrix} | \\begin{pmatrix}\\sqrt{8}/2&1\\end{pmatrix}",
        // Subscripted and primed names are names.
        "x_1 + x_2 | x_2 + x_1",
        "a_{n+1} | a_{n+1}",
        "x_{12} | x_{12}",
        "x_12 | 2x_1",
        "f'(x) | f'(x)",
      })
  void equivalent(String gold, String predicted) {
    assertThat(same(gold, predicted)).isTrue();
  }

  @ParameterizedTest(name = "{0} differs from {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "y = \\sqrt{x} | y = 2\\sqrt{x}",
        "y = \\sqrt{x} | y^2 = x",
        "y < \\sin x | -2y < -2\\sin x",
        "y < \\sin x | y < \\cos x",
        "x + y = y + x | x = 1",
        "1 < x < 3 | 1 \\le x < 3",
        "1 < x < 3 | 1 < x \\le 3",
        "1 < x < 3 | 1 < x < 4",
        "1 < x < 3 | 0 < x < 3",
        "1 < x < 3 | 1 < y < 3",
        "x > 3 | [3, \\infty)",
        "x < 2 | (-\\infty, 2]",
        "\\begin{pmatrix}1&2\\end{pmatrix} | \\begin{pmatrix}1\\\\2\\end{pmatrix}",
        "\\begin{pmatrix}1&2\\end{pmatrix} | \\begin{pmatrix}1&2&0\\end{pmatrix}",
        "\\begin{pmatrix}3\\\\7\\end{pmatrix} | \\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}\\begin{pmatrix}1\\\\2\\end{pmatrix}",
        "\\begin{pmatrix}2&4\\end{pmatrix} | 3\\begin{pmatrix}1&2\\end{pmatrix}",
        "\\begin{pmatrix}4&6\\end{pmatrix} | \\begin{pmatrix}1&2\\end{pmatrix}+\\begin{pmatrix}3&5\\end{pmatrix}",
        "\\begin{pmatrix}1&2\\end{pmatrix} | \\begin{pmatrix}1&2\\end{pmatrix}+\\begin{pmatrix}3\\\\4\\end{pmatrix}",
        "x_1 | x_2",
        "a_{n+1} | a_n + 1",
        "x_{12} | x_1",
      })
  void different(String gold, String predicted) {
    assertThat(same(gold, predicted)).isFalse();
  }
}
