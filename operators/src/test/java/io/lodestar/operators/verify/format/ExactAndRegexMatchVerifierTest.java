package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ExactAndRegexMatchVerifierTest {

  @Test
  void exactComparesCharacterForCharacter() {
    ExactMatchVerifier exact = ExactMatchVerifier.exact();
    assertThat(exact.verify("Paris", "Paris").getValue()).isEqualTo(1.0);
    assertThat(exact.verify("Paris ", "Paris").getValue()).isEqualTo(0.0);
    assertThat(exact.verify("paris", "Paris").getValue()).isEqualTo(0.0);
  }

  @Test
  void normalisedIgnoresCaseAndWhitespaceRuns() {
    ExactMatchVerifier normalised = ExactMatchVerifier.normalised();
    assertThat(normalised.verify("  New\u00A0 york\n\tCITY ", "new york city").getValue())
        .isEqualTo(1.0);
    assertThat(normalised.verify("newyork city", "new york city").getValue()).isEqualTo(0.0);
    assertThat(
            new ExactMatchVerifier(ExactMatchVerifier.Whitespace.TRIM, false)
                .verify(" a  b\n", "a  b")
                .getValue())
        .isEqualTo(1.0);
  }

  @Test
  void missingExpectedIsUnscorable() {
    RewardComponent reward = ExactMatchVerifier.exact().verify("x", null);
    assertThat(reward.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(reward.getValue()).isNull();
    assertThat(ExactMatchVerifier.exact().verify(null, "x").getValue()).isEqualTo(0.0);
  }

  @Test
  void regexFullMatchAndFind() {
    assertThat(RegexMatchVerifier.fullMatch("\\d{3}-\\d{4}").verify("555-1234").getValue())
        .isEqualTo(1.0);
    assertThat(RegexMatchVerifier.fullMatch("\\d{3}-\\d{4}").verify("call 555-1234").getValue())
        .isEqualTo(0.0);
    assertThat(RegexMatchVerifier.find("\\d{3}-\\d{4}").verify("call 555-1234").getValue())
        .isEqualTo(1.0);
    assertThat(RegexMatchVerifier.find("x").verify(null).getValue()).isEqualTo(0.0);
  }

  @Test
  void regexOverTheLengthCapScoresZeroUnmatched() {
    RegexMatchVerifier verifier =
        new RegexMatchVerifier(
            Pattern.compile(".*"), RegexMatchVerifier.MatchMode.FULL, 10, Duration.ofSeconds(1));
    RewardComponent reward = verifier.verify("x".repeat(11));
    assertThat(reward.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(reward.getValue()).isEqualTo(0.0);
    assertThat(reward.getDetail()).contains("over 10 chars");
  }

  @Test
  void catastrophicBacktrackingTimesOut() {
    // The match would run for ages, so the verdict alone shows the deadline stopped it; no
    // duration is asserted, which a loaded machine could stretch.
    RegexMatchVerifier verifier =
        new RegexMatchVerifier(
            Pattern.compile("(.*a){20}b"),
            RegexMatchVerifier.MatchMode.FULL,
            1_000,
            Duration.ofMillis(100));
    RewardComponent reward = verifier.verify("a".repeat(30) + "!");
    assertThat(reward.getStatus()).isEqualTo(RewardStatus.TIMEOUT);
    assertThat(reward.getDetail()).isEqualTo("match took over 100 ms");
    assertThat(reward.getValue()).isNull();
  }
}
