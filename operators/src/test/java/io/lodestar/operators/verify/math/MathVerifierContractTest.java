package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import io.lodestar.operators.verify.math.MathVerifier.Outcome;
import io.lodestar.operators.verify.math.MathVerifier.Verdict;
import org.junit.jupiter.api.Test;

/** The verifier's configuration limits and its Math-Verify-style comparison and extraction. */
class MathVerifierContractTest {

  private final MathVerifier verifier = new MathVerifier();
  private final Config defaults = Config.defaults();

  private static Config config(int floatRounding, long timeoutMillis, int examinedChars) {
    return new Config(true, true, floatRounding, true, true, timeoutMillis, examinedChars);
  }

  @Test
  void configurationLimitsAreInclusive() {
    assertThat(config(0, 1, 100).floatRounding()).isZero();
    assertThat(config(15, 1, 100).floatRounding()).isEqualTo(15);
    assertThatThrownBy(() -> config(-1, 1, 100)).hasMessageContaining("floatRounding");
    assertThatThrownBy(() -> config(16, 1, 100)).hasMessageContaining("floatRounding");
    assertThatThrownBy(() -> config(6, 0, 100)).hasMessageContaining("timeoutMillis");
    assertThatThrownBy(() -> config(6, 1, 99)).hasMessageContaining("examinedChars");
    assertThatThrownBy(() -> new Config(false, false, 6, true, true, 1, 100))
        .hasMessageContaining("expressionExtraction");
  }

  @Test
  void aComparisonReportsWhatItComparedAndWhyItCouldNot() {
    assertThat(verifier.verify("$\\frac{1}{2}$", "$0.5$", defaults))
        .isEqualTo(new Verdict(Outcome.EQUIVALENT, "\\frac{1}{2}", "0.5"));
    assertThat(verifier.verify("$2$", "$3$", defaults))
        .isEqualTo(new Verdict(Outcome.NOT_EQUIVALENT, "2", "3"));
    assertThat(verifier.verify("$2$", "no answer here", defaults))
        .isEqualTo(new Verdict(Outcome.NO_ANSWER, "2", null));
    assertThat(verifier.verify("$\\frac{$", "$2$", defaults).outcome())
        .isEqualTo(Outcome.GOLD_UNPARSEABLE);
  }

  @Test
  void extractionReturnsTheAnswerAsWrittenAndNothingForNoText() {
    assertThat(verifier.extract("So the result is $\\boxed{\\frac{3}{4}}$."))
        .contains("\\frac{3}{4}");
    assertThat(verifier.extract(null)).isEmpty();
    assertThat(verifier.extract("the value is $x^2$", defaults)).contains("x^2");
    assertThat(verifier.extract(null, defaults)).isEmpty();
  }

  @Test
  void aGoldSeenBeforeGivesTheSameVerdict() {
    for (int i = 0; i < 3; i++) {
      assertThat(
              verifier.verify("The answer is $\\boxed{\\frac{2}{4}}$.", "\\frac{1}{2}").getValue())
          .isEqualTo(1.0);
      assertThat(verifier.verify("The answer is $\\boxed{3}$.", "\\frac{1}{2}").getValue())
          .isEqualTo(0.0);
    }
  }
}
