package io.lodestar.operators.batch;

import static io.lodestar.operators.TestRecords.group;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch holds the groups of one policy version, each version with its own open batch and its own
 * wait, unless mixing is asked for; state and timers end with only the sequence counter left.
 */
class BatchPolicyVersionsTest {

  private static final Duration MAX_WAIT = Duration.ofMinutes(1);
  private static final long MAX_WAIT_MS = MAX_WAIT.toMillis();
  private static final long T0 = TestRecords.CREATED_AT_MS;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeHarnesses() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> open(
      int groups, boolean mix) throws Exception {
    var h =
        harness(
            new BatchFunction(
                BatchLimits.ofGroups(groups),
                MAX_WAIT,
                Staleness.off(),
                AdvantageSpec.lodestarGrpo(),
                mix));
    h.open();
    return h;
  }

  private <F extends KeyedCoProcessFunction<String, RLGroup, PolicyUpdate, RLBatch>>
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> harness(
          F function) throws Exception {
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(function),
            (RLGroup g) -> g.getSamples().get(0).getPolicy().getModelId(),
            PolicyUpdate::getModelId,
            Types.STRING);
    toClose.add(h);
    return h;
  }

  /** A group of version {@code version}, closed at {@code closedAtMs}. */
  private static RLGroup g(String id, long version, long closedAtMs) {
    RLGroup group =
        group(id, closedAtMs).setMinPolicyVersion(version).setMaxPolicyVersion(version).build();
    group.getSamples().forEach(s -> s.setPolicy(TestRecords.policy(TestRecords.MODEL_ID, version)));
    return group;
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h, RLGroup g)
      throws Exception {
    h.processElement1(g, g.getClosedAtMs());
  }

  private static List<List<String>> packed(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h) {
    return h.extractOutputValues().stream()
        .map(b -> b.getGroups().stream().map(RLGroup::getGroupId).toList())
        .toList();
  }

  private static void assertOnlyTheSequenceCounterRemains(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h) {
    assertThat(h.numKeyedStateEntries()).as("keyed state entries").isEqualTo(1);
    assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
  }

  @Test
  void twoVersionsTenMinutesApartGoOutAsTwoBatchesEachAtItsOwnWait() throws Exception {
    var h = open(8, false);
    send(h, g("v3", 3, T0));
    send(h, g("v4", 4, T0 + 600_000));

    h.processBothWatermarks(new Watermark(T0 + MAX_WAIT_MS));
    assertThat(packed(h)).containsExactly(List.of("v3"));

    h.processBothWatermarks(new Watermark(T0 + 600_000 + MAX_WAIT_MS));
    assertThat(packed(h)).containsExactly(List.of("v3"), List.of("v4"));
    assertThat(h.extractOutputValues()).extracting(RLBatch::getSequence).containsExactly(0L, 1L);
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void interleavedVersionsFillBatchesOfTheirOwn() throws Exception {
    var h = open(2, false);
    send(h, g("v3-a", 3, T0 + 1_000));
    send(h, g("v4-a", 4, T0 + 1_500));
    send(h, g("v3-b", 3, T0 + 2_000));
    send(h, g("v4-b", 4, T0 + 2_500));

    h.processBothWatermarks(new Watermark(T0 + 2_000));
    assertThat(packed(h)).containsExactly(List.of("v3-a", "v3-b"));

    h.processBothWatermarks(new Watermark(T0 + 2_500));
    assertThat(packed(h)).containsExactly(List.of("v3-a", "v3-b"), List.of("v4-a", "v4-b"));
    assertThat(h.extractOutputValues())
        .allSatisfy(b -> assertThat(b.getMinPolicyVersion()).isEqualTo(b.getMaxPolicyVersion()));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void partialBatchesOfEveryVersionGoOutAtEndOfInputInDeadlineOrder() throws Exception {
    var h = open(8, false);
    send(h, g("v5", 5, T0 + 1_000));
    send(h, g("v4", 4, T0 + 2_000));
    send(h, g("v5-b", 5, T0 + 3_000));

    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

    assertThat(packed(h)).containsExactly(List.of("v5", "v5-b"), List.of("v4"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void twoVersionsWaitingUntilTheSameInstantEachGoOut() throws Exception {
    var h = open(8, false);
    // Both settle together, so both waits end at the same instant: one timer serves both.
    send(h, g("v3", 3, T0 + 1_000));
    send(h, g("v4", 4, T0 + 1_000));

    h.processBothWatermarks(new Watermark(T0 + 1_000 + MAX_WAIT_MS));

    assertThat(packed(h)).containsExactly(List.of("v3"), List.of("v4"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void mixingWhenAskedPutsEveryVersionInOneBatch() throws Exception {
    var h = open(8, true);
    send(h, g("v3", 3, T0 + 1_000));
    send(h, g("v4", 4, T0 + 2_000));

    h.processBothWatermarks(new Watermark(T0 + 1_000 + MAX_WAIT_MS));

    assertThat(packed(h)).containsExactly(List.of("v3", "v4"));
    RLBatch batch = h.extractOutputValues().get(0);
    assertThat(batch.getMinPolicyVersion()).isEqualTo(3L);
    assertThat(batch.getMaxPolicyVersion()).isEqualTo(4L);
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void aPartialBatchKeptByTheEarlierSingleBatchLayoutGoesOutAfterARestoreSplitByVersion()
      throws Exception {
    OperatorSubtaskState savepoint;
    {
      var earlier = harness(new EarlierLayoutWriter(T0 + 1_000 + MAX_WAIT_MS));
      earlier.open();
      send(earlier, g("v3", 3, T0 + 1_000));
      send(earlier, g("v4", 4, T0 + 1_500));
      savepoint = earlier.snapshot(1L, T0 + 1_500);
    }

    var current =
        harness(
            new BatchFunction(
                BatchLimits.ofGroups(8),
                MAX_WAIT,
                Staleness.off(),
                AdvantageSpec.lodestarGrpo(),
                false));
    current.setup();
    current.initializeState(savepoint);
    current.open();
    send(current, g("v3-b", 3, T0 + 2_000));
    current.processBothWatermarks(new Watermark(T0 + 1_000 + MAX_WAIT_MS));

    assertThat(packed(current)).containsExactly(List.of("v3", "v3-b"), List.of("v4"));
    assertOnlyTheSequenceCounterRemains(current);
  }

  /**
   * Writes the earlier layout: one open batch of settled groups, its count, tokens and flush
   * deadline.
   */
  private static final class EarlierLayoutWriter
      extends KeyedCoProcessFunction<String, RLGroup, PolicyUpdate, RLBatch> {
    private final long flushAtMs;
    private transient ListState<RLGroup> ready;
    private transient ValueState<Integer> readyCount;
    private transient ValueState<Long> readyTokens;
    private transient ValueState<Long> flushAt;

    EarlierLayoutWriter(long flushAtMs) {
      this.flushAtMs = flushAtMs;
    }

    @Override
    public void open(OpenContext openContext) {
      ready =
          getRuntimeContext()
              .getListState(new ListStateDescriptor<>("ready", new AvroTypeInfo<>(RLGroup.class)));
      readyCount =
          getRuntimeContext().getState(new ValueStateDescriptor<>("ready-count", Types.INT));
      readyTokens =
          getRuntimeContext().getState(new ValueStateDescriptor<>("ready-tokens", Types.LONG));
      flushAt = getRuntimeContext().getState(new ValueStateDescriptor<>("flush-at", Types.LONG));
    }

    @Override
    public void processElement1(RLGroup group, Context ctx, Collector<RLBatch> out)
        throws Exception {
      ready.add(group);
      Integer count = readyCount.value();
      readyCount.update(count == null ? 1 : count + 1);
      Long tokens = readyTokens.value();
      readyTokens.update((tokens == null ? 0 : tokens) + TokenCounts.group(group));
      flushAt.update(flushAtMs);
      ctx.timerService().registerEventTimeTimer(flushAtMs);
    }

    @Override
    public void processElement2(PolicyUpdate update, Context ctx, Collector<RLBatch> out) {}
  }
}
