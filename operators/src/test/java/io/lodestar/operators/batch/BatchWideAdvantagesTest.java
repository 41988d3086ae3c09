package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.Advantages;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.GroupResult;
import io.lodestar.operators.advantage.ScaleRewards;
import io.lodestar.operators.group.RLGroups;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * REINFORCE++-baseline and TRL's scale_rewards=batch in the stream: the group operator's part is
 * finished over the RL batch, which is the trainer's batch. Every emitted batch must equal the
 * library's batch computation on exactly the batch's groups, with token weights where the mode
 * whitens over tokens; group-only estimators keep their per-group values.
 */
class BatchWideAdvantagesTest {

  private static final Duration MAX_WAIT = Duration.ofMinutes(1);

  static Stream<AdvantageSpec> batchWideSpecs() {
    return Stream.of(
        AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.LODESTAR),
        AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.VERL),
        AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF),
        AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH));
  }

  @ParameterizedTest
  @MethodSource("batchWideSpecs")
  void everyBatchEqualsTheLibraryOnExactlyItsGroups(AdvantageSpec spec) throws Exception {
    Random random = new Random(spec.hashCode());
    for (int trial = 0; trial < 20; trial++) {
      List<RLGroup> groups =
          randomGroups(random, spec, 3 + random.nextInt(12), random.nextBoolean());
      try (var harness =
          BatchHarness.open(
              BatchLimits.ofGroups(1 + random.nextInt(4)), MAX_WAIT, Staleness.off(), spec)) {
        for (RLGroup g : groups) {
          harness.processElement1(g, g.getClosedAtMs());
        }
        harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

        List<RLBatch> batches = harness.extractOutputValues();
        assertThat(batches.stream().mapToInt(b -> b.getGroups().size()).sum())
            .isEqualTo(groups.size());
        for (RLBatch batch : batches) {
          assertBatchEqualsLibrary(batch, spec);
        }
        assertThat(harness.numEventTimeTimers()).isZero();
      }
    }
  }

  @Test
  void groupOnlyEstimatorsKeepTheirPerGroupValues() throws Exception {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.RLOO, CompatMode.VERL);
    List<RLGroup> groups = randomGroups(new Random(3), spec, 6, true);
    List<List<Double>> before =
        groups.stream()
            .map(g -> g.getSamples().stream().map(RLSample::getAdvantage).toList())
            .toList();
    try (var harness =
        BatchHarness.open(BatchLimits.ofGroups(4), MAX_WAIT, Staleness.off(), spec)) {
      for (RLGroup g : groups) {
        harness.processElement1(RLGroup.newBuilder(g).build(), g.getClosedAtMs());
      }
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      List<List<Double>> after =
          harness.extractOutputValues().stream()
              .flatMap(b -> b.getGroups().stream())
              .map(g -> g.getSamples().stream().map(RLSample::getAdvantage).toList())
              .toList();
      assertThat(after).isEqualTo(before);
      assertThat(harness.extractOutputValues().get(0).getGroups().get(0).getEstimatorParams())
          .doesNotContainKey("batch_step");
    }
  }

  @Test
  void tokenWeightsFallBackToOnePerResponseWhenTokenIdsAreMissingAndSaySo() throws Exception {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF);
    List<RLGroup> groups = randomGroups(new Random(5), spec, 2, true);
    groups.get(1).getSamples().get(0).setResponseTokenIds(null);
    try (var harness =
        BatchHarness.open(BatchLimits.ofGroups(2), MAX_WAIT, Staleness.off(), spec)) {
      for (RLGroup g : groups) {
        harness.processElement1(g, g.getClosedAtMs());
      }
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      RLBatch batch = harness.extractOutputValues().get(0);
      assertThat(batch.getGroups().get(0).getEstimatorParams())
          .containsEntry("whiten_weights", "responses (token ids missing)")
          .containsEntry("batch_step", "applied")
          .containsEntry("batch_id", batch.getBatchId());
      assertBatchEqualsLibrary(batch, spec);
    }
  }

  @Test
  void aDownweightedStaleGroupIsScaledAfterTheBatchStep() throws Exception {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.LODESTAR);
    List<RLGroup> groups = randomGroups(new Random(11), spec, 2, true);
    groups.get(0).setMinPolicyVersion(1L);
    groups.get(1).setMinPolicyVersion(9L);
    groups.get(1).setMaxPolicyVersion(9L);
    // Only a batch that mixes versions holds a stale group with a newer one.
    try (var harness =
        BatchHarness.open(
            BatchLimits.ofGroups(2),
            MAX_WAIT,
            new Staleness(0, Staleness.Action.DOWNWEIGHT, 0.25),
            spec,
            true)) {
      // The stale group settles after the newer one, so version 9 is known when it is checked.
      groups.get(0).setClosedAtMs(groups.get(1).getClosedAtMs() + 1);
      for (RLGroup g : groups) {
        harness.processElement1(g, g.getClosedAtMs());
      }
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));
      RLBatch batch = harness.extractOutputValues().get(0);
      List<Double[]> rewards = rewardsOf(batch);
      List<GroupResult> expected = Advantages.batch(rewards, spec);
      RLGroup stale = batch.getGroups().get(1);
      assertThat(stale.getEstimatorParams()).containsEntry("staleness_weight", "0.25");
      for (int i = 0; i < stale.getSamples().size(); i++) {
        assertThat(stale.getSamples().get(i).getAdvantage())
            .isEqualTo(expected.get(1).advantages()[i] * 0.25);
      }
    }
  }

  @Test
  void aBatchVerlCannotWhitenIsSetAsideNotEmittedAndNotFailed() throws Exception {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.VERL);
    ScoredGeneration lone =
        TestRecords.scored(
                Generation.newBuilder(TestRecords.member("lone-0", "lone", 1, 0, 1_000))
                    .setResponseTokenIds(new ArrayList<>(List.of(5)))
                    .build(),
                1.0)
            .build();
    RLGroup group = RLGroups.build(List.of(lone), GroupCompletion.FULL, 1_000, spec);
    try (var harness =
        BatchHarness.open(BatchLimits.ofGroups(1), MAX_WAIT, Staleness.off(), spec)) {
      harness.processElement1(group, 1_000);
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(BatchHarness.side(harness, BatchFunction.REFUSED_GROUPS))
          .extracting(RLGroup::getGroupId)
          .containsExactly("lone");
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  private static void assertBatchEqualsLibrary(RLBatch batch, AdvantageSpec spec) {
    boolean tokenLevel =
        spec.estimator() == Estimator.REINFORCE_PP_BASELINE
            && spec.mode() != CompatMode.LODESTAR
            && batch.getGroups().stream()
                .flatMap(g -> g.getSamples().stream())
                .allMatch(s -> !s.getScored() || s.getResponseTokenIds() != null);
    List<int[]> tokens = new ArrayList<>();
    for (RLGroup g : batch.getGroups()) {
      tokens.add(
          g.getSamples().stream()
              .mapToInt(s -> s.getResponseTokenIds() == null ? 0 : s.getResponseTokenIds().size())
              .toArray());
    }
    List<GroupResult> expected =
        Advantages.batch(rewardsOf(batch), tokenLevel ? tokens : null, spec);
    for (int g = 0; g < batch.getGroups().size(); g++) {
      List<RLSample> samples = batch.getGroups().get(g).getSamples();
      for (int i = 0; i < samples.size(); i++) {
        assertThat(samples.get(i).getAdvantage())
            .as(batch.getBatchId() + " group " + g + " sample " + i)
            .isCloseTo(expected.get(g).advantages()[i], within(0.0));
      }
      assertThat(batch.getGroups().get(g).getEstimatorParams())
          .containsEntry("batch_step", "applied");
    }
  }

  private static List<Double[]> rewardsOf(RLBatch batch) {
    List<Double[]> rewards = new ArrayList<>();
    for (RLGroup g : batch.getGroups()) {
      rewards.add(
          g.getSamples().stream()
              .map(s -> s.getScored() ? s.getReward() : null)
              .toArray(Double[]::new));
    }
    return rewards;
  }

  /**
   * Groups of 2-8 members with token ids of random length, some unscored, built by the group
   * operator's core.
   */
  static List<RLGroup> randomGroups(
      Random random, AdvantageSpec spec, int count, boolean withUnscored) {
    List<RLGroup> groups = new ArrayList<>();
    for (int g = 0; g < count; g++) {
      String groupId = "g" + g;
      int size = 2 + random.nextInt(7);
      long t = 1_000L * (g + 1);
      List<ScoredGeneration> members = new ArrayList<>();
      int scored = 0;
      for (int i = 0; i < size; i++) {
        List<Integer> tokens = new ArrayList<>();
        for (int k = 1 + random.nextInt(30); k > 0; k--) {
          tokens.add(k);
        }
        Generation gen =
            Generation.newBuilder(TestRecords.member(groupId + "-" + i, groupId, size, i, t + i))
                .setResponseTokenIds(tokens)
                .setResponseLogprobs(null)
                .build();
        boolean unscored = withUnscored && random.nextInt(6) == 0 && scored >= 2;
        Double reward =
            unscored
                ? null
                : random.nextInt(3) == 0 ? (double) random.nextInt(2) : random.nextGaussian();
        if (!unscored) {
          scored++;
        }
        members.add(TestRecords.scored(gen, reward).build());
      }
      groups.add(RLGroups.build(members, GroupCompletion.FULL, t + size, spec));
    }
    return groups;
  }
}
