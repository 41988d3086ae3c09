package io.lodestar.operators.reward.compose;

import static io.lodestar.operators.TestRecords.component;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.operators.reward.compose.RewardComposition.MissingRules;
import io.lodestar.operators.reward.compose.RewardComposition.Weights;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CombineRewardsFunctionTest {

  private CapturedMetrics metrics;
  private MockEnvironment environment;
  private OneInputStreamOperatorTestHarness<ScoredGeneration, ScoredGeneration> harness;

  private void open(RewardComposition composition) throws Exception {
    metrics = new CapturedMetrics();
    environment = metrics.environment();
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new StreamMap<>(new CombineRewardsFunction(composition)), environment);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
    environment.close();
  }

  private static ScoredGeneration uncombined(String id, RewardComponent... components) {
    return ScoredGeneration.newBuilder()
        .setGeneration(generation(id).build())
        .setComponents(new ArrayList<>(List.of(components)))
        .setReward(null)
        .setRewardVersion(RewardComposition.UNCOMBINED)
        .setScoredAtMs(42L)
        .build();
  }

  @Test
  void setsTheRewardAndVersionAndCountsScoredAndUnscored() throws Exception {
    open(RewardComposition.defaults());

    harness.processElement(
        uncombined("g-1", component("numeric_answer", 1.0, RewardStatus.OK)), 1L);
    harness.processElement(
        uncombined("g-2", component("numeric_answer", null, RewardStatus.UNSCORABLE)), 2L);
    harness.processElement(uncombined("g-3"), 3L);

    List<ScoredGeneration> out = harness.extractOutputValues();
    assertThat(out).extracting(ScoredGeneration::getReward).containsExactly(1.0, null, null);
    assertThat(out.get(0).getRewardVersion())
        .matches("mean\\(numeric_answer@numeric_answer/1\\)#[0-9a-f]{8}");
    assertThat(out.get(0).getScoredAtMs()).isEqualTo(42L);
    assertThat(out.get(0).getGeneration()).isEqualTo(generation("g-1").build());
    assertThat(metrics.count(RewardMetricNames.SCORED)).isEqualTo(1);
    assertThat(metrics.count(RewardMetricNames.UNSCORED)).isEqualTo(2);
    assertThat(metrics.count(RewardMetricNames.REWARDS_GATED)).isZero();
  }

  @Test
  void countsAGatedRecordAsGatedAndScored() throws Exception {
    open(
        RewardComposition.of(
            Weights.EQUAL,
            MissingRules.SKIP_ALL,
            Gate.parseAll("format>=1 else -1"),
            OverlongShaping.NONE));

    harness.processElement(
        uncombined(
            "g-1",
            component("format", 0.0, RewardStatus.OK),
            component("acc", 1.0, RewardStatus.OK)),
        1L);
    harness.processElement(
        uncombined(
            "g-2",
            component("format", 1.0, RewardStatus.OK),
            component("acc", 1.0, RewardStatus.OK)),
        2L);

    assertThat(harness.extractOutputValues())
        .extracting(ScoredGeneration::getReward)
        .containsExactly(-1.0, 1.0);
    assertThat(metrics.count(RewardMetricNames.REWARDS_GATED)).isEqualTo(1);
    assertThat(metrics.count(RewardMetricNames.SCORED)).isEqualTo(2);
    assertThat(metrics.count(RewardMetricNames.UNSCORED)).isZero();
  }
}
