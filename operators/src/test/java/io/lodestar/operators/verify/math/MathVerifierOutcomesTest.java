package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import io.lodestar.operators.verify.math.MathVerifier.Outcome;
import io.lodestar.operators.verify.math.MathVerifier.Verdict;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import org.junit.jupiter.api.Test;

/** What a score says beside its value: the status, the detail, and how a failure is reported. */
class MathVerifierOutcomesTest {

  private final MathVerifier verifier = new MathVerifier();

  /** A clock that moves a second each time it is read: any budget runs out at once. */
  private static final Budget.NanoClock RACING =
      new Budget.NanoClock() {
        private static final long serialVersionUID = 1L;
        private long now;

        @Override
        public long nanoTime() {
          now += 1_000_000_000L;
          return now;
        }
      };

  private static final Budget.NanoClock BROKEN =
      () -> {
        throw new IllegalStateException("no clock");
      };

  private static void assertComponent(
      RewardComponent component, Double value, RewardStatus status, String detail) {
    assertThat(component.getValue()).isEqualTo(value);
    assertThat(component.getStatus()).isEqualTo(status);
    assertThat(component.getDetail()).isEqualTo(detail);
    assertThat(component.getName()).isEqualTo(MathVerifier.NAME);
  }

  @Test
  void aMissingOrUnreadableGoldIsUnscorableAndSaysWhy() {
    assertComponent(
        verifier.verify("\\boxed{1}", null), null, RewardStatus.UNSCORABLE, "gold answer missing");
    assertComponent(
        verifier.verify("\\boxed{1}", "  "), null, RewardStatus.UNSCORABLE, "gold answer missing");
    assertComponent(
        verifier.verify("\\boxed{1}", "\\frac{"),
        null,
        RewardStatus.UNSCORABLE,
        "gold answer not parseable: \\frac{");
  }

  @Test
  void theDetailNamesTheAnswerFoundOrItsAbsence() {
    assertComponent(verifier.verify(null, "1"), 0.0, RewardStatus.OK, "no answer found");
    assertComponent(verifier.verify("\\boxed{2}", "2"), 1.0, RewardStatus.OK, "answer=2");
    assertComponent(verifier.verify("\\boxed{3}", "2"), 0.0, RewardStatus.OK, "answer=3");
  }

  @Test
  void theDetailKeepsFortyEightCharactersOfTheAnswer() {
    String fortyEight = "10" + "+1".repeat(23);
    String fortyNine = "100" + "+1".repeat(23);

    assertThat(verifier.verify("\\boxed{" + fortyEight + "}", "33").getDetail())
        .isEqualTo("answer=" + fortyEight);
    assertThat(verifier.verify("\\boxed{" + fortyNine + "}", "123").getDetail())
        .isEqualTo("answer=" + fortyNine.substring(0, 48) + "...");
  }

  @Test
  void anAnswerOfAThousandCharactersIsReadAndALongerOneIsNot() {
    String thousand = "10" + "+0".repeat(499);
    String longer = "100" + "+0".repeat(499);

    assertThat(verifier.verify("\\boxed{" + thousand + "}", "10").getValue()).isEqualTo(1.0);
    assertThat(verifier.verify("\\boxed{" + longer + "}", "100").getValue()).isEqualTo(0.0);
  }

  @Test
  void differentUnitsDisagreeButAUnitLeftOutIsNotHeldAgainstTheAnswer() {
    assertThat(verifier.verify("\\boxed{12 \\text{ cm}}", "12 \\text{ m}").getValue())
        .isEqualTo(0.0);
    assertThat(verifier.verify("\\boxed{12 \\text{ cm}}", "12 \\text{ cm}").getValue())
        .isEqualTo(1.0);
    assertThat(verifier.verify("\\boxed{12}", "12 \\text{ m}").getValue()).isEqualTo(1.0);
    assertThat(verifier.verify("\\boxed{12 \\text{ m}}", "12").getValue()).isEqualTo(1.0);
  }

  @Test
  void aWorkedSolutionAsGoldIsScoredByItsBoxedAnswer() {
    assertThat(verifier.verify("\\boxed{4}", "Since $2x = 8$, we get $\\boxed{4}$.").getValue())
        .isEqualTo(1.0);
    assertThat(verifier.verify("\\boxed{8}", "Since $2x = 8$, we get $\\boxed{4}$.").getValue())
        .isEqualTo(0.0);
  }

  @Test
  void aSpentBudgetIsUnscorableNeverAWrongVerdict() {
    MathVerifier racing = new MathVerifier(Config.defaults(), RACING);

    assertComponent(
        racing.verify("\\boxed{x^2+2x+1}", "(x+1)^2"),
        null,
        RewardStatus.UNSCORABLE,
        "verification time budget exceeded");
    assertThat(racing.verify("$(x+1)^2$", "$x^2+2x+1$", Config.defaults()))
        .isEqualTo(new Verdict(Outcome.BUDGET_EXCEEDED, null, null));
  }

  @Test
  void anUnexpectedFailureIsAnErrorResultNotAnException() {
    MathVerifier broken = new MathVerifier(Config.defaults(), BROKEN);

    assertComponent(
        broken.verify("\\boxed{1}", "1"),
        null,
        RewardStatus.ERROR,
        "verifier error: IllegalStateException");
    assertThat(broken.verify("$1$", "$1$", Config.defaults()))
        .isEqualTo(new Verdict(Outcome.NOT_EQUIVALENT, null, null));
    assertThat(broken.extract("\\boxed{1}")).isEmpty();
    assertThat(broken.extract("$1$", Config.defaults())).isEmpty();
  }
}
