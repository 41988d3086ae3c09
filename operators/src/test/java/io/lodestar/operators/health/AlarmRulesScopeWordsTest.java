package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code per} clause of a rule: its last word, and what an error quotes. */
class AlarmRulesScopeWordsTest {

  @Test
  void aRuleEndingInPerIsRejectedAsAnUnexpectedWord() {
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 per"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unexpected 'per'");
  }

  @Test
  void anUnknownScopeIsQuotedWithTheWordThatFollowsPer() {
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 per tenant"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 'per tenant'");
  }

  @Test
  void noRulesTextMeansNoRules() {
    assertThat(AlarmRules.parse(null)).isEmpty();
  }
}
