package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RLGroup;
import org.junit.jupiter.api.Test;

class TokenCountsTest {

  @Test
  void countsAreNotExactWhenOneResponseLacksTokenIdsEvenIfThePromptHasThem() {
    RLGroup g = BatchTokenBudgetTest.withTokens("one-missing", 1_000, 2, 5);
    g.getSamples().get(1).setResponseTokenIds(null);

    assertThat(TokenCounts.exact(g)).isFalse();
    // 2 + 5 ids for the first sample; 2 + ceil(17 characters / 4) = 2 + 5 for the second, whose ids
    // are missing.
    assertThat(g.getSamples().get(1).getResponse()).hasSize(17);
    assertThat(TokenCounts.group(g)).isEqualTo(14);
  }

  @Test
  void theEstimateRoundsUpOnlyWhenCharactersAreLeftOver() {
    assertThat(TokenCounts.estimate(0)).isZero();
    assertThat(TokenCounts.estimate(1)).isEqualTo(1);
    assertThat(TokenCounts.estimate(4)).isEqualTo(1);
    assertThat(TokenCounts.estimate(5)).isEqualTo(2);
    assertThat(TokenCounts.estimate(8)).isEqualTo(2);
  }
}
