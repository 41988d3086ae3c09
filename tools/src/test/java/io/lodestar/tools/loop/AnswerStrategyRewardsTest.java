package io.lodestar.tools.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.testkit.traffic.AnswerStrategy;
import io.lodestar.testkit.traffic.PolicyTraffic;
import io.lodestar.testkit.traffic.TabularPolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The learning loop's reward signal: the pipeline's math verifier passes every right-method
 * response and no response of any other strategy, on every template.
 */
class AnswerStrategyRewardsTest {

  private static final MathVerifier VERIFIER = new MathVerifier();

  @Test
  void theMathVerifierPassesEveryRightMethodResponseAndNoOther() {
    for (AnswerStrategy strategy : AnswerStrategy.values()) {
      PolicyTraffic traffic = new PolicyTraffic(100 + strategy.ordinal(), "m", 8);
      TabularPolicy always = onlyStrategy(strategy);
      int passed = 0;
      int total = 0;
      for (int g = 0; g < 60; g++) {
        for (Generation generation : traffic.group(always, g)) {
          assertThat(generation.getPolicy().getSamplingParams().get(PolicyTraffic.STRATEGY_PARAM))
              .isEqualTo(strategy.id());
          RewardComponent verdict = VERIFIER.score(generation);
          boolean pass = verdict.getValue() != null && verdict.getValue() >= 1.0;
          passed += pass ? 1 : 0;
          total++;
        }
      }
      assertThat(passed)
          .as("%s responses passed", strategy.id())
          .isEqualTo(strategy == AnswerStrategy.RIGHT_METHOD ? total : 0);
    }
  }

  /** A policy that all but always samples {@code strategy}. */
  private static TabularPolicy onlyStrategy(AnswerStrategy strategy) {
    Map<String, double[]> logits = new LinkedHashMap<>();
    for (String template : TabularPolicy.TEMPLATES) {
      double[] row = new double[AnswerStrategy.values().length];
      Arrays.fill(row, -100.0);
      row[strategy.ordinal()] = 100.0;
      logits.put(template, row);
    }
    return new TabularPolicy(1, logits);
  }
}
