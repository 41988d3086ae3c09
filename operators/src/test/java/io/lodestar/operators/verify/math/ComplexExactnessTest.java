package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Complex values beyond double precision are compared exactly; identities hold alike; with strict
 * off, complex variables may be renamed.
 */
class ComplexExactnessTest {

  private final MathVerifier verifier = new MathVerifier();

  private double score(String gold, String predicted) {
    return verifier.verify("So the answer is $\\boxed{" + predicted + "}$.", gold).getValue();
  }

  @ParameterizedTest(name = "{1} does not answer {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "1152921504606846976i ; 1152921504606846977i",
        "z+1152921504606846976 ; z+1152921504606846977",
        "z=1152921504606846976i ; z=1152921504606846977i",
        "z=z ; z=1",
      })
  void valuesThatDifferBeyondDoublePrecisionDiffer(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(0.0);
  }

  @Test
  void exactValuesAndIdentitiesMatch() {
    assertThat(score("2^{60}i", "1152921504606846976i")).isEqualTo(1.0);
    assertThat(score("z=z", "w=w")).isEqualTo(1.0);
  }

  @Test
  void complexVariablesMayBeRenamedOnlyWithStrictOff() {
    Config loose = Config.defaults().withStrict(false);

    assertThat(verifier.verify("$z^2+i$", "$w^2+i$", loose).equivalent()).isTrue();
    assertThat(verifier.verify("$z^2+i$", "$w^2-i$", loose).equivalent()).isFalse();
    assertThat(verifier.verify("$z^2+i$", "$w^2+i$", Config.defaults()).equivalent()).isFalse();
  }
}
