package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.schema.AlertScope;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlarmRulesTest {

  @Test
  void parsesEveryPartOfARule() {
    AlarmRule rule =
        AlarmRules.parse("hack: formatRewardMean>=0.95 and delta(verifierPassRate) < -0.01 for 3 windows per policy gate").get(0);

    assertThat(rule.id()).isEqualTo("hack");
    assertThat(rule.windows()).isEqualTo(3);
    assertThat(rule.scope()).isEqualTo(AlertScope.POLICY);
    assertThat(rule.gate()).isTrue();
    assertThat(rule.conditions())
        .containsExactly(
            new AlarmRule.Condition("formatRewardMean", false, Comparison.GREATER_OR_EQUAL, 0.95),
            new AlarmRule.Condition("verifierPassRate", true, Comparison.LESS, -0.01));
    assertThat(rule.conditions().get(1).written()).isEqualTo("delta(verifierPassRate)");
  }

  @Test
  void parsesClearConditions() {
    AlarmRule rule = AlarmRules.parse("hack: formatRewardMean >= 0.95 for 2 windows gate clear when verifierPassRate > 0.7 and generations >= 5").get(0);
    assertThat(rule.gate()).isTrue();
    assertThat(rule.windows()).isEqualTo(2);
    assertThat(rule.clearConditions())
        .containsExactly(
            new AlarmRule.Condition("verifierPassRate", false, Comparison.GREATER, 0.7),
            new AlarmRule.Condition("generations", false, Comparison.GREATER_OR_EQUAL, 5));
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 clear when")).hasMessageContaining("after 'clear when'");
  }

  @Test
  void defaultsAreOneWindowPerSourceWithoutGate() {
    AlarmRule rule = AlarmRules.parse("slow: timeoutRate > 0.1").get(0);
    assertThat(rule.windows()).isEqualTo(1);
    assertThat(rule.scope()).isEqualTo(AlertScope.SOURCE);
    assertThat(rule.gate()).isFalse();
    assertThat(rule.clearConditions()).isEmpty();
  }

  @Test
  void rulesAreSeparatedByLinesOrSemicolonsAndCommentsAreSkipped() {
    List<AlarmRule> rules =
        AlarmRules.parse("# watch these\na: reward.mean < 0.1 for 1 window; b: component.format.p50 > 0.9\n\n c: feedbackByKind.THUMB >= 5");
    assertThat(rules).extracting(AlarmRule::id).containsExactly("a", "b", "c");
  }

  @Test
  void shippedDefaultsParseAndCoverTheKnownSignatures() {
    List<AlarmRule> rules = AlarmRules.defaults();
    assertThat(rules)
        .extracting(AlarmRule::id)
        .containsExactly(
            "format-over-accuracy", "length-reward-coupling", "zero-variance-groups", "unscored-rate", "judge-verifier-divergence");
    assertThat(rules).filteredOn(AlarmRule::gate).extracting(AlarmRule::id).containsExactly("format-over-accuracy", "judge-verifier-divergence");
  }

  @Test
  void anUnknownMetricIsRejectedNamingTheRuleAndTheKey() {
    assertThatThrownBy(() -> AlarmRules.parse("ok: generations > 1; bad: rewardMeen > 0.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alarms.rules")
        .hasMessageContaining("rule 'bad'")
        .hasMessageContaining("rewardMeen")
        .hasMessageContaining("verifierPassRate");
  }

  @Test
  void malformedRulesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> AlarmRules.parse("no colon here")).hasMessageContaining("alarms.rules").hasMessageContaining("id and a colon");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations = 3")).hasMessageContaining("rule 'x'").hasMessageContaining("comparison");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > lots")).hasMessageContaining("rule 'x'").hasMessageContaining("not a number");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 for 0 windows")).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 per tenant")).hasMessageContaining("per source");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 loudly")).hasMessageContaining("unexpected 'loudly'");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 and")).hasMessageContaining("after 'and'");
    assertThatThrownBy(() -> AlarmRules.parse("x: reward.median > 1")).hasMessageContaining("unknown statistic 'median'");
    assertThatThrownBy(() -> AlarmRules.parse("x: component.format.best > 1")).hasMessageContaining("unknown component statistic");
    assertThatThrownBy(() -> AlarmRules.parse("x: dataSource > 1")).hasMessageContaining("unknown metric 'dataSource'");
  }

  @Test
  void aDuplicateIdIsRejected() {
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1; x: generations < 1"))
        .hasMessageContaining("rule 'x' is defined twice");
  }
}
