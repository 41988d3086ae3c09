package io.lodestar.operators.group;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Collects the responses of one group (keyed by group id) and emits the group with advantages when
 * the expected number has arrived, or when the event-time timeout after the first member fires.
 * Members that arrive after the group closed are counted and go to the late side output. A group is
 * one prompt sampled by one policy: a member that disagrees with the group's first member on prompt
 * id, model id or declared size (see {@link GroupConsistency}) is counted and goes to the dead
 * letters with the reason, and the group goes on without it. Advantages follow the configured
 * {@link AdvantageSpec} (for a batch-wide estimator, the group's part, finished by the batch
 * operator); groups the {@link GroupFilter} drops (no reward variance) or the spec refuses are
 * counted and go to the filtered side output. Before any of that, the configured {@link
 * GroupScoring} (majority vote) adds its components to the closed group's members and composes
 * their rewards again; it keeps no state of its own.
 *
 * <p>State per open group: its members (a list, appended to) and one {@link GroupProgress} value
 * with the deadline, the first member's prompt id, model id and declared size, and the ids seen.
 * Neither is ever iterated by key range: in RocksDB a range scan over a key group steps over the
 * tombstones of every group closed before, and grew slower as the stream ran. When a group closes
 * the members are cleared and the progress becomes a tombstone, so late members can be recognised;
 * a second timer clears it after {@code lateRetention}. A TTL on every state is the safety net.
 *
 * <p>State written by earlier versions (a member map and four small values) is still registered and
 * read only when a group has no progress value; such a group moves to the current layout on its
 * next member or timer, so a savepoint taken with groups open restores without losing them.
 */
