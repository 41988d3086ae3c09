package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A response without a box or marker answers with its last number: a minus sign belongs to it
 * unless it follows an operand, and grouping and decimal commas are read.
 */
class PlainNumberAnswersTest {

  private final MathVerifier verifier = new MathVerifier();

  @ParameterizedTest(name = "''{0}'' answers {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "-4 ; -4",
        "is -4 ; -4",
        "it equals   -4 ; -4",
        "it equals −4 ; -4",
        "x - 4 ; 4",
        "we get 7 - 4 ; 4",
        "(3) - 4 ; 4",
        "then 2,74 ; 2.74",
        "then 1,234 ; 1234",
        "so: -0.5 ; -0.5",
      })
  void theLastNumberIsTheAnswer(String response, String gold) {
    assertThat(verifier.verify(response, gold).getValue()).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "''{0}'' does not answer {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "x - 4 ; -4",
        "we get 7 - 4 ; -4",
        "(3) - 4 ; -4",
        "is -4 ; 4",
        "-4 ; 4",
        "then 2,74 ; 274",
        "then 1,234 ; 1.234",
      })
  void aSubtractionIsNotASign(String response, String gold) {
    assertThat(verifier.verify(response, gold).getValue()).isEqualTo(0.0);
  }
}
