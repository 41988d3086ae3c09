package io.lodestar.operators.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The group operator with a chosen advantage arithmetic and dynamic-sampling filter. */
class GroupFunctionAdvantageSpecTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static final Duration LATE = Duration.ofMinutes(5);
  private static final long T0 = 1_000_000L;

  @Test
  void rlooAdvantagesSubtractTheMeanOfTheOthers() throws Exception {
    try (var harness =
        harness(AdvantageSpec.of(Estimator.RLOO, CompatMode.LODESTAR), GroupFilter.NONE)) {
      send(harness, "g", 1.0, 0.0, 0.0);

      RLGroup group = harness.extractOutputValues().get(0);
      assertThat(group.getEstimator()).isEqualTo("rloo");
      assertThat(group.getSamples())
          .extracting(RLSample::getAdvantage)
          .satisfiesExactly(
              a -> assertThat(a).isCloseTo(1.0, within(1e-12)),
              a -> assertThat(a).isCloseTo(-0.5, within(1e-12)),
              a -> assertThat(a).isCloseTo(-0.5, within(1e-12)));
    }
  }

  @Test
  void verlFilterSendsAZeroVarianceGroupToTheFilteredOutputAndKeepsAMixedOne() throws Exception {
    try (var harness = harness(AdvantageSpec.lodestarGrpo(), GroupFilter.VERL)) {
      send(harness, "same", 1.0, 1.0, 1.0);
      send(harness, "mixed", 1.0, 0.0, 1.0);

      assertThat(harness.extractOutputValues())
          .extracting(RLGroup::getGroupId)
          .containsExactly("mixed");
      assertThat(filtered(harness)).extracting(RLGroup::getGroupId).containsExactly("same");
    }
  }

  @Test
  void openRlhfFilterKeepsOnlyGroupsWhoseMeanIsStrictlyBetweenZeroAndOne() throws Exception {
    try (var harness = harness(AdvantageSpec.lodestarGrpo(), GroupFilter.OPENRLHF)) {
      send(harness, "all-wrong", 0.0, 0.0);
      send(harness, "half", 1.0, 0.0);

      assertThat(harness.extractOutputValues())
          .extracting(RLGroup::getGroupId)
          .containsExactly("half");
      assertThat(filtered(harness)).extracting(RLGroup::getGroupId).containsExactly("all-wrong");
    }
  }

  @Test
  void aGroupTheTrainerRefusesIsFilteredNotFailed() throws Exception {
    try (var harness =
        harness(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL), GroupFilter.NONE)) {
      send(harness, "single", 1.0);

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(filtered(harness)).extracting(RLGroup::getGroupId).containsExactly("single");
    }
  }

  @Test
  void aGroupTheTrainerRefusesSaysSoAndCarriesNoLodestarAdvantagesAsThatModesResult()
      throws Exception {
    try (var harness =
        harness(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL), GroupFilter.NONE)) {
      // Lodestar's own GRPO would give this lone reward advantage 0.7 (mean 0, std 1).
      send(harness, "single", 0.7);

      RLGroup refused = filtered(harness).get(0);
      assertThat(refused.getReason()).isEqualTo(SetAsideReason.TRAINER_REFUSED);
      assertThat(refused.getEstimator()).isEqualTo(SetAsideGroups.NO_ESTIMATOR);
      assertThat(refused.getEstimatorParams())
          .containsEntry(SetAsideGroups.REFUSED_BY_COMPAT, "trl")
          .containsEntry(SetAsideGroups.REFUSED_ESTIMATOR, "grpo")
          .doesNotContainKeys("compat", "eps", "ddof", "formula");
      assertThat(refused.getEstimatorParams().get(SetAsideGroups.REFUSAL))
          .contains("refuses a group with one scored member");
      assertThat(refused.getSamples()).extracting(RLSample::getAdvantage).containsExactly(0.0);
      assertThat(refused.getSamples()).extracting(RLSample::getReward).containsExactly(0.7);
      assertThat(refused.getRewardMean()).isEqualTo(0.7);
      assertThat(refused.getRewardStd()).isNull();
    }
  }

  @Test
  void aGroupTheFilterDropsSaysItWasFiltered() throws Exception {
    try (var harness = harness(AdvantageSpec.lodestarGrpo(), GroupFilter.VERL)) {
      send(harness, "same", 1.0, 1.0);
      send(harness, "mixed", 1.0, 0.0);

      assertThat(filtered(harness))
          .extracting(RLGroup::getReason)
          .containsExactly(SetAsideReason.FILTER);
      assertThat(harness.extractOutputValues()).extracting(RLGroup::getReason).containsOnlyNulls();
    }
  }

  @Test
  void batchWideEstimatorsEmitTheGroupPartMarkedPendingForTheBatchStep() throws Exception {
    try (var harness =
        harness(
            AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF),
            GroupFilter.NONE)) {
      send(harness, "g", 1.0, 0.0, 0.0, 1.0);

      RLGroup group = harness.extractOutputValues().get(0);
      assertThat(group.getSamples())
          .extracting(s -> s.getAdvantage())
          .containsExactly(0.5, -0.5, -0.5, 0.5);
      assertThat(group.getEstimatorParams()).containsEntry("batch_step", "pending");
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness(
      AdvantageSpec spec, GroupFilter filter) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new GroupFunction(TIMEOUT, LATE, spec, filter)),
            (ScoredGeneration s) -> s.getGeneration().getGroupId(),
            Types.STRING);
    harness.open();
    return harness;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness,
      String groupId,
      double... rewards)
      throws Exception {
    for (int i = 0; i < rewards.length; i++) {
      ScoredGeneration s =
          TestRecords.scored(
                  TestRecords.member(groupId + "-" + i, groupId, rewards.length, i, T0 + i),
                  rewards[i])
              .build();
      harness.processElement(s, s.getGeneration().getCreatedAtMs());
    }
  }

  private static List<RLGroup> filtered(
      KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness) {
    return harness.getSideOutput(GroupFunction.FILTERED_GROUPS).stream()
        .map(StreamRecord::getValue)
        .toList();
  }
}
