package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Complex answers: exact Gaussian arithmetic, principal values of functions, complex variables and
 * equations, each scored as the pipeline scores a boxed answer.
 */
class ComplexAnswersTest {

  private final MathVerifier verifier = new MathVerifier();

  private double score(String gold, String predicted) {
    return verifier.verify("So the answer is $\\boxed{" + predicted + "}$.", gold).getValue();
  }

  @ParameterizedTest(name = "{1} answers {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        // Exact Gaussian rationals.
        "5+5i ; (1+2i)(3-i)",
        "\\frac{1}{2}+\\frac{3}{2}i ; \\frac{2+i}{1-i}",
        "-i ; \\frac{1}{i}",
        "-i ; i^{-1}",
        "-4 ; (1+i)^4",
        "-4-4i ; (1+i)^5",
        "\\frac{-1-i}{4} ; (1+i)^{-3}",
        "2i ; (1+i)^2",
        "\\frac{1}{3}+2i ; 0.333333+2i",
        "\\frac{1}{3}+\\frac{2}{3}i ; 0.333333+0.666667i",
        // Principal values of functions, in double precision.
        "2i ; \\sqrt{-4}",
        "2+i ; \\sqrt{3+4i}",
        "1-2i ; \\sqrt{-3-4i}",
        "\\frac{\\sqrt{2}}{2}+\\frac{\\sqrt{2}}{2}i ; \\sqrt{i}",
        "i ; e^{i\\pi/2}",
        "i\\pi ; \\ln(-1)",
        "e^{-\\pi/2} ; i^i",
        "\\cos(\\ln 2)+i\\sin(\\ln 2) ; 2^i",
        "5 ; |3+4i|",
        "3 ; \\operatorname{Re}(3+4i)",
        "4 ; \\operatorname{Im}(3+4i)",
        "\\frac{\\pi}{2} ; \\arg(i)",
        "\\pi ; \\arg(-1)",
        "-\\frac{3\\pi}{4} ; \\arg(-1-i)",
        "i\\sinh 1 ; \\sin i",
        "\\cosh 1 ; \\cos i",
        "i\\tanh 1 ; \\tan i",
        "\\cos 1 ; \\cosh i",
        "i\\sin 1 ; \\sinh i",
        "\\frac{\\pi}{2}-i\\ln(2+\\sqrt{3}) ; \\arcsin 2",
        "i\\ln(2+\\sqrt{3}) ; \\arccos 2",
        "\\frac{i}{2}\\ln 3 ; \\arctan(\\frac{i}{2})",
        "\\frac{2+i}{5} ; \\overline{\\frac{1}{2+i}}",
        // Complex variables: rational functions exactly, others by sampling.
        "z^2+2z+1 ; (z+1)^2",
        "z+1 ; \\frac{z^2-1}{z-1}",
        "2\\operatorname{Re}(z) ; z+\\overline{z}",
        "\\operatorname{Im}(z) ; \\frac{z-\\overline{z}}{2i}",
        "x^2-y^2+2ixy ; (x+iy)^2",
        // Equations and inequalities about complex quantities.
        "z^2+1=0 ; 2z^2+2=0",
        "iz=1 ; z=-i",
        "e^{z}=1 ; 2e^{z}=2",
        "|z|<1 ; 2\\cdot|z|<2",
      })
  void equalComplexAnswersMatch(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{1} does not answer {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "5+5i ; 5-5i",
        "5+5i ; (1+2i)(3+i)",
        "\\frac{1}{2}+\\frac{3}{2}i ; \\frac{2+i}{1+i}",
        "4 ; (1+i)^4",
        "-4+4i ; (1+i)^5",
        "\\frac{1-i}{4} ; (1+i)^{-3}",
        "\\frac{1}{3}+2i ; 0.333333+3i",
        "\\frac{1}{3}+\\frac{2}{3}i ; 0.333+0.667i",
        "\\frac{1}{3}+\\frac{2}{3}i ; 0.333333+0.666i",
        "-2i ; \\sqrt{-4}",
        "-2-i ; \\sqrt{3+4i}",
        "-1+2i ; \\sqrt{-3-4i}",
        "-i ; e^{i\\pi/2}",
        "-i\\pi ; \\ln(-1)",
        "e^{\\pi/2} ; i^i",
        "\\cos(\\ln 2)-i\\sin(\\ln 2) ; 2^i",
        "7 ; |3+4i|",
        "4 ; \\operatorname{Re}(3+4i)",
        "3 ; \\operatorname{Im}(3+4i)",
        "-\\frac{\\pi}{2} ; \\arg(i)",
        "\\frac{3\\pi}{4} ; \\arg(-1-i)",
        "\\sinh 1 ; \\sin i",
        "i\\cosh 1 ; \\cos i",
        "\\tanh 1 ; \\tan i",
        "\\sin 1 ; \\sinh i",
        "\\frac{\\pi}{2}+i\\ln(2+\\sqrt{3}) ; \\arcsin 2",
        "-i\\ln(2+\\sqrt{3}) ; \\arccos 2",
        "\\frac{2-i}{5} ; \\overline{\\frac{1}{2+i}}",
        "z^2+2z+1 ; (z-1)^2",
        "z^2 ; \\overline{z}^2",
        "\\operatorname{Re}(z) ; z",
        "x^2+y^2+2ixy ; (x+iy)^2",
        "z=1+i ; z=1-i",
        "z^2=-1 ; z=i",
        "iz=1 ; z=i",
        "|z|<1 ; |z|>1",
        "|z|<1 ; -|z|<-1",
        "e^{z}=1 ; e^{z}=2",
      })
  void differentComplexAnswersDoNotMatch(String gold, String predicted) {
    assertThat(score(gold, predicted)).isEqualTo(0.0);
  }

  @Test
  void aNumberAnswerIsNotAComplexVariable() {
    assertThat(score("z", "1")).isEqualTo(0.0);
    assertThat(score("\\overline{z}", "z")).isEqualTo(0.0);
  }
}
