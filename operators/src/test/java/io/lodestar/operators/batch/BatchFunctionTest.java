package io.lodestar.operators.batch;

import static io.lodestar.operators.TestRecords.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchFunctionTest {

  private static final int GROUPS_PER_BATCH = 2;
  private static final Duration MAX_WAIT = Duration.ofSeconds(10);
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

  private KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> open()
      throws Exception {
    KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new BatchFunction(GROUPS_PER_BATCH, MAX_WAIT)),
            g -> g.getSamples().get(0).getPolicy().getModelId(),
            PolicyUpdate::getModelId,
            Types.STRING);
    harness.open();
    toClose.add(harness);
    return harness;
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h, RLGroup g)
      throws Exception {
    h.processElement1(g, g.getClosedAtMs());
  }

  private static RLGroup g(String id, long closedAtMs) {
    return group(id, closedAtMs).build();
  }

  private static List<String> groupIds(RLBatch batch) {
    return batch.getGroups().stream().map(RLGroup::getGroupId).toList();
  }

  /** The emitted batches as their group ids: compact to compare and to read in a failure. */
  private static List<List<String>> packed(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h) {
    return h.extractOutputValues().stream().map(BatchFunctionTest::groupIds).toList();
  }

  private static void assertOnlyTheSequenceCounterRemains(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> h) {
    assertThat(h.numKeyedStateEntries()).as("keyed state entries").isEqualTo(1);
    assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
  }

  @Test
  void packsSettledGroupsInCloseOrderOnceTheWatermarkPasses() throws Exception {
    var h = open();
    RLGroup a = g("g-a", T0 + 1_000);
    RLGroup b = g("g-b", T0 + 2_000);
    RLGroup c = g("g-c", T0 + 2_000); // same close time as b: group id decides
    RLGroup d = g("g-d", T0 + 3_000);
    send(h, d);
    send(h, c);
    send(h, a);
    send(h, b);
    assertThat(h.extractOutputValues()).as("nothing before the watermark").isEmpty();

    h.processBothWatermarks(new Watermark(T0 + 3_000));

    List<RLBatch> batches = h.extractOutputValues();
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0).getBatchId())
        .isEqualTo(BatchAssembler.batchId("model", List.of(a, b), null));
    assertThat(batches.get(1).getBatchId())
        .isEqualTo(BatchAssembler.batchId("model", List.of(c, d), null));
    assertThat(batches.get(0).getSequence()).isEqualTo(0L);
    assertThat(batches.get(1).getSequence()).isEqualTo(1L);
    assertThat(batches.get(0).getModelId()).isEqualTo("model");
    assertThat(groupIds(batches.get(0))).containsExactly("g-a", "g-b");
    assertThat(groupIds(batches.get(1))).containsExactly("g-c", "g-d");
    assertThat(batches.get(0).getGroups()).containsExactly(a, b);
    assertThat(batches.get(0).getSampleCount()).isEqualTo(4);
    assertThat(batches.get(0).getClosedAtMs()).isEqualTo(T0 + 2_000);
    assertThat(batches.get(1).getClosedAtMs()).isEqualTo(T0 + 3_000);
    assertThat(batches.get(0).getMinPolicyVersion()).isEqualTo(TestRecords.POLICY_VERSION);
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void waitsForTheWatermarkBeforePackingAGroup() throws Exception {
    var h = open();
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 2_000));

    h.processBothWatermarks(new Watermark(T0 + 1_999));
    assertThat(packed(h)).isEmpty();

    h.processBothWatermarks(new Watermark(T0 + 2_000));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void emitsAPartialBatchWhenTheWatermarkPassesFirstSettlePlusMaxWait() throws Exception {
    var h = open();
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 1_500));
    send(h, g("g-c", T0 + 2_000));

    h.processBothWatermarks(new Watermark(T0 + 2_000));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"));

    h.processBothWatermarks(new Watermark(T0 + 2_000 + MAX_WAIT_MS - 1));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"));

    h.processBothWatermarks(new Watermark(T0 + 2_000 + MAX_WAIT_MS));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"), List.of("g-c"));
    List<RLBatch> batches = h.extractOutputValues();
    assertThat(batches.get(1).getBatchId())
        .isEqualTo(BatchAssembler.batchId("model", batches.get(1).getGroups(), null));
    assertThat(batches.get(1).getSequence()).isEqualTo(1L);
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void emitsTheLeftoverPartialBatchAtEndOfInput() throws Exception {
    var h = open();
    send(h, g("g-c", T0 + 3_000));
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 2_000));

    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"), List.of("g-c"));
    assertThat(h.extractOutputValues().get(1).getSequence()).isEqualTo(1L);
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void emitsASingleGroupAtEndOfInputBeforeItsMaxWait() throws Exception {
    var h = open();
    send(h, g("g-a", T0 + 1_000));
    h.processBothWatermarks(new Watermark(T0 + 1_000));
    assertThat(packed(h)).isEmpty();

    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

    assertThat(packed(h)).containsExactly(List.of("g-a"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void continuesTheSequenceAcrossFlushes() throws Exception {
    var h = open();
    send(h, g("g-a", T0 + 1_000));
    h.processBothWatermarks(new Watermark(T0 + 1_000 + MAX_WAIT_MS));
    send(h, g("g-b", T0 + 20_000));
    send(h, g("g-c", T0 + 20_001));
    h.processBothWatermarks(new Watermark(T0 + 20_001));

    List<RLBatch> batches = h.extractOutputValues();
    assertThat(batches).extracting(RLBatch::getSequence).containsExactly(0L, 1L);
    assertThat(batches)
        .extracting(RLBatch::getBatchId)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id).matches("model-[0-9a-f]{32}"));
    assertThat(groupIds(batches.get(1))).containsExactly("g-b", "g-c");
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void keepsSeparateSequencesPerModel() throws Exception {
    var h = open();
    RLGroup other = group("g-x", T0 + 1_000).build();
    other.getSamples().forEach(s -> s.setPolicy(TestRecords.policy("other-model", 1)));
    send(h, g("g-a", T0 + 1_000));
    send(h, other);

    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

    assertThat(h.extractOutputValues())
        .extracting(RLBatch::getModelId, RLBatch::getSequence)
        .containsExactlyInAnyOrder(tuple("model", 0L), tuple("other-model", 0L));
    assertThat(h.extractOutputValues())
        .extracting(RLBatch::getBatchId)
        .allSatisfy(id -> assertThat(id).matches("(model|other-model)-[0-9a-f]{32}"))
        .doesNotHaveDuplicates();
  }

  @Test
  void yieldsIdenticalBatchesWhateverTheArrivalOrder() throws Exception {
    List<RLGroup> groups = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      groups.add(g("g-" + i, T0 + 1_000L * (i / 3))); // three groups per close time: ties
    }
    List<RLGroup> shuffled = new ArrayList<>(groups);
    Collections.shuffle(shuffled, new Random(7));
    List<RLGroup> reversed = new ArrayList<>(groups);
    Collections.reverse(reversed);

    List<RLBatch> fromShuffled = runToEnd(shuffled);
    List<RLBatch> fromReversed = runToEnd(reversed);

    assertThat(fromShuffled).hasSize(5);
    assertThat(fromShuffled).isEqualTo(fromReversed);
    assertThat(fromShuffled.get(4).getGroups()).hasSize(1);
    assertThat(fromShuffled.stream().flatMap(b -> b.getGroups().stream()).toList())
        .isEqualTo(groups);
  }

  private List<RLBatch> runToEnd(List<RLGroup> arrivals) throws Exception {
    var h = open();
    for (RLGroup g : arrivals) {
      send(h, g);
    }
    h.processBothWatermarks(new Watermark(T0 + 1_000));
    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    assertOnlyTheSequenceCounterRemains(h);
    return h.extractOutputValues();
  }

  @Test
  void keepsAGroupWhoseCloseTimeEqualsACancelledFlushDeadline() throws Exception {
    var h = open();
    // g-c closes exactly when the partial batch [g-a] would be flushed; that flush is cancelled
    // when g-b completes the batch, and must not take g-c's settle timer with it.
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 1_500));
    send(h, g("g-c", T0 + 1_000 + MAX_WAIT_MS));

    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"), List.of("g-c"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void settlesAGroupWhoseCloseTimeEqualsACancelledFlushDeadlineWithoutWaitingForOtherGroups()
      throws Exception {
    var h = open();
    long cClose = T0 + 1_000 + MAX_WAIT_MS;
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 1_500));
    send(h, g("g-c", cClose));

    h.processBothWatermarks(new Watermark(cClose + MAX_WAIT_MS));

    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"), List.of("g-c"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void startsThePartialBatchWaitWhenItsOwnFirstGroupSettles() throws Exception {
    var h = open();
    // g-b and g-c settle together: g-b completes [g-a, g-b], g-c starts a new partial batch
    // whose wait runs from its own settle time, not from g-a's.
    send(h, g("g-a", T0 + 1_000));
    send(h, g("g-b", T0 + 1_500));
    send(h, g("g-c", T0 + 1_500));

    h.processBothWatermarks(new Watermark(T0 + 1_500));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"));

    h.processBothWatermarks(new Watermark(T0 + 1_500 + MAX_WAIT_MS - 1));
    assertThat(packed(h))
        .as("g-c has waited less than maxWait")
        .containsExactly(List.of("g-a", "g-b"));

    h.processBothWatermarks(new Watermark(T0 + 1_500 + MAX_WAIT_MS));
    assertThat(packed(h)).containsExactly(List.of("g-a", "g-b"), List.of("g-c"));
    assertOnlyTheSequenceCounterRemains(h);
  }

  @Test
  void aRunWithoutTheEarlierStateNeverGivesAnotherBatchAnIdAlreadyUsed() throws Exception {
    var before = open();
    send(before, g("g-a", T0 + 1_000));
    send(before, g("g-b", T0 + 2_000));
    before.processBothWatermarks(new Watermark(T0 + 2_000));
    // The job starts again from committed offsets with empty state: its sequence starts at 0 again.
    var after = open();
    send(after, g("g-c", T0 + 3_000));
    send(after, g("g-d", T0 + 4_000));
    after.processBothWatermarks(new Watermark(T0 + 4_000));

    RLBatch first = before.extractOutputValues().get(0);
    RLBatch second = after.extractOutputValues().get(0);
    assertThat(first.getSequence()).isEqualTo(second.getSequence()).isZero();
    assertThat(second.getBatchId()).isNotEqualTo(first.getBatchId());
  }

  @Test
  void aRestoredRunGivesEachBatchTheIdOfAnUninterruptedRun() throws Exception {
    List<RLGroup> groups =
        List.of(
            g("g-a", T0 + 1_000), g("g-b", T0 + 2_000), g("g-c", T0 + 3_000), g("g-d", T0 + 4_000));
    List<RLBatch> uninterrupted = runToEnd(groups);

    var h = open();
    send(h, groups.get(0));
    send(h, groups.get(1));
    send(h, groups.get(2));
    h.processBothWatermarks(new Watermark(T0 + 2_000));
    var snapshot = h.snapshot(1L, T0 + 2_000);
    List<RLBatch> emitted = new ArrayList<>(h.extractOutputValues());
    var restored =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new BatchFunction(GROUPS_PER_BATCH, MAX_WAIT)),
            (RLGroup g) -> g.getSamples().get(0).getPolicy().getModelId(),
            PolicyUpdate::getModelId,
            Types.STRING);
    toClose.add(restored);
    restored.setup();
    restored.initializeState(snapshot);
    restored.open();
    send(restored, groups.get(3));
    restored.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    emitted.addAll(restored.extractOutputValues());

    assertThat(emitted).isEqualTo(uninterrupted);
  }

  @Test
  void rejectsFewerThanOneGroupPerBatch() {
    assertThatThrownBy(() -> new BatchFunction(0, MAX_WAIT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
