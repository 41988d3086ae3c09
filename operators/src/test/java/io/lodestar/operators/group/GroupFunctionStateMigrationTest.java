package io.lodestar.operators.group;

import static io.lodestar.operators.TestRecords.CREATED_AT_MS;
import static io.lodestar.operators.TestRecords.member;
import static io.lodestar.operators.TestRecords.scored;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints taken by earlier state layouts restore into the current grouping with nothing lost:
 * open groups complete or time out with all their members, closed groups still reject late members,
 * and all state and timers end at zero. The earliest layout kept a member map and four small values
 * per group; the next one a member list and a progress value without the first member's prompt and
 * model ids.
 */
class GroupFunctionStateMigrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LATE_RETENTION = Duration.ofMinutes(10);
  private static final long T0 = CREATED_AT_MS;

  /** Both layouts' keyed states: the current two and the earlier five. */
  private static final List<String> STATE_NAMES =
      List.of(
          "group-members",
          "group-progress",
          "members",
          "deadline",
          "member-count",
          "expected-size",
          "closed-until");

  @TempDir Path rocksDir;

  private StateBackend backend(String name) {
    if (name.equals("heap")) {
      return new HashMapStateBackend();
    }
    EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
    rocks.setDbStoragePath(rocksDir.toString());
    return rocks;
  }

  private static ScoredGeneration m(String group, int index, int size, long offsetMs) {
    return scored(member(group + "-g" + index, group, size, index, T0 + offsetMs), index * 0.25)
        .build();
  }

  private static <F extends KeyedProcessFunction<String, ScoredGeneration, RLGroup>>
      KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness(
          F function, MockEnvironment env) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(function),
        s -> s.getGeneration().getGroupId(),
        Types.STRING,
        env);
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> h,
      ScoredGeneration s)
      throws Exception {
    h.processElement(s, s.getGeneration().getCreatedAtMs());
  }

  private static List<String> ids(RLGroup group) {
    return group.getSamples().stream().map(RLSample::getGenerationId).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"heap", "rocksdb"})
  void groupsKeptInTheEarlierLayoutFinishAfterARestore(String backendName) throws Exception {
    OperatorSubtaskState savepoint;
    try (MockEnvironment env = new CapturedMetrics().environment();
        var earlier = harness(new EarlierLayoutWriter(), env)) {
      earlier.setStateBackend(backend(backendName));
      earlier.open();
      send(earlier, m("open", 0, 3, 0));
      send(earlier, m("open", 1, 3, 10));
      send(earlier, m("closed", 0, 2, 0));
      send(earlier, m("closed", 1, 2, 5));
      send(earlier, m("lonely", 0, 3, 20));
      savepoint = earlier.snapshot(1L, T0 + 20);
    }

    CapturedMetrics metrics = new CapturedMetrics();
    try (MockEnvironment env = metrics.environment();
        var current = harness(new GroupFunction(TIMEOUT, LATE_RETENTION), env)) {
      current.setStateBackend(backend(backendName));
      current.initializeState(savepoint);
      current.open();
      assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(2L);

      send(current, m("open", 2, 3, 30));
      send(current, m("closed", 2, 2, 40));
      List<RLGroup> full = current.extractOutputValues();
      assertThat(full).hasSize(1);
      assertThat(full.get(0).getCompletion()).isEqualTo(GroupCompletion.FULL);
      assertThat(ids(full.get(0))).containsExactly("open-g0", "open-g1", "open-g2");
      var late = current.getSideOutput(GroupFunction.LATE_MEMBERS);
      assertThat(late.stream().map(r -> r.getValue().getGeneration().getGenerationId()))
          .containsExactly("closed-g2");

      current.processWatermark(T0 + 20 + TIMEOUT.toMillis());
      List<RLGroup> all = current.extractOutputValues();
      assertThat(all).hasSize(2);
      assertThat(all.get(1).getCompletion()).isEqualTo(GroupCompletion.TIMEOUT);
      assertThat(ids(all.get(1))).containsExactly("lonely-g0");
      assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(0L);

      current.processWatermark(T0 + 20 + TIMEOUT.toMillis() + LATE_RETENTION.toMillis());
      for (String state : STATE_NAMES) {
        try (Stream<?> keys =
            current.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
          assertThat(keys).as("keys left in " + state).isEmpty();
        }
      }
      assertThat(current.numEventTimeTimers()).as("event-time timers").isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"heap", "rocksdb"})
  void groupsWhoseProgressPredatesPromptAndModelIdsFinishAfterARestoreAndStillRefuseOddMembers(
      String backendName) throws Exception {
    OperatorSubtaskState savepoint;
    try (MockEnvironment env = new CapturedMetrics().environment();
        var earlier = harness(new ProgressWithoutIdsWriter(), env)) {
      earlier.setStateBackend(backend(backendName));
      earlier.open();
      send(earlier, m("open", 0, 3, 0));
      send(earlier, m("open", 1, 3, 10));
      send(earlier, m("closed", 0, 2, 0));
      send(earlier, m("closed", 1, 2, 5));
      send(earlier, m("lonely", 0, 3, 20));
      savepoint = earlier.snapshot(1L, T0 + 20);
    }

    CapturedMetrics metrics = new CapturedMetrics();
    try (MockEnvironment env = metrics.environment();
        var current = harness(new GroupFunction(TIMEOUT, LATE_RETENTION), env)) {
      current.setStateBackend(backend(backendName));
      current.initializeState(savepoint);
      current.open();
      assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(2L);

      Generation otherModel =
          Generation.newBuilder(m("open", 7, 3, 25).getGeneration())
              .setPolicy(TestRecords.policy("model-other", 1))
              .build();
      send(current, scored(otherModel, 0.5).build());
      send(current, m("open", 2, 3, 30));
      send(current, m("closed", 2, 2, 40));
      List<RLGroup> full = current.extractOutputValues();
      assertThat(full).hasSize(1);
      assertThat(full.get(0).getCompletion()).isEqualTo(GroupCompletion.FULL);
      assertThat(ids(full.get(0))).containsExactly("open-g0", "open-g1", "open-g2");
      List<DeadLetter> odd =
          current.getSideOutput(GroupFunction.INCONSISTENT_MEMBERS).stream()
              .map(StreamRecord::getValue)
              .toList();
      assertThat(odd).extracting(DeadLetter::getRecordId).containsExactly("open-g7");
      assertThat(odd.get(0).getReason())
          .contains("policy.modelId 'model-other' (group has '" + TestRecords.MODEL_ID + "')");
      var late = current.getSideOutput(GroupFunction.LATE_MEMBERS);
      assertThat(late.stream().map(r -> r.getValue().getGeneration().getGenerationId()))
          .containsExactly("closed-g2");

      current.processWatermark(T0 + 20 + TIMEOUT.toMillis());
      List<RLGroup> all = current.extractOutputValues();
      assertThat(all).hasSize(2);
      assertThat(all.get(1).getCompletion()).isEqualTo(GroupCompletion.TIMEOUT);
      assertThat(ids(all.get(1))).containsExactly("lonely-g0");
      assertThat(metrics.gauge(GroupMetricNames.OPEN_GROUPS)).isEqualTo(0L);

      current.processWatermark(T0 + 20 + TIMEOUT.toMillis() + LATE_RETENTION.toMillis());
      for (String state : STATE_NAMES) {
        try (Stream<?> keys =
            current.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
          assertThat(keys).as("keys left in " + state).isEmpty();
        }
      }
      assertThat(current.numEventTimeTimers()).as("event-time timers").isZero();
    }
  }

  /**
   * Writes per group what the grouping wrote before its progress kept the first member's prompt and
   * model ids: the same state names and TTL, a progress value whose POJO layout has only the
   * deadline, the largest declared size, the member ids and the end of the late window.
   */
  private static final class ProgressWithoutIdsWriter
      extends KeyedProcessFunction<String, ScoredGeneration, RLGroup>
      implements CheckpointedFunction {

    private transient ListState<ScoredGeneration> members;
    private transient ValueState<GroupProgress> progress;
    private transient ListState<Long> openGroupsState;
    private transient long openGroups;

    @Override
    public void open(OpenContext context) {
      StateTtlConfig ttl =
          StateTtlConfig.newBuilder(TIMEOUT.plus(LATE_RETENTION).multipliedBy(2))
              .neverReturnExpired()
              .build();
      ListStateDescriptor<ScoredGeneration> membersDescriptor =
          new ListStateDescriptor<>("group-members", new AvroTypeInfo<>(ScoredGeneration.class));
      membersDescriptor.enableTimeToLive(ttl);
      members = getRuntimeContext().getListState(membersDescriptor);
      ValueStateDescriptor<GroupProgress> progressDescriptor =
          new ValueStateDescriptor<>(
              "group-progress",
              Types.POJO(
                  GroupProgress.class,
                  Map.of(
                      "deadline", Types.LONG,
                      "expectedSize", Types.INT,
                      "memberIds", Types.LIST(Types.STRING),
                      "closedUntil", Types.LONG)));
      progressDescriptor.enableTimeToLive(ttl);
      progress = getRuntimeContext().getState(progressDescriptor);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      openGroupsState =
          context
              .getOperatorStateStore()
              .getListState(new ListStateDescriptor<>("open-groups", Types.LONG));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      openGroupsState.update(List.of(openGroups));
    }

    @Override
    public void processElement(ScoredGeneration member, Context ctx, Collector<RLGroup> out)
        throws Exception {
      GroupProgress group = progress.value();
      if (group == null) {
        openGroups++;
        group = GroupProgress.open(member.getGeneration().getCreatedAtMs() + TIMEOUT.toMillis());
        ctx.timerService().registerEventTimeTimer(group.deadline);
      }
      group.memberIds.add(member.getGeneration().getGenerationId());
      group.expectedSize = member.getGeneration().getExpectedGroupSize();
      if (group.memberIds.size() < group.expectedSize) {
        members.add(member);
        progress.update(group);
        return;
      }
      ctx.timerService().deleteEventTimeTimer(group.deadline);
      openGroups--;
      members.clear();
      long until = member.getGeneration().getCreatedAtMs() + LATE_RETENTION.toMillis();
      progress.update(GroupProgress.closed(until));
      ctx.timerService().registerEventTimeTimer(until);
    }
  }

  /**
   * Writes per group exactly what the earlier grouping wrote (names, types, TTL, timers, the
   * open-groups count) and closes a group when full, without emitting: the savepoint side of the
   * migration. The descriptors are spelled out here rather than taken from {@link GroupFunction},
   * so that a change to the ones it still registers for the earlier layout fails this test.
   */
  private static final class EarlierLayoutWriter
      extends KeyedProcessFunction<String, ScoredGeneration, RLGroup>
      implements CheckpointedFunction {

    private transient MapState<String, ScoredGeneration> members;
    private transient ValueState<Long> deadline;
    private transient ValueState<Integer> memberCount;
    private transient ValueState<Integer> expectedSize;
    private transient ValueState<Long> closedUntil;
    private transient ListState<Long> openGroupsState;
    private transient long openGroups;

    @Override
    public void open(OpenContext context) {
      StateTtlConfig ttl =
          StateTtlConfig.newBuilder(TIMEOUT.plus(LATE_RETENTION).multipliedBy(2))
              .neverReturnExpired()
              .build();
      MapStateDescriptor<String, ScoredGeneration> membersDescriptor =
          new MapStateDescriptor<>(
              "members", Types.STRING, new AvroTypeInfo<>(ScoredGeneration.class));
      membersDescriptor.enableTimeToLive(ttl);
      members = getRuntimeContext().getMapState(membersDescriptor);
      deadline =
          getRuntimeContext()
              .getState(withTtl(new ValueStateDescriptor<>("deadline", Types.LONG), ttl));
      memberCount =
          getRuntimeContext()
              .getState(withTtl(new ValueStateDescriptor<>("member-count", Types.INT), ttl));
      expectedSize =
          getRuntimeContext()
              .getState(withTtl(new ValueStateDescriptor<>("expected-size", Types.INT), ttl));
      closedUntil =
          getRuntimeContext()
              .getState(withTtl(new ValueStateDescriptor<>("closed-until", Types.LONG), ttl));
    }

    private static <T> ValueStateDescriptor<T> withTtl(
        ValueStateDescriptor<T> descriptor, StateTtlConfig ttl) {
      descriptor.enableTimeToLive(ttl);
      return descriptor;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      openGroupsState =
          context
              .getOperatorStateStore()
              .getListState(new ListStateDescriptor<>("open-groups", Types.LONG));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      openGroupsState.update(List.of(openGroups));
    }

    @Override
    public void processElement(ScoredGeneration member, Context ctx, Collector<RLGroup> out)
        throws Exception {
      Long due = deadline.value();
      if (due == null) {
        openGroups++;
        due = member.getGeneration().getCreatedAtMs() + TIMEOUT.toMillis();
        deadline.update(due);
        ctx.timerService().registerEventTimeTimer(due);
      }
      members.put(member.getGeneration().getGenerationId(), member);
      int count = memberCount.value() == null ? 1 : memberCount.value() + 1;
      memberCount.update(count);
      expectedSize.update(member.getGeneration().getExpectedGroupSize());
      if (count >= member.getGeneration().getExpectedGroupSize()) {
        ctx.timerService().deleteEventTimeTimer(due);
        openGroups--;
        members.clear();
        memberCount.clear();
        expectedSize.clear();
        deadline.clear();
        long until = member.getGeneration().getCreatedAtMs() + LATE_RETENTION.toMillis();
        closedUntil.update(until);
        ctx.timerService().registerEventTimeTimer(until);
      }
    }
  }
}
