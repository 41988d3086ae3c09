package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.ScaleRewards;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the batch-wide step records on each group, on the pure core. */
class BatchAdvantagesTest {

  @Test
  void everyGroupRecordsHowManyScoredSamplesTheWholeBatchHad() {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.VERL);
    List<RLGroup> groups = BatchWideAdvantagesTest.randomGroups(new Random(7), spec, 4, true);
    long scored =
        groups.stream().flatMap(g -> g.getSamples().stream()).filter(RLSample::getScored).count();
    long unscored =
        groups.stream().flatMap(g -> g.getSamples().stream()).filter(s -> !s.getScored()).count();

    BatchAdvantages.apply(groups, spec, "b-1");

    assertThat(unscored).isPositive();
    assertThat(groups)
        .allSatisfy(
            g ->
                assertThat(g.getEstimatorParams())
                    .containsEntry("batch_scored_samples", Long.toString(scored))
                    .containsEntry("batch_id", "b-1")
                    .containsEntry("whiten_weights", "response_tokens"));
  }

  @Test
  void lodestarModeWhitensOverResponsesAndSaysSo() {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.LODESTAR);
    List<RLGroup> groups = BatchWideAdvantagesTest.randomGroups(new Random(8), spec, 2, false);

    BatchAdvantages.apply(groups, spec, "b-2");

    assertThat(groups)
        .allSatisfy(
            g -> assertThat(g.getEstimatorParams()).containsEntry("whiten_weights", "responses"));
  }

  @Test
  void batchScaledGrpoRecordsNoWhitenWeights() {
    AdvantageSpec spec =
        AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH);
    List<RLGroup> groups = BatchWideAdvantagesTest.randomGroups(new Random(9), spec, 2, false);

    BatchAdvantages.apply(groups, spec, "b-3");

    assertThat(groups)
        .allSatisfy(
            g ->
                assertThat(g.getEstimatorParams())
                    .containsEntry("batch_step", "applied")
                    .doesNotContainKey("whiten_weights"));
  }
}
