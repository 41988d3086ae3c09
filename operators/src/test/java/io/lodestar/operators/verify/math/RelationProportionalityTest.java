package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Equations and inequalities whose sides are not rational functions: compared by sampling, where a
 * point with both sides zero, or both undefined, decides nothing.
 */
class RelationProportionalityTest {

  private final MathVerifier verifier = new MathVerifier();

  private double score(String gold, String predicted) {
    return verifier.verify("So the answer is $\\boxed{" + predicted + "}$.", gold).getValue();
  }

  @ParameterizedTest(name = "{1} states {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "x+1=y ; y=x+1",
        "\\sin x=0 ; 2\\sin x=0",
        "\\sqrt{x}=2 ; 2\\sqrt{x}=4",
        "\\sin x=\\sin x ; \\cos x=\\cos x",
        "\\sin x<1 ; -\\sin x>-1",
        "\\frac{1}{x}=1 ; \\frac{2}{x}=2",
        "x=x ; y=y",
      })
  void proportionalRelationsMatch(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{1} does not state {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "x+1=y ; y=x+2",
        "\\sin x=0 ; \\cos x=0",
        "\\sqrt{x}<2 ; \\sqrt{-x}<2",
        "\\sin x<1 ; -\\sin x<-1",
        "\\{5\\} ; 6",
      })
  void otherRelationsDoNotMatch(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(0.0);
  }
}
