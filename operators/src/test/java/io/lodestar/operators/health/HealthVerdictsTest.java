package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.RewardSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pass, failure and agreement verdicts at their thresholds, and merges of every counter. */
class HealthVerdictsTest {

  private static final HealthSettings SETTINGS = HealthSettings.defaults();

  private static ComponentSignal signal(String name, RewardSource source, Double value) {
    ComponentSignal s = new ComponentSignal();
    s.name = name;
    s.source = source;
    s.value = value;
    return s;
  }

  private static HealthEvent generation(ComponentSignal... signals) {
    HealthEvent e = new HealthEvent();
    e.kind = HealthEventKind.GENERATION;
    e.modelId = "model";
    e.policyVersion = 7;
    e.dataSource = "src";
    e.reward = 1.0;
    e.responseLength = 10;
    e.components = new ArrayList<>(List.of(signals));
    return e;
  }

  private static HealthEvent feedback(int humanVerdict, double modelScore, boolean margin) {
    HealthEvent e = new HealthEvent();
    e.kind = HealthEventKind.FEEDBACK;
    e.feedbackKind = "THUMB";
    e.humanVerdict = humanVerdict;
    e.modelScore = modelScore;
    e.modelScoreIsMargin = margin;
    return e;
  }

  private static HealthEvent group(int scored, boolean zeroVariance) {
    HealthEvent e = new HealthEvent();
    e.kind = HealthEventKind.GROUP;
    e.groupScored = scored;
    e.groupZeroVariance = zeroVariance;
    return e;
  }

  private static HealthMetrics metrics(HealthEvent... events) {
    HealthAccumulator acc = new HealthAccumulator();
    for (HealthEvent e : events) {
      acc.add(e, SETTINGS);
    }
    return acc.toMetrics(0, 60_000, 0);
  }

  @Test
  void anAverageExactlyAtThePassThresholdPassesAndTheMeanOfSeveralComponentsDecides() {
    HealthMetrics m =
        metrics(
            generation(signal("a", RewardSource.VERIFIER, 0.5)),
            generation(
                signal("a", RewardSource.VERIFIER, 1.0), signal("b", RewardSource.VERIFIER, 0.2)),
            generation(
                signal("a", RewardSource.VERIFIER, 0.4), signal("b", RewardSource.VERIFIER, 0.2)));

    // 0.5 passes at the threshold; (1.0 + 0.2) / 2 = 0.6 passes; (0.4 + 0.2) / 2 = 0.3 fails.
    assertThat(m.getVerifierJudged()).isEqualTo(3);
    assertThat(m.getVerifierPassRate()).isEqualTo(2.0 / 3);
  }

  @Test
  void
      aFormatMeanExactlyAtTheThresholdIsNoFailureAndOnlyGenerationsWithFormatComponentsAreJudged() {
    HealthMetrics m =
        metrics(
            generation(signal("format", RewardSource.VERIFIER, 0.5)),
            generation(
                signal("format", RewardSource.VERIFIER, 1.0),
                signal("tag_count", RewardSource.VERIFIER, 0.0)),
            generation(
                signal("format", RewardSource.VERIFIER, 0.0),
                signal("tag_count", RewardSource.VERIFIER, 0.5)),
            generation(signal("other", RewardSource.VERIFIER, 1.0)));

    // Means 0.5 (passes), 0.5 (passes), 0.25 (fails); the last generation has no format component.
    assertThat(m.getFormatJudged()).isEqualTo(3);
    assertThat(m.getFormatFailureRate()).isEqualTo(1.0 / 3);
    assertThat(m.getFormatRewardMean()).isEqualTo((0.5 + 0.5 + 0.25) / 3);
  }

