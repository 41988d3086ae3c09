package io.lodestar.operators.reward.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.reward.compose.OverlongShaping.LengthFallback;
import io.lodestar.operators.reward.compose.RewardComposition.MissingRules;
import io.lodestar.operators.reward.compose.RewardComposition.Weights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a composition's configuration is read, checked and named. */
class CompositionConfigTest {

  @Test
  void theRuleListsEveryGateInEvaluationOrder() {
    RewardComposition gated =
        RewardComposition.of(
            Weights.EQUAL,
            MissingRules.SKIP_ALL,
            Gate.parseAll("format>=1 else -1; len<0.5 else -2.5"),
            OverlongShaping.NONE);

    assertThat(gated.rule()).isEqualTo("mean+gates[format>=1.0 else -1.0;len<0.5 else -2.5]");
    assertThat(gated).hasToString(gated.rule());
  }

  @Test
  void weightsGivenDirectlyAreCheckedLikeParsedOnes() {
    assertThatThrownBy(() -> new Weights(Map.of("judge", -0.5), 1.0))
        .hasMessageContaining("weight of judge");
    assertThatThrownBy(() -> new Weights(Map.of("judge", Double.NaN), 1.0))
        .hasMessageContaining("weight of judge");
    assertThatThrownBy(() -> new Weights(Map.of(), Double.POSITIVE_INFINITY))
        .hasMessageContaining("weight of *");
  }

  @Test
  void aWeightNeedsANameBeforeAndANumberAfterTheColon() {
    assertThatThrownBy(() -> Weights.parse(":1")).hasMessageContaining("':1' is not name:weight");
    assertThatThrownBy(() -> Weights.parse("a:")).hasMessageContaining("'a:' is not name:weight");
    assertThat(Weights.parse("a:1").of("a")).isEqualTo(1.0);
  }

  @Test
  void aCompositionKeepsThePartsItWasBuiltFrom() {
    Weights weights = Weights.parse("a:2");
    MissingRules missing = MissingRules.parse("a=unscored");
    List<Gate> gates = Gate.parseAll("a>0 else -1");
    OverlongShaping overlong = OverlongShaping.dapo(20, 4, LengthFallback.UNSCORABLE);

    RewardComposition composition = RewardComposition.of(weights, missing, gates, overlong);

    assertThat(composition.weights()).isEqualTo(weights);
    assertThat(composition.missing()).isEqualTo(missing);
    assertThat(composition.gates()).isEqualTo(gates);
    assertThat(composition.overlong()).isEqualTo(overlong);
  }

  @Test
  void missingPoliciesAreEqualByKindAndValue() {
    assertThat(MissingPolicy.parse("substitute:0.5"))
        .isEqualTo(MissingPolicy.substitute(0.5))
        .hasSameHashCodeAs(MissingPolicy.substitute(0.5))
        .hasToString("substitute:0.5");
    assertThat(MissingPolicy.substitute(0.5)).isNotEqualTo(MissingPolicy.substitute(0.25));
    assertThat(MissingPolicy.substitute(0.0)).isNotEqualTo(MissingPolicy.SKIP);
  }
}
