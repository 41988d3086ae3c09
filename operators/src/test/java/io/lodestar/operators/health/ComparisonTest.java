package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each comparison below, at and above its threshold, and the symbols rules are written with. */
class ComparisonTest {

  @Test
  void strictComparisonsFailAtTheThresholdAndInclusiveOnesHoldThere() {
    assertThat(Comparison.GREATER.holds(1.0, 1.0)).isFalse();
    assertThat(Comparison.GREATER_OR_EQUAL.holds(1.0, 1.0)).isTrue();
    assertThat(Comparison.LESS.holds(1.0, 1.0)).isFalse();
    assertThat(Comparison.LESS_OR_EQUAL.holds(1.0, 1.0)).isTrue();
  }

  @Test
  void eachComparisonHoldsOnlyOnItsSideOfTheThreshold() {
    assertThat(Comparison.GREATER.holds(1.5, 1.0)).isTrue();
    assertThat(Comparison.GREATER.holds(0.5, 1.0)).isFalse();
    assertThat(Comparison.GREATER_OR_EQUAL.holds(1.5, 1.0)).isTrue();
    assertThat(Comparison.GREATER_OR_EQUAL.holds(0.5, 1.0)).isFalse();
    assertThat(Comparison.LESS.holds(0.5, 1.0)).isTrue();
    assertThat(Comparison.LESS.holds(1.5, 1.0)).isFalse();
    assertThat(Comparison.LESS_OR_EQUAL.holds(0.5, 1.0)).isTrue();
    assertThat(Comparison.LESS_OR_EQUAL.holds(1.5, 1.0)).isFalse();
  }

  @Test
  void everySymbolReadsBackAsItsComparisonAndAnUnknownOneAsNull() {
    for (Comparison c : Comparison.values()) {
      assertThat(Comparison.ofSymbol(c.symbol())).isSameAs(c);
    }
    assertThat(Comparison.GREATER_OR_EQUAL.symbol()).isEqualTo(">=");
    assertThat(Comparison.ofSymbol("=>")).isNull();
  }
}
