package io.lodestar.operators.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.GroupAdvantages;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group operator with the majority vote on: a closed group without ground truth gets its
 * pseudo-label rewards before advantages and the filter, and nothing of the group stays in state.
 */
class GroupFunctionMajorityVoteTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LATE_RETENTION = Duration.ofMinutes(10);
  private static final long T0 = TestRecords.CREATED_AT_MS;

  private CapturedMetrics metrics;
  private MockEnvironment environment;
  private KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness;

  @BeforeEach
  void openHarness() throws Exception {
    metrics = new CapturedMetrics();
    environment = metrics.environment();
    GroupScoring scoring =
        new GroupScoring(
            new MajorityVote(MajorityVote.Settings.defaults()), RewardComposition.defaults());
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new GroupFunction(
                    TIMEOUT,
                    LATE_RETENTION,
                    AdvantageSpec.lodestarGrpo(),
                    GroupFilter.VERL,
                    scoring)),
            s -> s.getGeneration().getGroupId(),
            Types.STRING,
            environment);
    harness.open();
  }

  @AfterEach
  void closeHarness() throws Exception {
    harness.close();
    environment.close();
  }

  /** A verified member of a group of {@code size} whose task has {@code truth} (or none). */
  private static ScoredGeneration member(
      String group, int size, int index, String truth, String response) {
    Generation g =
        Generation.newBuilder(
                TestRecords.member(group + "-g" + index, group, size, index, T0 + index))
            .setResponse(response)
            .setTask(
                TaskMetadata.newBuilder()
                    .setDataSource("unlabelled")
                    .setKind(TaskKind.MATH)
                    .setGroundTruth(truth)
                    .build())
            .build();
    ScoredGeneration verified =
        ScoredGeneration.newBuilder()
            .setGeneration(g)
            .setComponents(new ArrayList<>(List.of(new MathVerifier().score(g))))
            .setReward(null)
            .setRewardVersion(RewardComposition.UNCOMBINED)
            .setScoredAtMs(g.getCreatedAtMs())
            .build();
    return RewardComposition.defaults().compose(verified).applyTo(verified);
  }

  private void send(ScoredGeneration s) throws Exception {
    harness.processElement(s, s.getGeneration().getCreatedAtMs());
  }

  private void assertStateGone() {
    assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
  }

  private static List<Double> rewards(RLGroup g) {
    return g.getSamples().stream().map(RLSample::getReward).toList();
  }

  private static double[] advantages(RLGroup g) {
    return g.getSamples().stream().mapToDouble(RLSample::getAdvantage).toArray();
  }

  @Test
  void aFullGroupWithoutGroundTruthTrainsOnItsMajorityAndLeavesNoState() throws Exception {
    send(member("q", 4, 3, null, "\\boxed{7}"));
    send(member("q", 4, 0, null, "The answer is \\boxed{12}."));
    send(member("q", 4, 2, null, "I give up."));
    send(member("q", 4, 1, null, "\\boxed{\\frac{24}{2}}"));

    List<RLGroup> out = harness.extractOutputValues();
    assertThat(out).hasSize(1);
    RLGroup group = out.get(0);
    assertThat(group.getCompletion()).isEqualTo(GroupCompletion.FULL);
    assertThat(rewards(group)).containsExactly(1.0, 1.0, null, 0.0);
    assertThat(group.getScoredCount()).isEqualTo(3);
    assertThat(advantages(group))
        .containsExactly(
            GroupAdvantages.grpo(new Double[] {1.0, 1.0, null, 0.0}, 1e-6).advantages(),
            within(0.0));
    RLSample first = group.getSamples().get(0);
    assertThat(first.getComponents())
        .extracting(RewardComponent::getName)
        .contains(MajorityVote.NAME, MajorityVote.AGREEMENT);
    assertThat(metrics.count(GroupMetricNames.MAJORITY_VOTE_LABELLED)).isEqualTo(1);
    assertThat(metrics.count(GroupMetricNames.MAJORITY_VOTE_UNDECIDED)).isZero();

    harness.processWatermark(T0 + 3 + LATE_RETENTION.toMillis());
    assertStateGone();
  }

  @Test
  void aGroupClosedByItsTimeoutIsVotedOnTheMembersItHas() throws Exception {
    send(member("t", 8, 0, null, "\\boxed{5}"));
    send(member("t", 8, 1, null, "\\boxed{5}"));
    send(member("t", 8, 2, null, "\\boxed{6}"));

    harness.processWatermark(T0 + TIMEOUT.toMillis());

    List<RLGroup> out = harness.extractOutputValues();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getCompletion()).isEqualTo(GroupCompletion.TIMEOUT);
    assertThat(rewards(out.get(0))).containsExactly(1.0, 1.0, 0.0);

    harness.processWatermark(T0 + TIMEOUT.toMillis() + LATE_RETENTION.toMillis());
    assertStateGone();
  }

  @Test
  void aGroupWithoutAClearMajorityIsUnscoredAndTheFilterSetsItAside() throws Exception {
    send(member("u", 2, 0, null, "\\boxed{1}"));
    send(member("u", 2, 1, null, "\\boxed{2}"));

    assertThat(harness.extractOutputValues()).isEmpty();
    var setAside = harness.getSideOutput(GroupFunction.FILTERED_GROUPS);
    assertThat(setAside).hasSize(1);
    assertThat(rewards(setAside.peek().getValue())).containsOnlyNulls();
    assertThat(metrics.count(GroupMetricNames.MAJORITY_VOTE_UNDECIDED)).isEqualTo(1);

    harness.processWatermark(T0 + 1 + LATE_RETENTION.toMillis());
    assertStateGone();
  }

  @Test
  void aGroupWithGroundTruthKeepsItsVerifierRewards() throws Exception {
    send(member("v", 2, 0, "12", "\\boxed{12}"));
    send(member("v", 2, 1, "12", "\\boxed{13}"));

    RLGroup group = harness.extractOutputValues().get(0);
    assertThat(rewards(group)).containsExactly(1.0, 0.0);
    assertThat(group.getSamples().get(0).getComponents())
        .extracting(RewardComponent::getName)
        .containsExactly(MathVerifier.NAME);
    assertThat(metrics.count(GroupMetricNames.MAJORITY_VOTE_LABELLED)).isZero();

    harness.processWatermark(T0 + 1 + LATE_RETENTION.toMillis());
    assertStateGone();
  }
}
