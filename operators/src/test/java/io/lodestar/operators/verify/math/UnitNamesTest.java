package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Measurement units get one name however they are written; anything else is not a unit. */
class UnitNamesTest {

  private final MathVerifier verifier = new MathVerifier();

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "square centimeters | cm^2",
        "sq ft | ft^2",
        "cubic meters | m^3",
        "miles per hour | mi/h",
        "km/h | km/h",
        "cm^2 | cm^2",
        "cm^{3} | cm^3",
        "m² | m^2",
        "inches | in",
        "Feet | ft",
        "dollars | dollar",
        "km / h | km/h",
      })
  void unitsAreNamedCanonically(String written, String canonical) {
    assertThat(LatexNormaliser.canonicalUnit(written)).isEqualTo(canonical);
  }

  @ParameterizedTest(name = "{0} is not a unit")
  @ValueSource(strings = {"apples", "x", "km per apple", " ", "ab"})
  void otherWordsAreNotUnits(String written) {
    assertThat(LatexNormaliser.canonicalUnit(written)).isNull();
  }

  @ParameterizedTest(name = "{1} answers {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "60 | 60 km/h",
        "35 | 35cm",
        "12 | 12 square feet",
        "5 | 5 cm^2",
        "2.5 | 2.5 hours.",
        "7 | 7 dollars!",
        "5 | 5 m/s",
        "60 | 60 km / h",
        "60 | 60\\text{ km/h}",
        "9.8 | 9.8\\,\\mathrm{m/s^2}",
      })
  void unitWordsAfterANumberAreDropped(String gold, String answer) {
    assertThat(verifier.verify("The final answer is " + answer, gold).getValue()).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{1} does not answer {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2 | 2 x/y",
        "2 | 2 x",
      })
  void lettersThatAreNotAUnitStayPartOfTheAnswer(String gold, String answer) {
    assertThat(verifier.verify("The final answer is " + answer, gold).getValue()).isEqualTo(0.0);
  }
}