public class GroupFunction extends KeyedProcessFunction<String, ScoredGeneration, RLGroup>
    implements CheckpointedFunction {

  private static final long serialVersionUID = 1L;

  public static final OutputTag<ScoredGeneration> LATE_MEMBERS =
      new OutputTag<>("late-group-members", new AvroTypeInfo<>(ScoredGeneration.class));

  /**
   * Members that disagree with their group's first member on prompt, model or declared size, as
   * dead letters of kind {@link DeadLetters#INCONSISTENT_GROUP_MEMBER}.
   */
  public static final OutputTag<DeadLetter> INCONSISTENT_MEMBERS =
      new OutputTag<>("inconsistent-group-members", new AvroTypeInfo<>(DeadLetter.class));

  /**
   * Groups the filter dropped ({@code reason} FILTER) or the advantage spec refused
   * (TRAINER_REFUSED, without advantages; see {@link SetAsideGroups#refusedByTrainer}): counted,
   * kept for analysis.
   */
  public static final OutputTag<RLGroup> FILTERED_GROUPS =
      new OutputTag<>("filtered-groups", new AvroTypeInfo<>(RLGroup.class));

  private final Duration timeout;
  private final Duration lateRetention;
  private final AdvantageSpec advantageSpec;
  private final GroupFilter filter;
  private final GroupScoring groupScoring;

  private transient ListState<ScoredGeneration> members;
  private transient ValueState<GroupProgress> progress;
  private transient LegacyState legacy;
  private transient Counter completed;
  private transient Counter timedOut;
  private transient Counter late;
  private transient Counter inconsistent;
  private transient Counter filtered;
  private transient Counter majorityLabelled;
  private transient Counter majorityUndecided;
  private transient Counter majorityCapped;
  // Groups open in this subtask, for the open-groups gauge. Keyed state cannot be counted cheaply,
  // so the count travels in operator state; after a rescale each subtask's share is approximate,
  // the job-wide sum stays exact.
  private transient ListState<Long> openGroupsState;
  private transient long openGroups;

  public GroupFunction(Duration timeout, Duration lateRetention) {
    this(timeout, lateRetention, AdvantageSpec.lodestarGrpo(), GroupFilter.NONE);
  }

  public GroupFunction(
      Duration timeout, Duration lateRetention, AdvantageSpec advantageSpec, GroupFilter filter) {
    this(timeout, lateRetention, advantageSpec, filter, GroupScoring.NONE);
  }

  /** A group operator whose closed groups are scored by {@code groupScoring} first. */
  public GroupFunction(
      Duration timeout,
      Duration lateRetention,
      AdvantageSpec advantageSpec,
      GroupFilter filter,
      GroupScoring groupScoring) {
    this.timeout = timeout;
    this.lateRetention = lateRetention;
    this.advantageSpec = advantageSpec;
    this.filter = filter;
    this.groupScoring = groupScoring;
  }

  @Override
  public void open(OpenContext openContext) {
    StateTtlConfig ttl =
        StateTtlConfig.newBuilder(timeout.plus(lateRetention).multipliedBy(2))
            .neverReturnExpired()
            .build();
    ListStateDescriptor<ScoredGeneration> membersDescriptor =
        new ListStateDescriptor<>("group-members", new AvroTypeInfo<>(ScoredGeneration.class));
    membersDescriptor.enableTimeToLive(ttl);
    members = getRuntimeContext().getListState(membersDescriptor);
    progress =
        getRuntimeContext()
            .getState(
                withTtl(
                    new ValueStateDescriptor<>("group-progress", GroupProgress.typeInfo()), ttl));
    legacy = new LegacyState(ttl);
    completed = getRuntimeContext().getMetricGroup().counter(GroupMetricNames.GROUPS_COMPLETED);
    timedOut = getRuntimeContext().getMetricGroup().counter(GroupMetricNames.GROUPS_TIMED_OUT);
    late = getRuntimeContext().getMetricGroup().counter(GroupMetricNames.LATE_MEMBERS);
    inconsistent =
        getRuntimeContext().getMetricGroup().counter(GroupMetricNames.INCONSISTENT_MEMBERS);
    filtered = getRuntimeContext().getMetricGroup().counter(GroupMetricNames.GROUPS_FILTERED);
    if (groupScoring.enabled()) {
      majorityLabelled =
          getRuntimeContext().getMetricGroup().counter(GroupMetricNames.MAJORITY_VOTE_LABELLED);
      majorityUndecided =
          getRuntimeContext().getMetricGroup().counter(GroupMetricNames.MAJORITY_VOTE_UNDECIDED);
      majorityCapped =
          getRuntimeContext().getMetricGroup().counter(GroupMetricNames.MAJORITY_VOTE_CAPPED);
    }
    getRuntimeContext()
        .getMetricGroup()
        .gauge(GroupMetricNames.OPEN_GROUPS, (Gauge<Long>) () -> openGroups);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    openGroupsState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("open-groups", Types.LONG));
    openGroups = 0;
    for (Long restored : openGroupsState.get()) {
      openGroups += restored;
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    openGroupsState.update(List.of(openGroups));
  }

  /**
   * Groups open in this subtask now: what the {@link GroupMetricNames#OPEN_GROUPS} gauge reports.
   */
  public long openGroups() {
    return openGroups;
  }

  private static <T> ValueStateDescriptor<T> withTtl(
      ValueStateDescriptor<T> descriptor, StateTtlConfig ttl) {
    descriptor.enableTimeToLive(ttl);
    return descriptor;
  }

  @Override
  public void processElement(ScoredGeneration member, Context ctx, Collector<RLGroup> out)
      throws Exception {
    GroupProgress group = currentProgress();
    if (group != null && group.isClosed()) {
      long eventTime =
          ctx.timestamp() != null ? ctx.timestamp() : member.getGeneration().getCreatedAtMs();
      if (eventTime <= group.closedUntil) {
        late.inc();
        ctx.output(LATE_MEMBERS, member);
        return;
      }
      // Past the late retention in event time, whether or not its timer has fired yet: a new
      // group of the same id, as in a run whose watermark had already caught up.
      ctx.timerService().deleteEventTimeTimer(group.closedUntil);
      progress.clear();
      group = null;
    }
    String generationId = member.getGeneration().getGenerationId();
    if (group != null && group.memberIds.contains(generationId)) {
      return; // already a member; the upstream de-duplication normally catches this
    }
    Generation generation = member.getGeneration();
    if (group == null) {
      // The first member says what the group is; every later one must agree with it.
      openGroups++;
      group = GroupProgress.open(generation.getCreatedAtMs() + timeout.toMillis());
      group.promptId = generation.getPromptId();
      group.modelId = GroupConsistency.modelIdOf(generation);
      group.expectedSize = generation.getExpectedGroupSize();
      ctx.timerService().registerEventTimeTimer(group.deadline);
    } else {
      if (group.promptId == null) {
        adoptFirstMember(group, generation);
      }
      Optional<String> disagreement =
          GroupConsistency.disagreement(
              group.promptId, group.modelId, group.expectedSize, generation);
      if (disagreement.isPresent()) {
        // Not a member: nothing of it is kept, and it does not count towards the expected size.
        inconsistent.inc();
        ctx.output(INCONSISTENT_MEMBERS, inconsistentMember(member, disagreement.get()));
        return;
      }
    }
    group.memberIds.add(generationId);
    if (group.expectedSize == null || group.memberIds.size() < group.expectedSize) {
      members.add(member);
      progress.update(group);
      return;
    }
    // The member that completes the group joins it directly: written to state, it would only be
    // read back and deleted at once.
    List<ScoredGeneration> current = currentMembers();
    current.add(member);
    long closedAt = latestEventTime(current);
    ctx.timerService().deleteEventTimeTimer(group.deadline);
    completed.inc();
    emit(current, GroupCompletion.FULL, closedAt, ctx, out);
    close(ctx.timerService(), closedAt);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RLGroup> out) throws Exception {
    GroupProgress group = currentProgress();
    if (group == null) {
      return;
    }
    if (group.deadline != null && group.deadline == timestamp) {
      List<ScoredGeneration> current = currentMembers();
      // The watermark jumps to its maximum only when the input has ended (bounded mode or drain).
      boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
      timedOut.inc();
      emit(
          current,
          endOfInput ? GroupCompletion.END_OF_INPUT : GroupCompletion.TIMEOUT,
          timestamp,
          ctx,
          out);
      close(ctx.timerService(), timestamp);
      return;
    }
    if (group.closedUntil != null && group.closedUntil == timestamp) {
      // Late window over: nothing of this group remains.
      progress.clear();
    }
  }

  /**
   * Takes prompt and model ids from the oldest stored member, for a group restored from a savepoint
   * of a version that did not keep them; its expected size stays the one restored.
   */
  private void adoptFirstMember(GroupProgress group, Generation arriving) throws Exception {
    Generation first = arriving;
    Iterable<ScoredGeneration> stored = members.get();
    if (stored != null) {
      for (ScoredGeneration m : stored) {
        first = m.getGeneration();
        break;
      }
    }
    group.promptId = first.getPromptId();
    group.modelId = GroupConsistency.modelIdOf(first);
    progress.update(group);
  }

  private static DeadLetter inconsistentMember(ScoredGeneration member, String reason) {
    return DeadLetters.fromOperator(
        "group.generations",
        DeadLetters.INCONSISTENT_GROUP_MEMBER,
        reason,
        member.getGeneration().getGenerationId(),
        PlainJson.toJsonString(member).getBytes(StandardCharsets.UTF_8),
        member.getGeneration().getCreatedAtMs(),
        System.currentTimeMillis());
  }

  /** Emits the group, or routes it to the filtered output when the filter or the spec says no. */
  private void emit(
      List<ScoredGeneration> members,
      GroupCompletion completion,
      long closedAt,
      Context ctx,
      Collector<RLGroup> out) {
    members = scoreGroup(members);
    RLGroup group;
    try {
      group = RLGroups.build(members, completion, closedAt, advantageSpec);
    } catch (IllegalArgumentException refused) {
      // The trainer's arithmetic has no answer for this group (e.g. TRL and a group of one); the
      // record keeps its rewards but no advantages, which would be another mode's.
      filtered.inc();
      RLGroup unlabelled =
          RLGroups.build(members, completion, closedAt, AdvantageSpec.lodestarGrpo());
      ctx.output(
          FILTERED_GROUPS,
          SetAsideGroups.refusedByTrainer(unlabelled, advantageSpec, refused.getMessage()));
      return;
    }
    if (filter.keeps(group)) {
      out.collect(group);
    } else {
      filtered.inc();
      ctx.output(FILTERED_GROUPS, SetAsideGroups.because(group, SetAsideReason.FILTER));
    }
  }

  /** The members with the group-level components added and their rewards composed again. */
  private List<ScoredGeneration> scoreGroup(List<ScoredGeneration> members) {
    GroupScoring.Scored scored = groupScoring.apply(members);
    if (scored.vote().isPresent()) {
      MajorityVote.Vote vote = scored.vote().get();
      if (vote.outcome() == MajorityVote.Outcome.LABELLED) {
        majorityLabelled.inc();
      } else {
        majorityUndecided.inc();
      }
      if (vote.clusters().capped()) {
        majorityCapped.inc();
      }
    }
    return scored.members();
  }

  private void close(TimerService timers, long closedAt) throws Exception {
    openGroups--;
    members.clear();
    long until = closedAt + lateRetention.toMillis();
    progress.update(GroupProgress.closed(until));
    timers.registerEventTimeTimer(until);
  }

  private List<ScoredGeneration> currentMembers() throws Exception {
    List<ScoredGeneration> list = new ArrayList<>();
    Iterable<ScoredGeneration> stored = members.get();
    if (stored != null) {
      stored.forEach(list::add);
    }
    return list;
  }

  /**
   * This group's progress, moving a group an earlier version kept into the current layout first.
   */
  private GroupProgress currentProgress() throws Exception {
    GroupProgress group = progress.value();
    if (group != null) {
      return group;
    }
    group = legacy.migrate(members);
    if (group != null) {
      progress.update(group);
    }
    return group;
  }

  /**
   * The state layout of earlier versions, under its original names and TTL so a savepoint's values
   * are found. Empty once the groups it held have closed, so reading it costs a lookup in an empty
   * column family.
   */
  private final class LegacyState {
    private final MapState<String, ScoredGeneration> members;
    private final ValueState<Long> deadline;
    private final ValueState<Integer> memberCount;
    private final ValueState<Integer> expectedSize;
    private final ValueState<Long> closedUntil;

    LegacyState(StateTtlConfig ttl) {
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

    /**
     * The current key's group as progress (its members appended to {@code target}), or null if this
     * layout has none.
     */
    GroupProgress migrate(ListState<ScoredGeneration> target) throws Exception {
      Long until = closedUntil.value();
      if (until != null) {
        closedUntil.clear();
        return GroupProgress.closed(until);
      }
      Long due = deadline.value();
      if (due == null) {
        return null;
      }
      GroupProgress group = GroupProgress.open(due);
      group.expectedSize = expectedSize.value();
      for (var entry : members.entries()) {
        group.memberIds.add(entry.getKey());
        target.add(entry.getValue());
      }
      members.clear();
      deadline.clear();
      memberCount.clear();
      expectedSize.clear();
      return group;
    }
  }

  private static long latestEventTime(List<ScoredGeneration> members) {
    long latest = Long.MIN_VALUE;
    for (ScoredGeneration m : members) {
      latest = Math.max(latest, m.getGeneration().getCreatedAtMs());
    }
    return latest;
  }

  /** Type of the emitted groups, for topology builders. */
  public static TypeInformation<RLGroup> outputType() {
    return new AvroTypeInfo<>(RLGroup.class);
  }
}
