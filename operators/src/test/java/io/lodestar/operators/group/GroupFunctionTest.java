package io.lodestar.operators.group;

import static io.lodestar.operators.TestRecords.CREATED_AT_MS;
import static io.lodestar.operators.TestRecords.member;
import static io.lodestar.operators.TestRecords.scored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.operators.TestRecords;
import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GroupFunctionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LATE_RETENTION = Duration.ofMinutes(10);
  private static final long TIMEOUT_MS = TIMEOUT.toMillis();
  private static final long LATE_MS = LATE_RETENTION.toMillis();
  private static final double EPS = 1e-6;
  private static final String GROUP = "group-7";
  private static final long T0 = CREATED_AT_MS;
  private static final long DEAD_AT_MS = T0 + 3_600_000;

  private CapturedMetrics metrics;
  private MockEnvironment environment;
  private KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness;

  @BeforeEach
  void openHarness() throws Exception {
    metrics = new CapturedMetrics();
    environment = metrics.environment();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new GroupFunction(TIMEOUT, LATE_RETENTION)),
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

  /** Member {@code index} of a group of 3, created {@code offsetMs} after T0. */
  private static ScoredGeneration m(int index, Double reward, long offsetMs) {
    return scored(member(GROUP + "-g" + index, GROUP, 3, index, T0 + offsetMs), reward).build();
  }

  private void send(ScoredGeneration s) throws Exception {
    harness.processElement(s, s.getGeneration().getCreatedAtMs());
  }

  private List<RLGroup> groups() {
    return harness.extractOutputValues();
  }

  private List<ScoredGeneration> late() {
    var records = harness.getSideOutput(GroupFunction.LATE_MEMBERS);
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  private List<DeadLetter> inconsistent() {
    var records = harness.getSideOutput(GroupFunction.INCONSISTENT_MEMBERS);
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  /** Member {@code index} of the group of 3, changed by {@code change}. */
  private static ScoredGeneration odd(
      int index, long offsetMs, UnaryOperator<Generation.Builder> change) {
    Generation g = member(GROUP + "-g" + index, GROUP, 3, index, T0 + offsetMs);
    return scored(change.apply(Generation.newBuilder(g)).build(), 0.75).build();
  }

  private static List<String> ids(RLGroup g) {
    return g.getSamples().stream().map(RLSample::getGenerationId).toList();
  }

  /** GRPO advantages computed independently: unbiased std over all given rewards. */
  private static double[] expectedAdvantages(double... rewards) {
    int n = rewards.length;
    double mean = 0;
    for (double r : rewards) {
      mean += r / n;
    }
    double ss = 0;
    for (double r : rewards) {
      ss += (r - mean) * (r - mean);
    }
    double std = Math.sqrt(ss / (n - 1));
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (rewards[i] - mean) / (std + EPS);
    }
    return a;
  }

  private void assertStateGone() {
    assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
  }

  @Test
  void emitsAFullGroupOnceWhenTheLastExpectedMemberArrives() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 100));
    assertThat(groups()).isEmpty();

    send(m(2, 0.5, 200));

    assertThat(groups()).hasSize(1);
    RLGroup group = groups().get(0);
    assertThat(group.getCompletion()).isEqualTo(GroupCompletion.FULL);
    assertThat(group.getGroupId()).isEqualTo(GROUP);
    assertThat(group.getExpectedSize()).isEqualTo(3);
    assertThat(group.getClosedAtMs()).isEqualTo(T0 + 200);
    assertThat(group.getScoredCount()).isEqualTo(3);
    assertThat(group.getUnscoredCount()).isZero();
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1", GROUP + "-g2");
    assertThat(metrics.count(GroupMetricNames.GROUPS_COMPLETED)).isEqualTo(1);

    // The deadline timer is gone; passing it emits nothing more.
    harness.processWatermark(T0 + TIMEOUT_MS + 1);
    assertThat(groups()).hasSize(1);
    assertThat(metrics.count(GroupMetricNames.GROUPS_TIMED_OUT)).isZero();
  }

  @Test
  void computesGrpoAdvantagesWithUnbiasedStd() throws Exception {
    double[] rewards = {1.0, 0.0, 0.25};
    send(m(0, rewards[0], 0));
    send(m(1, rewards[1], 10));
    send(m(2, rewards[2], 20));

    RLGroup group = groups().get(0);
    double[] expected = expectedAdvantages(rewards);
    double mean = (1.0 + 0.0 + 0.25) / 3;
    double std =
        Math.sqrt(((1.0 - mean) * (1.0 - mean) + mean * mean + (0.25 - mean) * (0.25 - mean)) / 2);
    assertThat(group.getRewardMean()).isCloseTo(mean, within(1e-12));
    assertThat(group.getRewardStd()).isCloseTo(std, within(1e-12));
    for (int i = 0; i < 3; i++) {
      RLSample sample = group.getSamples().get(i);
      assertThat(sample.getReward()).isEqualTo(rewards[i]);
      assertThat(sample.getScored()).isTrue();
      assertThat(sample.getAdvantage()).as("advantage %d", i).isCloseTo(expected[i], within(1e-12));
    }
    assertThat(group.getEstimator()).isEqualTo("grpo");
  }

  @Test
  void ordersMembersBySampleIndexRegardlessOfArrivalOrder() throws Exception {
    send(m(2, 0.5, 0));
    send(m(0, 1.0, 10));
    send(m(1, 0.0, 20));

    RLGroup group = groups().get(0);
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1", GROUP + "-g2");
    assertThat(group.getSamples().stream().map(RLSample::getReward).toList())
        .containsExactly(1.0, 0.0, 0.5);
  }

  @Test
  void emitsAnIncompleteGroupWithTimeoutWhenTheWatermarkPassesTheDeadline() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 5_000));

    harness.processWatermark(T0 + TIMEOUT_MS - 1);
    assertThat(groups()).isEmpty();

    harness.processWatermark(T0 + TIMEOUT_MS);
    assertThat(groups()).hasSize(1);
    RLGroup group = groups().get(0);
    assertThat(group.getCompletion()).isEqualTo(GroupCompletion.TIMEOUT);
    assertThat(group.getClosedAtMs()).isEqualTo(T0 + TIMEOUT_MS);
    assertThat(group.getExpectedSize()).isEqualTo(3);
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1");
    assertThat(metrics.count(GroupMetricNames.GROUPS_TIMED_OUT)).isEqualTo(1);
  }

  @Test
  void sendsAMemberArrivingAfterAFullGroupClosedToTheLateSideOutput() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 10));
    send(m(2, 0.5, 20));
    ScoredGeneration straggler = scored(member(GROUP + "-g3", GROUP, 3, 3, T0 + 30), 1.0).build();

    send(straggler);

    assertThat(groups()).hasSize(1);
    assertThat(late()).containsExactly(straggler);
    assertThat(metrics.count(GroupMetricNames.LATE_MEMBERS)).isEqualTo(1);
  }

  @Test
  void sendsAMemberArrivingAfterATimeoutToTheLateSideOutput() throws Exception {
    send(m(0, 1.0, 0));
    harness.processWatermark(T0 + TIMEOUT_MS);
    ScoredGeneration tooLate = m(1, 0.0, TIMEOUT_MS + 1);

    send(tooLate);

    assertThat(groups()).hasSize(1);
    assertThat(ids(groups().get(0))).containsExactly(GROUP + "-g0");
    assertThat(late()).containsExactly(tooLate);
  }

  @Test
  void aMemberAfterTheLateRetentionStartsANewGroupBeforeTheWatermarkCatchesUp() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 10));
    send(m(2, 0.5, 20));
    // Closed at T0 + 20; remembered until T0 + 20 + LATE_MS in event time.
    ScoredGeneration stillLate =
        scored(member(GROUP + "-g3", GROUP, 3, 0, T0 + 20 + LATE_MS), 1.0).build();
    ScoredGeneration afterRetention =
        scored(member(GROUP + "-g4", GROUP, 3, 1, T0 + 21 + LATE_MS), 1.0).build();

    send(stillLate);
    send(afterRetention);

    assertThat(late()).containsExactly(stillLate);
    assertThat(groups()).hasSize(1);
    harness.processWatermark(Long.MAX_VALUE);
    assertThat(groups()).hasSize(2);
    assertThat(ids(groups().get(1))).containsExactly(GROUP + "-g4");
    harness.processWatermark(Long.MAX_VALUE);
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldDeadLetterAMemberArrivingAfterAFullGroupAsLateGroupMemberNamingTheGroup()
      throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 10));
    send(m(2, 0.5, 20));
    ScoredGeneration straggler = scored(member("group-7-g3", GROUP, 3, 3, T0 + 30), 1.0).build();

    send(straggler);

    assertThat(late()).hasSize(1);
    assertLateGroupMember(
        DeadLetters.lateGroupMember(late().get(0), DEAD_AT_MS), straggler, "group-7-g3", T0 + 30);
  }

  @Test
  void shouldDeadLetterAMemberArrivingAfterATimeoutAsLateGroupMemberNamingTheGroup()
      throws Exception {
    send(m(0, 1.0, 0));
    harness.processWatermark(T0 + TIMEOUT_MS);
    ScoredGeneration tooLate = m(1, 0.0, TIMEOUT_MS + 1);

    send(tooLate);

    assertThat(late()).hasSize(1);
    assertLateGroupMember(
        DeadLetters.lateGroupMember(late().get(0), DEAD_AT_MS),
        tooLate,
        "group-7-g1",
        T0 + TIMEOUT_MS + 1);
  }

  /** The whole dead letter of a late member: no source position, the scored record as JSON. */
  private static void assertLateGroupMember(
      DeadLetter dead, ScoredGeneration member, String generationId, long createdAtMs) {
    assertThat(dead.getOrigin()).isEqualTo("group.generations");
    assertThat(dead.getErrorKind()).isEqualTo("LATE_GROUP_MEMBER");
    assertThat(dead.getReason()).isEqualTo("arrived after group group-7 closed");
    assertThat(dead.getRecordId()).isEqualTo(generationId);
    assertThat(dead.getRecordTimestampMs()).isEqualTo(createdAtMs);
    assertThat(dead.getDeadAtMs()).isEqualTo(DEAD_AT_MS);
    assertThat(dead.getTopic()).isNull();
    assertThat(dead.getPartition()).isNull();
    assertThat(dead.getOffset()).isNull();
    assertThat(dead.getKey()).isNull();
    byte[] payload = new byte[dead.getPayload().remaining()];
    dead.getPayload().duplicate().get(payload);
    assertThat(dead.getPayloadSize()).isEqualTo(payload.length);
    assertThat(RecordCodec.of(ScoredGeneration.class).decodeOrThrow(payload)).isEqualTo(member);
  }

  @Test
  void ignoresARepeatedGenerationIdInsideAnOpenGroup() throws Exception {
    ScoredGeneration first = m(0, 1.0, 0);
    send(first);
    send(scored(first.getGeneration(), 0.0).build()); // same id, different reward
    send(m(1, 0.0, 10));
    assertThat(groups()).as("the repeat must not count towards K").isEmpty();

    send(m(2, 0.5, 20));

    RLGroup group = groups().get(0);
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1", GROUP + "-g2");
    assertThat(group.getSamples().get(0).getReward()).isEqualTo(1.0);
    assertThat(late()).isEmpty();
  }

  @Test
  void emitsEndOfInputWhenTheInputEnds() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 10));

    harness.processWatermark(Long.MAX_VALUE);

    assertThat(groups()).hasSize(1);
    RLGroup group = groups().get(0);
    assertThat(group.getCompletion()).isEqualTo(GroupCompletion.END_OF_INPUT);
    assertThat(group.getClosedAtMs()).isEqualTo(T0 + TIMEOUT_MS);
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1");
    assertStateGone();
  }

  @Test
  void givesAnUnscoredMemberZeroAdvantageAndLeavesItOutOfMeanAndStd() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, null, 10));
    send(m(2, 0.0, 20));

    RLGroup group = groups().get(0);
    assertThat(group.getScoredCount()).isEqualTo(2);
    assertThat(group.getUnscoredCount()).isEqualTo(1);
    assertThat(group.getRewardMean()).isCloseTo(0.5, within(1e-12));
    assertThat(group.getRewardStd()).isCloseTo(Math.sqrt(0.5), within(1e-12));
    double[] expected = expectedAdvantages(1.0, 0.0);
    RLSample unscored = group.getSamples().get(1);
    assertThat(unscored.getScored()).isFalse();
    assertThat(unscored.getReward()).isNull();
    assertThat(unscored.getAdvantage()).isEqualTo(0.0);
    assertThat(group.getSamples().get(0).getAdvantage()).isCloseTo(expected[0], within(1e-12));
    assertThat(group.getSamples().get(2).getAdvantage()).isCloseTo(expected[1], within(1e-12));
  }

  @Test
  void givesASingleScoredMemberItsRewardDividedByOnePlusEps() throws Exception {
    send(m(0, null, 0));
    send(m(1, 0.8, 10));
    send(m(2, null, 20));

    RLGroup group = groups().get(0);
    assertThat(group.getScoredCount()).isEqualTo(1);
    assertThat(group.getRewardMean()).isEqualTo(0.8);
    assertThat(group.getRewardStd()).isNull();
    assertThat(group.getSamples().get(1).getAdvantage()).isCloseTo(0.8 / (1 + EPS), within(1e-15));
    assertThat(group.getSamples().get(0).getAdvantage()).isEqualTo(0.0);
    assertThat(group.getSamples().get(2).getAdvantage()).isEqualTo(0.0);
  }

  @Test
  void keepsGroupsWithDifferentIdsApart() throws Exception {
    send(m(0, 1.0, 0));
    send(scored(member("other-g0", "other", 1, 0, T0 + 5), 0.3).build());

    assertThat(groups()).hasSize(1);
    assertThat(groups().get(0).getGroupId()).isEqualTo("other");
    assertThat(groups().get(0).getSamples().get(0).getAdvantage())
        .isCloseTo(0.3 / (1 + EPS), within(1e-15));
  }

  /**
   * Scenarios that each end with a closed group; the closing time is what the late timer counts
   * from.
   */
  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of(
            "full",
            (Scenario)
                h -> {
                  h.send(m(0, 1.0, 0));
                  h.send(m(1, 0.0, 10));
                  h.send(m(2, 0.5, 20));
                  return T0 + 20;
                }),
        Arguments.of(
            "timeout",
            (Scenario)
                h -> {
                  h.send(m(0, 1.0, 0));
                  h.harness.processWatermark(T0 + TIMEOUT_MS);
                  return T0 + TIMEOUT_MS;
                }),
        Arguments.of(
            "late member",
            (Scenario)
                h -> {
                  h.send(m(0, 1.0, 0));
                  h.send(m(1, 0.0, 10));
                  h.send(m(2, 0.5, 20));
                  h.send(scored(member(GROUP + "-g3", GROUP, 3, 3, T0 + 30), 1.0).build());
                  return T0 + 20;
                }),
        Arguments.of(
            "repeated id",
            (Scenario)
                h -> {
                  h.send(m(0, 1.0, 0));
                  h.send(m(0, 1.0, 0));
                  h.send(m(1, 0.0, 10));
                  h.send(m(2, 0.5, 20));
                  return T0 + 20;
                }),
        Arguments.of(
            "inconsistent member",
            (Scenario)
                h -> {
                  h.send(m(0, 1.0, 0));
                  h.send(odd(9, 5, g -> g.setPromptId("another-prompt")));
                  h.send(m(1, 0.0, 10));
                  h.send(m(2, 0.5, 20));
                  return T0 + 20;
                }),
        Arguments.of(
            "unscored members",
            (Scenario)
                h -> {
                  h.send(m(0, null, 0));
                  h.send(m(1, null, 10));
                  h.harness.processWatermark(T0 + TIMEOUT_MS);
                  return T0 + TIMEOUT_MS;
                }));
  }

  @FunctionalInterface
  interface Scenario {
    long run(GroupFunctionTest test) throws Exception;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void clearsAllStateAndTimersAfterTheLateRetention(String name, Scenario scenario)
      throws Exception {
    long closedAt = scenario.run(this);
    assertThat(groups()).hasSize(1);
    assertThat(harness.numKeyedStateEntries()).as("only the tombstone").isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).as("only the late timer").isEqualTo(1);

    harness.processWatermark(closedAt + LATE_MS - 1);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

    harness.processWatermark(closedAt + LATE_MS);
    assertStateGone();
    assertThat(groups()).hasSize(1);
    assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(0L);
  }

  @Test
  void theOpenGroupsGaugeCountsGroupsUntilTheyCloseAndSurvivesARestore() throws Exception {
    send(m(0, 1.0, 0));
    send(scored(member("other-g0", "other", 2, 0, T0 + 5), 0.3).build());
    assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(2L);

    OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + 5);
    CapturedMetrics restoredMetrics = new CapturedMetrics();
    try (MockEnvironment restoredEnvironment = restoredMetrics.environment();
        KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> restored =
            new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GroupFunction(TIMEOUT, LATE_RETENTION)),
                s -> s.getGeneration().getGroupId(),
                Types.STRING,
                restoredEnvironment)) {
      restored.initializeState(snapshot);
      restored.open();
      assertThat(restoredMetrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(2L);

      ScoredGeneration last = scored(member("other-g1", "other", 2, 1, T0 + 6), 0.1).build();
      restored.processElement(last, last.getGeneration().getCreatedAtMs());
      assertThat(restoredMetrics.gauge(GroupMetricNames.OPEN_GROUPS))
          .as("the full group closed")
          .isEqualTo(1L);
      restored.processWatermark(T0 + TIMEOUT_MS);
      assertThat(restoredMetrics.gauge(GroupMetricNames.OPEN_GROUPS))
          .as("the other timed out")
          .isEqualTo(0L);
    }
  }

  @Test
  void clearsAllStateAndTimersAtEndOfInputAfterAFullGroup() throws Exception {
    send(m(0, 1.0, 0));
    send(m(1, 0.0, 10));
    send(m(2, 0.5, 20));

    harness.processWatermark(Long.MAX_VALUE);

    assertThat(groups()).hasSize(1);
    assertThat(groups().get(0).getCompletion()).isEqualTo(GroupCompletion.FULL);
    assertStateGone();
  }

  static Stream<Arguments> oddMembers() {
    return Stream.of(
        Arguments.of(
            "another prompt",
            (UnaryOperator<Generation.Builder>) g -> g.setPromptId("prompt-other"),
            "promptId 'prompt-other' (group has '" + TestRecords.PROMPT_ID + "')"),
        Arguments.of(
            "another model",
            (UnaryOperator<Generation.Builder>)
                g -> g.setPolicy(TestRecords.policy("model-other", 3)),
            "policy.modelId 'model-other' (group has '" + TestRecords.MODEL_ID + "')"),
        Arguments.of(
            "another declared size",
            (UnaryOperator<Generation.Builder>) g -> g.setExpectedGroupSize(2),
            "expectedGroupSize 2 (group has 3)"),
        Arguments.of(
            "no declared size",
            (UnaryOperator<Generation.Builder>) g -> g.setExpectedGroupSize(null),
            "expectedGroupSize none (group has 3)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oddMembers")
  void shouldDeadLetterAMemberThatDisagreesWithTheFirstAndCompleteTheGroupWithoutIt(
      String name, UnaryOperator<Generation.Builder> change, String expectedReason)
      throws Exception {
    send(m(0, 1.0, 0));
    send(odd(9, 5, change));
    send(m(1, 0.0, 10));
    assertThat(groups()).as("the odd member does not count towards the size").isEmpty();

    send(m(2, 0.5, 20));

    assertThat(groups()).hasSize(1);
    RLGroup group = groups().get(0);
    assertThat(group.getCompletion()).isEqualTo(GroupCompletion.FULL);
    assertThat(ids(group)).containsExactly(GROUP + "-g0", GROUP + "-g1", GROUP + "-g2");
    assertThat(group.getPromptId()).isEqualTo(TestRecords.PROMPT_ID);
    List<DeadLetter> deadLetters = inconsistent();
    assertThat(deadLetters).hasSize(1);
    DeadLetter dead = deadLetters.get(0);
    assertThat(dead.getErrorKind()).isEqualTo(DeadLetters.INCONSISTENT_GROUP_MEMBER);
    assertThat(dead.getRecordId()).isEqualTo(GROUP + "-g9");
    assertThat(dead.getReason()).contains(GROUP).contains(expectedReason);
    // Ids and sizes only: the prompt and response text stay in the payload, out of the reason.
    assertThat(dead.getReason()).doesNotContain("6 * 7").doesNotContain("answer");
    assertThat(dead.getPayload()).isNotNull();
    assertThat(late()).isEmpty();
    assertThat(metrics.count(GroupMetricNames.INCONSISTENT_MEMBERS)).isEqualTo(1);
  }

  @Test
  void shouldKeepTheFirstMembersPromptModelAndSizeEvenWhenMostMembersDisagree() throws Exception {
    UnaryOperator<Generation.Builder> other =
        g ->
            g.setPromptId("prompt-b")
                .setPolicy(TestRecords.policy("model-b", 1))
                .setExpectedGroupSize(2);
    send(m(0, 1.0, 0));
    send(odd(1, 10, other));
    send(odd(2, 20, other));

    assertThat(groups())
        .as("two members of size 2 do not complete a group the first said is of 3")
        .isEmpty();
    assertThat(inconsistent())
        .extracting(DeadLetter::getRecordId)
        .containsExactly(GROUP + "-g1", GROUP + "-g2");
    assertThat(inconsistent().get(0).getReason())
        .contains("promptId 'prompt-b' (group has '" + TestRecords.PROMPT_ID + "')")
        .contains("policy.modelId 'model-b' (group has '" + TestRecords.MODEL_ID + "')")
        .contains("expectedGroupSize 2 (group has 3)");

    harness.processWatermark(T0 + TIMEOUT_MS);
    assertThat(groups()).hasSize(1);
    assertThat(groups().get(0).getCompletion()).isEqualTo(GroupCompletion.TIMEOUT);
    assertThat(ids(groups().get(0))).containsExactly(GROUP + "-g0");
    assertThat(groups().get(0).getPromptId()).isEqualTo(TestRecords.PROMPT_ID);
    harness.processWatermark(T0 + TIMEOUT_MS + LATE_MS);
    assertStateGone();
  }

  @Test
  void shouldCheckMembersOfAGroupRestoredFromASnapshotAgainstItsFirstMember() throws Exception {
    send(m(0, 1.0, 0));
    OperatorSubtaskState snapshot = harness.snapshot(1L, T0);
    try (MockEnvironment restoredEnvironment = new CapturedMetrics().environment();
        KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> restored =
            new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GroupFunction(TIMEOUT, LATE_RETENTION)),
                s -> s.getGeneration().getGroupId(),
                Types.STRING,
                restoredEnvironment)) {
      restored.initializeState(snapshot);
      restored.open();
      ScoredGeneration wrongModel =
          odd(1, 10, g -> g.setPolicy(TestRecords.policy("model-other", 1)));
      restored.processElement(wrongModel, T0 + 10);
      assertThat(restored.getSideOutput(GroupFunction.INCONSISTENT_MEMBERS)).hasSize(1);
      for (ScoredGeneration s : List.of(m(1, 0.0, 10), m(2, 0.5, 20))) {
        restored.processElement(s, s.getGeneration().getCreatedAtMs());
      }
      assertThat(restored.extractOutputValues()).hasSize(1);
      assertThat(restored.extractOutputValues().get(0).getCompletion())
          .isEqualTo(GroupCompletion.FULL);
    }
  }
}