  @Test
  void verifierAndModelDisagreeOnlyWhenTheirVerdictsDiffer() {
    HealthMetrics m =
        metrics(
            generation(
                signal("acc", RewardSource.VERIFIER, 1.0), signal("rm", RewardSource.MODEL, 0.9)),
            generation(
                signal("acc", RewardSource.VERIFIER, 0.0), signal("rm", RewardSource.MODEL, 0.1)),
            generation(
                signal("acc", RewardSource.VERIFIER, 1.0), signal("rm", RewardSource.MODEL, 0.1)));

    assertThat(m.getVerifierModelCompared()).isEqualTo(3);
    assertThat(m.getVerifierModelDisagreement()).isEqualTo(1.0 / 3);
  }

  @Test
  void aModelScoreExactlyAtTheThresholdIsAGoodVerdictAndAgreementNeedsTheSameVerdict() {
    HealthMetrics m =
        metrics(
            feedback(1, 0.5, false),
            feedback(-1, 0.2, false),
            feedback(1, -0.3, true),
            feedback(1, 0.0, true));

    // At the threshold the model says good and agrees with +1; 0.2 agrees with -1; a negative
    // margin disagrees with +1; a zero margin is no verdict.
    assertThat(m.getHumanModelCompared()).isEqualTo(3);
    assertThat(m.getHumanModelAgreement()).isEqualTo(2.0 / 3);
  }

  @Test
  void onlyGroupsWithTwoScoredSamplesCountAndZeroVarianceOnesAreCountedApart() {
    HealthMetrics m = metrics(group(2, true), group(3, true), group(4, false), group(1, true));

    assertThat(m.getGroups()).isEqualTo(3);
    assertThat(m.getZeroVarianceGroups()).isEqualTo(2);
  }

  @Test
  void mergingAddsEveryComparisonAndBatchCounterAndKeepsTheFirstKey() {
    HealthAccumulator left = new HealthAccumulator();
    HealthAccumulator right = new HealthAccumulator();
    for (HealthAccumulator acc : List.of(left, right)) {
      acc.add(
          generation(
              signal("acc", RewardSource.VERIFIER, 1.0),
              signal("rm", RewardSource.MODEL, 0.1),
              signal("j", RewardSource.JUDGE, 0.0)),
          SETTINGS);
      HealthEvent batch = new HealthEvent();
      batch.kind = HealthEventKind.BATCH;
      batch.batchSamples = 5;
      batch.stalenessLags = new long[] {1, 3};
      acc.add(batch, SETTINGS);
      acc.lateEvents = 2;
    }
    right.modelId = "other-model";

    left.merge(right);
    HealthMetrics m = left.toMetrics(0, 60_000, 1);

    assertThat(m.getModelId()).isEqualTo("model");
    assertThat(m.getVerifierModelCompared()).isEqualTo(2);
    assertThat(m.getVerifierModelDisagreement()).isEqualTo(1.0);
    assertThat(m.getJudgeVerifierCompared()).isEqualTo(2);
    assertThat(m.getJudgeVerifierDisagreement()).isEqualTo(1.0);
    assertThat(m.getBatches()).isEqualTo(2);
    assertThat(m.getBatchSamples()).isEqualTo(10);
    assertThat(m.getLateEvents()).isEqualTo(4);
    assertThat(m.getStaleness().getCount()).isEqualTo(4);
    assertThat(m.getStaleness().getMax()).isEqualTo(3.0);
  }

  @Test
  void anEmptyAccumulatorTakesTheKeyOfTheOneMergedIntoIt() {
    HealthAccumulator filled = new HealthAccumulator();
    filled.add(generation(signal("acc", RewardSource.VERIFIER, 1.0)), SETTINGS);
    HealthAccumulator empty = new HealthAccumulator();

    empty.merge(filled);

    assertThat(empty.toMetrics(0, 1, 0).getMetricsId())
        .isEqualTo(filled.toMetrics(0, 1, 0).getMetricsId());
    assertThat(empty.dataSource).isEqualTo("src");
    assertThat(empty.policyVersion).isEqualTo(7);
  }
}
