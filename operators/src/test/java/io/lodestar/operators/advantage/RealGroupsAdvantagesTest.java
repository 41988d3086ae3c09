package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantagesAgreeWithReferenceTest.Knobs;
import io.lodestar.operators.advantage.AdvantagesAgreeWithReferenceTest.Reference;
import io.lodestar.operators.batch.BatchFunction;
import io.lodestar.operators.batch.BatchLimits;
import io.lodestar.operators.batch.Staleness;
import io.lodestar.operators.group.GroupFilter;
import io.lodestar.operators.group.GroupFunction;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 250 real groups of {@code testdata/generations/groups.jsonl}, with their {@code correct}
 * labels (1/0) and, for the 50 MATH groups, the reward model's {@code rm_score} as rewards, go
 * through the group operator (keyed state, dynamic-sampling filter) and the batch operator, for
 * every compat mode and estimator it supports. Every kept group's advantages must match the plain
 * reference of {@link AdvantagesAgreeWithReferenceTest} (batch-wide estimators over the batches the
 * operator formed), and the filter must keep exactly the groups a plain predicate keeps.
 */
class RealGroupsAdvantagesTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final int GROUPS_PER_BATCH = 16;

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (CompatMode mode : CompatMode.values()) {
      for (String rewards : List.of("correct", "rm_score")) {
        for (Estimator estimator : AdvantageSpec.supported(mode)) {
          all.add(Arguments.of(mode, estimator, rewards, GroupFilter.NONE));
        }
        // The filters decide on rewards alone; one estimator per mode shows them with its
        // arithmetic.
        all.add(Arguments.of(mode, Estimator.GRPO, rewards, GroupFilter.VERL));
        all.add(Arguments.of(mode, Estimator.GRPO, rewards, GroupFilter.OPENRLHF));
      }
    }
    for (String rewards : List.of("correct", "rm_score")) {
      all.add(Arguments.of(CompatMode.TRL, null, rewards, GroupFilter.NONE)); // scale_rewards=batch
      all.add(Arguments.of(CompatMode.TRL, null, rewards, GroupFilter.VERL));
    }
    return all.stream();
  }

  @ParameterizedTest(
      name = "{0} {1} {2} filter={3}") // estimator null: trl grpo with scale_rewards=batch
  @MethodSource("cases")
  void everyRealGroupMatchesTheReference(
      CompatMode mode, Estimator estimatorOrTrlBatch, String rewardField, GroupFilter filter)
      throws Exception {
    Estimator estimator = estimatorOrTrlBatch == null ? Estimator.GRPO : estimatorOrTrlBatch;
    AdvantageSpec spec = AdvantageSpec.of(estimator, mode);
    Knobs knobs = AdvantagesAgreeWithReferenceTest.defaults(mode, estimator);
    if (estimatorOrTrlBatch == null) {
      spec = spec.withScaleRewards(ScaleRewards.BATCH);
      knobs = new Knobs(knobs.eps(), true, "batch", Double.NaN);
    }
    Map<String, Double[]> rewards = new LinkedHashMap<>();
    List<ScoredGeneration> members = members(rewardField, rewards);

    List<RLGroup> kept = new ArrayList<>();
    List<RLGroup> filtered = new ArrayList<>();
    try (var groups = groupHarness(spec, filter)) {
      for (ScoredGeneration m : members) {
        groups.processElement(m, m.getGeneration().getCreatedAtMs());
      }
      groups.processWatermark(new Watermark(Long.MAX_VALUE));
      kept.addAll(groups.extractOutputValues());
      var side = groups.getSideOutput(GroupFunction.FILTERED_GROUPS);
      if (side != null) {
        side.stream().map(StreamRecord::getValue).forEach(filtered::add);
      }
    }

    String where =
        mode.id() + " " + spec.describe().get("formula") + " " + rewardField + " " + filter;
    assertThat(kept.size() + filtered.size()).as(where).isEqualTo(rewards.size());
    for (RLGroup g : kept) {
      assertThat(referenceKeeps(filter, rewards.get(g.getGroupId())))
          .as(where + " kept " + g.getGroupId())
          .isTrue();
    }
    for (RLGroup g : filtered) {
      assertThat(referenceKeeps(filter, rewards.get(g.getGroupId())))
          .as(where + " filtered " + g.getGroupId())
          .isFalse();
    }

    List<List<RLGroup>> batches = new ArrayList<>();
    if (spec.needsWholeBatch()) {
      try (var packer = batchHarness(spec)) {
        for (RLGroup g : kept) {
          packer.processElement1(g, g.getClosedAtMs());
        }
        packer.processBothWatermarks(new Watermark(Long.MAX_VALUE));
        packer.extractOutputValues().stream().map(RLBatch::getGroups).forEach(batches::add);
      }
      assertThat(batches.stream().mapToInt(List::size).sum()).as(where).isEqualTo(kept.size());
    } else {
      kept.forEach(g -> batches.add(List.of(g)));
    }
    for (List<RLGroup> batch : batches) {
      List<Double[]> batchRewards = batch.stream().map(g -> rewards.get(g.getGroupId())).toList();
      List<double[]> expected = Reference.advantages(batchRewards, mode, estimator, knobs);
      assertThat(expected).as(where + ": the reference refuses no real batch").isNotNull();
      for (int g = 0; g < batch.size(); g++) {
        List<RLSample> samples = batch.get(g).getSamples();
        for (int i = 0; i < samples.size(); i++) {
          assertThat(samples.get(i).getAdvantage())
              .as(where + " " + batch.get(g).getGroupId() + " sample " + i)
              .isCloseTo(expected.get(g)[i], within(1e-12));
        }
      }
    }
  }

  /** The dynamic-sampling predicates written out plainly. */
  private static boolean referenceKeeps(GroupFilter filter, Double[] rewards) {
    List<Double> scored = Reference.scored(rewards);
    return switch (filter) {
      case NONE -> true;
      case VERL -> !scored.isEmpty() && (scored.size() == 1 || Reference.std(scored, 0) > 0);
      case OPENRLHF -> {
        if (scored.isEmpty()) {
          yield false;
        }
        double mean = Reference.mean(scored);
        yield mean > 0 && mean < 1;
      }
    };
  }

  /** One scored generation per real sample, rewards by group in sample order. */
  private static List<ScoredGeneration> members(
      String rewardField, Map<String, Double[]> rewardsByGroup) {
    List<ScoredGeneration> out = new ArrayList<>();
    long time = 1_000_000L;
    for (JsonNode group : TestDataFiles.jsonLines("generations/groups.jsonl")) {
      String groupId = group.path("group_id").asText();
      JsonNode samples = group.path("generations");
      Double[] rewards = new Double[samples.size()];
      for (int i = 0; i < samples.size(); i++) {
        JsonNode s = samples.get(i);
        boolean useScore = rewardField.equals("rm_score") && s.has("rm_score");
        rewards[i] =
            useScore ? s.path("rm_score").asDouble() : s.path("correct").asBoolean() ? 1.0 : 0.0;
        Generation g =
            Generation.newBuilder(
                    TestRecords.member(groupId + "/" + i, groupId, samples.size(), i, time++))
                .setResponse(s.path("text").asText())
                .setResponseTokenIds(null)
                .setResponseLogprobs(null)
                .build();
        out.add(TestRecords.scored(g, rewards[i]).build());
      }
      rewardsByGroup.put(groupId, rewards);
    }
    assertThat(rewardsByGroup).hasSize(250);
    return out;
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup>
      groupHarness(AdvantageSpec spec, GroupFilter filter) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new GroupFunction(TIMEOUT, TIMEOUT, spec, filter)),
            (ScoredGeneration s) -> s.getGeneration().getGroupId(),
            Types.STRING);
    harness.open();
    return harness;
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch>
      batchHarness(AdvantageSpec spec) throws Exception {
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new BatchFunction(
                    BatchLimits.ofGroups(GROUPS_PER_BATCH), TIMEOUT, Staleness.off(), spec)),
            (RLGroup g) -> g.getSamples().get(0).getPolicy().getModelId(),
            PolicyUpdate::getModelId,
            Types.STRING);
    harness.open();
    return harness;
  }
}
