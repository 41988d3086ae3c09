package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertScope;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GateFunctionTest {

  private static final long W = 60_000;
  private static final Duration DELAY = Duration.ofMillis(W);
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final long V = HealthFixtures.VERSION;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private GateFunction<RLBatch> gate;

  @AfterEach
  void close() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> open(
      GateSettings.OnClear onClear, OperatorSubtaskState restore) throws Exception {
    gate =
        new GateFunction<>(
            GateSubject.RL_BATCHES,
            new AvroTypeInfo<>(RLBatch.class),
            new GateSettings(onClear, DELAY, RETENTION),
            "batches");
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(gate),
            RLBatch::getModelId,
            Alert::getModelId,
            Types.STRING);
    if (restore != null) {
      harness.initializeState(restore);
    }
    harness.open();
    toClose.add(harness);
    return harness;
  }

  static Alert alert(
      String rule,
      AlertState state,
      long version,
      long holdingSince,
      long windowStart,
      boolean gate) {
    return alert(
        rule,
        AlertScope.SOURCE,
        HealthFixtures.SOURCE,
        state,
        version,
        holdingSince,
        windowStart,
        gate);
  }

  static Alert alert(
      String rule,
      AlertScope scope,
      String dataSource,
      AlertState state,
      long version,
      long holdingSince,
      long windowStart,
      boolean gate) {
    return Alert.newBuilder()
        .setAlertId(rule + state + windowStart)
        .setRuleId(rule)
        .setRule(rule + ": generations > 0")
        .setState(state)
        .setScope(scope)
        .setModelId(HealthFixtures.MODEL)
        .setPolicyVersion(version)
        .setDataSource(dataSource)
        .setWindowStartMs(windowStart)
        .setWindowEndMs(windowStart + W)
        .setConsecutiveWindows(state == AlertState.FIRING ? 1 : 0)
        .setHoldingSinceMs(holdingSince)
        .setGate(gate)
        .build();
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> h, RLBatch b)
      throws Exception {
    h.processElement1(b, b.getClosedAtMs());
  }

  private static void send(
      KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> h, Alert a)
      throws Exception {
    h.processElement2(a, a.getWindowEndMs() - 1);
  }

  private static void watermark(
      KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> h, long t)
      throws Exception {
    h.processWatermark1(new Watermark(t));
    h.processWatermark2(new Watermark(t));
  }

  private static List<String> passed(
      KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> h) {
    List<String> ids = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        ids.add(((RLBatch) r.getValue()).getBatchId());
      }
    }
    return ids;
  }

  private List<String> heldAtEnd(
      KeyedTwoInputStreamOperatorTestHarness<String, RLBatch, Alert, RLBatch> h) {
    var records = h.getSideOutput(gate.heldAtEnd());
    return records == null
        ? List.of()
        : records.stream().map(r -> r.getValue().getBatchId()).toList();
  }

  @Test
  void holdsBatchesOfTheGatedVersionWhileTheRuleFiresAndLetsOthersPass() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, batch("b0", 0, 10_000, V));
    send(h, batch("other-version", 1, 10_000, V + 1));
    send(h, batch("b2", 2, 20_000, V));
    send(h, batch("before-hold", 3, 1_000, V));
    // The rule fires at the end of window 0 for a streak that began at 5 s.
    send(h, alert("hack", AlertState.FIRING, V, 5_000, 0, true));

    watermark(h, 2 * W);

    assertThat(passed(h)).containsExactly("before-hold", "other-version");
    // Only the timer that flushes what is held when the input ends.
    assertThat(h.numEventTimeTimers()).isEqualTo(1);
  }

  @Test
  void releasesHeldBatchesInEventTimeOrderWhenTheRuleClearsAndEndsWithEmptyState()
      throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("b0", 0, 10_000, V));
    send(h, batch("b1", 1, 30_000, V));
    send(h, batch("b2", 2, 20_000, V));
    watermark(h, 2 * W);
    assertThat(passed(h)).isEmpty();

    send(h, alert("hack", AlertState.CLEARED, V, 0, 2 * W, true));

    // Held as their verdicts fell due, i.e. in event-time order.
    assertThat(passed(h)).containsExactly("b0", "b2", "b1");
    watermark(h, 2 * W + DELAY.toMillis() + RETENTION.toMillis());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void discardsHeldBatchesToTheSideOutputWhenConfigured() throws Exception {
    var h = open(GateSettings.OnClear.DISCARD, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("b0", 0, 10_000, V));
    send(h, batch("b1", 1, 20_000, V));
    watermark(h, 2 * W);

    send(h, alert("hack", AlertState.CLEARED, V, 0, 2 * W, true));
    // A batch from the unhealthy period that arrives after the clear is discarded too; one after it
    // passes.
    send(h, batch("late-bad", 2, 50_000, V));
    send(h, batch("healthy", 3, 2 * W + 5_000, V));
    watermark(h, 4 * W);

    assertThat(passed(h)).containsExactly("healthy");
    assertThat(h.getSideOutput(gate.discarded()))
        .extracting(r -> r.getValue().getBatchId())
        .containsExactly("b0", "b1", "late-bad");
    watermark(h, 2 * W + DELAY.toMillis() + RETENTION.toMillis());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void aBatchWaitsForTheVerdictOfItsWindow() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, batch("b0", 0, 10_000, V));
    watermark(h, W - 1);
    assertThat(passed(h)).isEmpty();

    // The alarm for window 0 arrives before the watermark passes the batch's time plus the delay.
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    watermark(h, 2 * W);

    assertThat(passed(h)).isEmpty();
  }

  @Test
  void alertsOfRulesThatDoNotGateAreIgnored() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("just-watch", AlertState.FIRING, V, 0, 0, false));
    send(h, batch("b0", 0, 10_000, V));
    watermark(h, 2 * W);
    assertThat(passed(h)).containsExactly("b0");
  }

  @Test
  void aBatchSpanningTheGatedVersionIsHeld() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(
        h, batch("mixed", 0, 10_000, V + 1, HealthFixtures.groupOfVersions("g", 10_000, V, V + 1)));
    watermark(h, 2 * W);
    assertThat(passed(h)).isEmpty();
  }

  @Test
  void nothingHeldIsLostAcrossASnapshotAndRestore() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("held-0", 0, 10_000, V));
    send(h, batch("held-1", 1, 20_000, V));
    watermark(h, W + 25_000);
    send(h, batch("awaiting", 2, 40_000, V));
    OperatorSubtaskState snapshot = h.snapshot(1, 1);
    h.close();
    toClose.remove(h);

    var restored = open(GateSettings.OnClear.RELEASE, snapshot);
    watermark(restored, 2 * W);
    send(restored, alert("hack", AlertState.CLEARED, V, 0, 2 * W, true));

    assertThat(passed(restored)).containsExactly("held-0", "held-1", "awaiting");
    watermark(restored, 2 * W + DELAY.toMillis() + RETENTION.toMillis());
    assertThat(restored.numKeyedStateEntries()).isZero();
  }

  @Test
  void pairsCanBeGatedTheSameWay() throws Exception {
    GateFunction<PreferencePair> pairs =
        new GateFunction<>(
            GateSubject.PREFERENCE_PAIRS,
            new AvroTypeInfo<>(PreferencePair.class),
            new GateSettings(GateSettings.OnClear.RELEASE, Duration.ZERO, RETENTION),
            "pairs");
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(pairs),
            GateSubject.PREFERENCE_PAIRS::modelId,
            Alert::getModelId,
            Types.STRING);
    h.open();
    toClose.add(h);
    h.processElement2(alert("hack", AlertState.FIRING, V, 0, 0, true), W - 1);
    h.processElement1(HealthFixtures.pair("bad", PairSource.VOTE, V, 5_000), 5_000);
    h.processElement1(HealthFixtures.pair("fine", PairSource.VOTE, V + 1, 5_000), 5_000);
    assertThat(h.getOutput()).hasSize(1);
    h.processElement2(alert("hack", AlertState.CLEARED, V, 0, W, true), 2 * W - 1);
    assertThat(h.extractOutputValues())
        .extracting(PreferencePair::getPairId)
        .containsExactly("fine", "bad");
  }

  @Test
  void shouldDeadLetterAPairAClearedGateDiscardsAsGateDiscarded() throws Exception {
    GateFunction<PreferencePair> pairs =
        new GateFunction<>(
            GateSubject.PREFERENCE_PAIRS,
            new AvroTypeInfo<>(PreferencePair.class),
            new GateSettings(GateSettings.OnClear.DISCARD, Duration.ZERO, RETENTION),
            "pairs");
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(pairs),
            GateSubject.PREFERENCE_PAIRS::modelId,
            Alert::getModelId,
            Types.STRING);
    h.open();
    toClose.add(h);
    PreferencePair bad = HealthFixtures.pair("pair-bad", PairSource.VOTE, V, 5_000);
    h.processElement2(alert("hack", AlertState.FIRING, V, 0, 0, true), W - 1);
    h.processElement1(bad, 5_000);
    h.processElement1(HealthFixtures.pair("pair-fine", PairSource.VOTE, V + 1, 5_000), 5_000);
    h.processElement2(alert("hack", AlertState.CLEARED, V, 0, W, true), 2 * W - 1);

    assertThat(h.extractOutputValues())
        .extracting(PreferencePair::getPairId)
        .containsExactly("pair-fine");
    List<DeadLetter> dead =
        h.getSideOutput(pairs.discarded()).stream()
            .map(r -> DeadLetters.gateDiscardedPair(r.getValue(), 7_000_000L))
            .toList();
    assertThat(dead).hasSize(1);
    DeadLetter d = dead.get(0);
    assertThat(d.getOrigin()).isEqualTo("gate.pairs");
    assertThat(d.getErrorKind()).isEqualTo("GATE_DISCARDED");
    assertThat(d.getReason())
        .isEqualTo(
            "held while a gating alarm fired for its policy version, discarded when it cleared");
    assertThat(d.getRecordId()).isEqualTo("pair-bad");
    assertThat(d.getRecordTimestampMs()).isEqualTo(5_000L);
    assertThat(d.getDeadAtMs()).isEqualTo(7_000_000L);
    assertThat(d.getTopic()).isNull();
    assertThat(d.getPartition()).isNull();
    assertThat(d.getOffset()).isNull();
    byte[] payload = new byte[d.getPayload().remaining()];
    d.getPayload().duplicate().get(payload);
    assertThat(d.getPayloadSize()).isEqualTo(payload.length);
    assertThat(RecordCodec.of(PreferencePair.class).decodeOrThrow(payload)).isEqualTo(bad);
  }

  @Test
  void whatIsStillHeldWhenTheInputEndsGoesToHeldAtEndAndLeavesNoStateOrTimers() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("b0", 0, 10_000, V));
    send(h, batch("b1", 1, 20_000, V));
    send(h, batch("other-version", 2, 20_000, V + 1));
    watermark(h, 2 * W);
    // Still waiting for its verdict when the input ends: decided by the final watermark, then
    // flushed.
    send(h, batch("b2", 3, 2 * W + 10_000, V));

    // The end of a bounded input, or a drain: the watermark jumps to its maximum.
    watermark(h, Long.MAX_VALUE);

    assertThat(passed(h)).containsExactly("other-version");
    assertThat(heldAtEnd(h)).containsExactly("b0", "b1", "b2");
    assertThat(h.getSideOutput(gate.discarded())).isNull();
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void theEndOfInputFlushesHoldsRestoredFromASnapshot() throws Exception {
    var h = open(GateSettings.OnClear.DISCARD, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("held", 0, 10_000, V));
    watermark(h, 2 * W);
    OperatorSubtaskState snapshot = h.snapshot(1, 1);
    h.close();
    toClose.remove(h);

    var restored = open(GateSettings.OnClear.DISCARD, snapshot);
    watermark(restored, Long.MAX_VALUE);

    assertThat(heldAtEnd(restored)).containsExactly("held");
    assertThat(restored.numKeyedStateEntries()).isZero();
    assertThat(restored.numEventTimeTimers()).isZero();
  }

  @Test
  void aVersionHeldByTwoRulesIsReleasedOnlyWhenBothHaveCleared() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, alert("drift", AlertState.FIRING, V, 30_000, 0, true));
    send(h, batch("early", 0, 10_000, V));
    send(h, batch("late", 1, 40_000, V));
    watermark(h, 2 * W);

    // "early" lies only in the span of the first rule; its clear alone releases nothing.
    send(h, alert("hack", AlertState.CLEARED, V, 0, 2 * W, true));
    assertThat(passed(h)).isEmpty();

    send(h, alert("drift", AlertState.CLEARED, V, 30_000, 3 * W, true));
    assertThat(passed(h)).containsExactly("early", "late");
    watermark(h, 3 * W + DELAY.toMillis() + RETENTION.toMillis());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void onlyTheClearOfTheRuleScopeSourceAndVersionThatOpenedTheHoldReleasesIt() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, batch("b0", 0, 10_000, V));
    watermark(h, 2 * W);

    send(h, alert("other-rule", AlertState.CLEARED, V, 0, 2 * W, true));
    send(h, alert("hack", AlertState.CLEARED, V + 1, 0, 2 * W, true));
    send(
        h, alert("hack", AlertScope.SOURCE, "other-source", AlertState.CLEARED, V, 0, 2 * W, true));
    send(
        h,
        alert(
            "hack",
            AlertScope.POLICY,
            HealthEvent.ALL_SOURCES,
            AlertState.CLEARED,
            V,
            0,
            2 * W,
            true));
    send(h, alert("hack", AlertState.CLEARED, V, 0, 2 * W, false));
    assertThat(passed(h)).isEmpty();

    // The rule's own clear, even one reporting another streak start, closes the hold it opened.
    send(h, alert("hack", AlertState.CLEARED, V, 20_000, 2 * W, true));
    assertThat(passed(h)).containsExactly("b0");
  }

  @Test
  void aRepeatedFiringOpensNoSecondHoldThatWouldOutliveTheClear() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, alert("hack", AlertState.FIRING, V, W, W, true));
    send(h, batch("b0", 0, 10_000, V));
    send(h, batch("b1", 1, W + 10_000, V));
    watermark(h, 3 * W);

    send(h, alert("hack", AlertState.CLEARED, V, 0, 3 * W, true));

    assertThat(passed(h)).containsExactly("b0", "b1");
    assertThat(h.numEventTimeTimers()).as("only the forget timer of the closed hold").isEqualTo(1);
  }

  @Test
  void aClearOfOneVersionLeavesTheHoldOfAnotherInPlace() throws Exception {
    var h = open(GateSettings.OnClear.RELEASE, null);
    send(h, alert("hack", AlertState.FIRING, V, 0, 0, true));
    send(h, alert("hack", AlertState.FIRING, V + 1, 0, 0, true));
    send(h, batch("v", 0, 10_000, V));
    send(h, batch("v+1", 1, 10_000, V + 1));
    watermark(h, 2 * W);

    send(h, alert("hack", AlertState.CLEARED, V, 0, 2 * W, true));
    assertThat(passed(h)).containsExactly("v");

    watermark(h, Long.MAX_VALUE);
    assertThat(heldAtEnd(h)).containsExactly("v+1");
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldDeadLetterAPairStillHeldWhenTheInputEndsAsGateHeldAtEnd() throws Exception {
    GateFunction<PreferencePair> pairs =
        new GateFunction<>(
            GateSubject.PREFERENCE_PAIRS,
            new AvroTypeInfo<>(PreferencePair.class),
            new GateSettings(GateSettings.OnClear.RELEASE, Duration.ZERO, RETENTION),
            "pairs");
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(pairs),
            GateSubject.PREFERENCE_PAIRS::modelId,
            Alert::getModelId,
            Types.STRING);
    h.open();
    toClose.add(h);
    PreferencePair bad = HealthFixtures.pair("pair-bad", PairSource.VOTE, V, 5_000);
    h.processElement2(alert("hack", AlertState.FIRING, V, 0, 0, true), W - 1);
    h.processElement1(bad, 5_000);
    h.processWatermark1(new Watermark(Long.MAX_VALUE));
    h.processWatermark2(new Watermark(Long.MAX_VALUE));

    assertThat(h.extractOutputValues()).isEmpty();
    List<DeadLetter> dead =
        h.getSideOutput(pairs.heldAtEnd()).stream()
            .map(r -> DeadLetters.gateHeldPairAtEnd(r.getValue(), 7_000_000L))
            .toList();
    assertThat(dead)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOrigin()).isEqualTo("gate.pairs");
              assertThat(d.getErrorKind()).isEqualTo("GATE_HELD_AT_END");
              assertThat(d.getRecordId()).isEqualTo("pair-bad");
              assertThat(d.getRecordTimestampMs()).isEqualTo(5_000L);
              byte[] payload = new byte[d.getPayload().remaining()];
              d.getPayload().duplicate().get(payload);
              assertThat(RecordCodec.of(PreferencePair.class).decodeOrThrow(payload))
                  .isEqualTo(bad);
            });
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }
}
