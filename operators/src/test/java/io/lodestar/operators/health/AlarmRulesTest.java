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
        AlarmRules.parse(
                "hack: formatRewardMean>=0.95 and delta(verifierPassRate) < -0.01 for 3 windows per policy gate")
            .get(0);

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
    AlarmRule rule =
        AlarmRules.parse(
                "hack: formatRewardMean >= 0.95 for 2 windows gate clear when verifierPassRate > 0.7 and generations >= 5")
            .get(0);
    assertThat(rule.gate()).isTrue();
    assertThat(rule.windows()).isEqualTo(2);
    assertThat(rule.clearConditions())
        .containsExactly(
            new AlarmRule.Condition("verifierPassRate", false, Comparison.GREATER, 0.7),
            new AlarmRule.Condition("generations", false, Comparison.GREATER_OR_EQUAL, 5));
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 clear when"))
        .hasMessageContaining("after 'clear when'");
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
        AlarmRules.parse(
            "# watch these\na: reward.mean < 0.1 for 1 window; b: component.format.p50 > 0.9\n\n c: feedbackByKind.THUMB >= 5");
    assertThat(rules).extracting(AlarmRule::id).containsExactly("a", "b", "c");
  }

  @Test
  void shippedDefaultsParseAndCoverTheKnownSignatures() {
    List<AlarmRule> rules = AlarmRules.defaults();
    assertThat(rules)
        .extracting(AlarmRule::id)
        .containsExactly(
            "format-over-accuracy",
            "accuracy-drop",
            "length-reward-coupling",
            "length-growth",
            "response-collapse",
            "zero-variance-groups",
            "unscored-rate",
            "judge-verifier-divergence");
    assertThat(rules)
        .filteredOn(AlarmRule::gate)
        .extracting(AlarmRule::id)
        .containsExactly("format-over-accuracy", "accuracy-drop", "judge-verifier-divergence");
  }

  @Test
  void everyShippedRuleHasGuardsAndHysteresisAndEveryGatedOneAClearCondition() {
    assertThat(AlarmRules.defaults())
        .allSatisfy(
            rule -> {
              assertThat(rule.guards()).as(rule.id()).isNotEmpty();
              assertThat(rule.clearAfter()).as(rule.id()).isEqualTo(3);
              if (rule.gate()) {
                assertThat(rule.clearConditions()).as(rule.id()).isNotEmpty();
              }
            });
  }

  @Test
  void parsesGuardsHysteresisAndBaselines() {
    AlarmRule rule =
        AlarmRules.parse(
                "drop: verifierPassRate < baseline - 0.2 and formatRewardMean >= baseline(verifierPassRate)*1.5 given verifierJudged >= 20"
                    + " and groups > 2 for 2 windows gate clear when verifierPassRate >= baseline * 0.9 clear after 3 windows")
            .get(0);

    assertThat(rule.conditions())
        .containsExactly(
            new AlarmRule.Condition(
                "verifierPassRate",
                false,
                Comparison.LESS,
                -0.2,
                AlarmRule.Reference.BASELINE_PLUS,
                "verifierPassRate"),
            new AlarmRule.Condition(
                "formatRewardMean",
                false,
                Comparison.GREATER_OR_EQUAL,
                1.5,
                AlarmRule.Reference.BASELINE_TIMES,
                "verifierPassRate"));
    assertThat(rule.guards())
        .containsExactly(
            new AlarmRule.Condition("verifierJudged", false, Comparison.GREATER_OR_EQUAL, 20),
            new AlarmRule.Condition("groups", false, Comparison.GREATER, 2));
    assertThat(rule.windows()).isEqualTo(2);
    assertThat(rule.gate()).isTrue();
    assertThat(rule.clearConditions())
        .containsExactly(
            new AlarmRule.Condition(
                "verifierPassRate",
                false,
                Comparison.GREATER_OR_EQUAL,
                0.9,
                AlarmRule.Reference.BASELINE_TIMES,
                "verifierPassRate"));
    assertThat(rule.clearAfter()).isEqualTo(3);
    assertThat(rule.baselineMetrics()).containsExactly("verifierPassRate");
    assertThat(AlarmRules.parse("b: reward.mean > baseline").get(0).conditions().get(0))
        .isEqualTo(
            new AlarmRule.Condition(
                "reward.mean",
                false,
                Comparison.GREATER,
                0,
                AlarmRule.Reference.BASELINE_PLUS,
                "reward.mean"));
  }

  @Test
  void rulesWrittenBeforeGuardsAndBaselinesParseAsBefore() {
    List<AlarmRule> rules = AlarmRules.parse(AlarmDetectionBenchmark.PREVIOUS_DEFAULTS);
    assertThat(rules)
        .hasSize(5)
        .allSatisfy(
            rule -> {
              assertThat(rule.guards()).isEmpty();
              assertThat(rule.clearAfter()).isEqualTo(1);
              assertThat(rule.baselineMetrics()).isEmpty();
            });
    assertThat(rules.get(0).conditions()).hasSize(3);
    assertThat(rules.get(0).clearConditions()).hasSize(2);
  }

  @Test
  void malformedGuardsHysteresisAndBaselinesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 given"))
        .hasMessageContaining("after 'given'");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 clear after 0 windows"))
        .hasMessageContaining("'clear after 0 windows'");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 clear after 2"))
        .hasMessageContaining("unexpected 'clear'");
    assertThatThrownBy(() -> AlarmRules.parse("x: delta(generations) > baseline"))
        .hasMessageContaining("baseline(<metric>)");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > baseline(nope)"))
        .hasMessageContaining("unknown metric 'nope'");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > baseline *"))
        .hasMessageContaining("expected a number");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > baseline * lots"))
        .hasMessageContaining("not a number");
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
    assertThatThrownBy(() -> AlarmRules.parse("no colon here"))
        .hasMessageContaining("alarms.rules")
        .hasMessageContaining("id and a colon");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations = 3"))
        .hasMessageContaining("rule 'x'")
        .hasMessageContaining("comparison");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > lots"))
        .hasMessageContaining("rule 'x'")
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 for 0 windows"))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 per tenant"))
        .hasMessageContaining("per source");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 loudly"))
        .hasMessageContaining("unexpected 'loudly'");
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1 and"))
        .hasMessageContaining("after 'and'");
    assertThatThrownBy(() -> AlarmRules.parse("x: reward.median > 1"))
        .hasMessageContaining("unknown statistic 'median'");
    assertThatThrownBy(() -> AlarmRules.parse("x: component.format.best > 1"))
        .hasMessageContaining("unknown component statistic");
    assertThatThrownBy(() -> AlarmRules.parse("x: dataSource > 1"))
        .hasMessageContaining("unknown metric 'dataSource'");
  }

  @Test
  void aDuplicateIdIsRejected() {
    assertThatThrownBy(() -> AlarmRules.parse("x: generations > 1; x: generations < 1"))
        .hasMessageContaining("rule 'x' is defined twice");
  }
}
