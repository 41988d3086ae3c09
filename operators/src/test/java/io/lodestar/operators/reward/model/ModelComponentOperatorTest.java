package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelComponentOperatorTest {

  private static final long MAX_WAIT_MS = 100;

  /** Scores a generation by the length of its response and records each call's batch. */
  static final class LengthScorer implements ComponentScorer {
    private static final long serialVersionUID = 1L;
    final List<List<String>> calls = new ArrayList<>();
    boolean failNext;
    boolean opened;
    boolean closed;

    @Override
    public void open() {
      opened = true;
    }

    @Override
    public String componentName() {
      return "length_model";
    }

    @Override
    public String version() {
      return "length/1";
    }

    @Override
    public List<RewardComponent> score(List<Generation> batch) {
      List<String> ids = new ArrayList<>();
      batch.forEach(g -> ids.add(g.getGenerationId()));
      calls.add(ids);
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("model crashed");
      }
      List<RewardComponent> out = new ArrayList<>();
      for (Generation g : batch) {
        out.add(ModelComponents.ok(componentName(), version(), g.getResponse().length(), null));
      }
      return out;
    }

    @Override
    public void close() {
      closed = true;
    }

    int scoredRecords() {
      return calls.stream().mapToInt(List::size).sum();
    }
  }

  private final Metrics metrics = new Metrics();
  private LengthScorer scorer;
  private OneInputStreamOperatorTestHarness<ScoredGeneration, ScoredGeneration> harness;

  private OneInputStreamOperatorTestHarness<ScoredGeneration, ScoredGeneration> open(
      int batchSize, OperatorSubtaskState restored) throws Exception {
    scorer = new LengthScorer();
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new ModelComponentOperator(scorer, batchSize, MAX_WAIT_MS),
            new AvroSerializer<>(ScoredGeneration.class),
            new MockEnvironmentBuilder().setMetricGroup(metrics).build());
    harness.setup(new AvroSerializer<>(ScoredGeneration.class));
    if (restored != null) {
      harness.initializeState(restored);
    }
    harness.open();
    return harness;
  }

  @AfterEach
  void closeHarness() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static ScoredGeneration scored(String id, String response) {
    return TestRecords.scored(TestRecords.generation(id).setResponse(response).build(), 1.0)
        .build();
  }

  private void send(String... ids) throws Exception {
    for (String id : ids) {
      harness.processElement(scored(id, "response of " + id), 10);
    }
  }

  private int activeTimers() {
    return harness.getProcessingTimeService().getNumActiveTimers();
  }

  private List<ScoredGeneration> emitted() {
    List<ScoredGeneration> out = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((ScoredGeneration) r.getValue());
      }
    }
    return out;
  }

  private List<String> emittedIds() {
    return emitted().stream().map(s -> s.getGeneration().getGenerationId()).toList();
  }

  @Test
  void scoresAFullBatchAtOnceAndKeepsInputOrder() throws Exception {
    open(3, null);
    send("a", "b");
    assertThat(emitted()).isEmpty();
    send("c", "d");
    assertThat(scorer.calls).containsExactly(List.of("a", "b", "c"));
    assertThat(emittedIds()).containsExactly("a", "b", "c");
    assertThat(activeTimers()).isEqualTo(1);
    assertThat(scorer.opened).isTrue();
  }

  @Test
  void appendsAModelComponentAndRecombinesTheReward() throws Exception {
    open(1, null);
    harness.processElement(scored("a", "12345"), 10);
    ScoredGeneration out = emitted().get(0);
    assertThat(out.getComponents()).hasSize(2);
    RewardComponent added = out.getComponents().get(1);
    assertThat(added.getName()).isEqualTo("length_model");
    assertThat(added.getSource()).isEqualTo(RewardSource.MODEL);
    assertThat(added.getValue()).isEqualTo(5.0);
    assertThat(out.getReward()).isEqualTo(3.0);
    assertThat(out.getRewardVersion()).contains("length_model@length/1");
    assertThat(((StreamRecord<?>) harness.getOutput().peek()).getTimestamp()).isEqualTo(10);
  }

  @Test
  void aTimerFlushesAPartialBatchAfterTheMaxWaitAndNoTimerIsLeft() throws Exception {
    open(10, null);
    harness.setProcessingTime(1_000);
    send("a", "b");
    assertThat(activeTimers()).isEqualTo(1);
    harness.setProcessingTime(1_000 + MAX_WAIT_MS - 1);
    assertThat(emitted()).isEmpty();
    harness.setProcessingTime(1_000 + MAX_WAIT_MS);
    assertThat(emittedIds()).containsExactly("a", "b");
    assertThat(activeTimers()).isZero();
  }

  @Test
  void aSizeFlushCancelsThePendingTimer() throws Exception {
    open(2, null);
    send("a", "b");
    assertThat(emittedIds()).containsExactly("a", "b");
    assertThat(activeTimers()).isZero();
    harness.setProcessingTime(10_000);
    assertThat(scorer.calls).hasSize(1);
  }

  @Test
  void flushesBufferedRecordsBeforeTheSnapshotAndKeepsNothingInState() throws Exception {
    open(10, null);
    send("a", "b", "c");
    harness.prepareSnapshotPreBarrier(1);
    OperatorSubtaskState snapshot = harness.snapshot(1, 100);
    assertThat(emittedIds()).containsExactly("a", "b", "c");
    assertThat(snapshot.getManagedOperatorState()).isEmpty();
    assertThat(snapshot.getRawOperatorState()).isEmpty();
    assertThat(activeTimers()).isZero();
  }

  @Test
  void afterRestoreFromACheckpointNothingIsScoredTwice() throws Exception {
    open(10, null);
    send("a", "b", "c");
    harness.prepareSnapshotPreBarrier(1);
    OperatorSubtaskState checkpoint = harness.snapshot(1, 100);
    List<String> committed = emittedIds();
    int scoredBeforeCheckpoint = scorer.scoredRecords();
    // After the checkpoint "d" is buffered, then the task fails: it was never emitted.
    send("d");
    harness.close();

    open(10, checkpoint);
    // The source replays what followed the checkpoint, and no more.
    send("d", "e");
    harness.endInput();
    List<String> all = new ArrayList<>(committed);
    all.addAll(emittedIds());
    assertThat(all).containsExactly("a", "b", "c", "d", "e");
    assertThat(scoredBeforeCheckpoint + scorer.scoredRecords()).isEqualTo(5);
  }

  @Test
  void buffersCopiesSoUpstreamMayReuseItsRecordsAndValues() throws Exception {
    scorer = new LengthScorer();
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new ModelComponentOperator(scorer, 3, MAX_WAIT_MS),
            new AvroSerializer<>(ScoredGeneration.class));
    harness.getExecutionConfig().enableObjectReuse();
    harness.setup(new AvroSerializer<>(ScoredGeneration.class));
    harness.open();
    ScoredGeneration value = scored("a", "one");
    StreamRecord<ScoredGeneration> reused = new StreamRecord<>(value, 1);
    harness.processElement(reused);
    value.getGeneration().setGenerationId("b");
    harness.processElement(reused.replace(value, 2));
    value.getGeneration().setGenerationId("c");
    harness.processElement(reused.replace(value, 3));
    assertThat(emittedIds()).containsExactly("a", "b", "c");
    List<Long> timestamps = new ArrayList<>();
    harness.getOutput().forEach(o -> timestamps.add(((StreamRecord<?>) o).getTimestamp()));
    assertThat(timestamps).containsExactly(1L, 2L, 3L);
  }

  @Test
  void endOfInputFlushesTheLastPartialBatch() throws Exception {
    open(10, null);
    send("a");
    harness.endInput();
    assertThat(emittedIds()).containsExactly("a");
    assertThat(activeTimers()).isZero();
  }

  @Test
  void aWatermarkDoesNotOvertakeBufferedRecords() throws Exception {
    open(10, null);
    send("a");
    harness.processWatermark(new Watermark(50));
    List<Object> output = new ArrayList<>(harness.getOutput());
    assertThat(output).hasSize(2);
    assertThat(output.get(0)).isInstanceOf(StreamRecord.class);
    assertThat(output.get(1)).isEqualTo(new Watermark(50));
  }

  @Test
  void aModelErrorMarksTheWholeBatchErrorWithoutValueAndCountsIt() throws Exception {
    open(2, null);
    scorer.failNext = true;
    send("a", "b", "c", "d");
    List<ScoredGeneration> out = emitted();
    assertThat(out).hasSize(4);
    for (ScoredGeneration s : out.subList(0, 2)) {
      RewardComponent c = s.getComponents().get(1);
      assertThat(c.getStatus()).isEqualTo(RewardStatus.ERROR);
      assertThat(c.getValue()).isNull();
      assertThat(c.getDetail()).isEqualTo("model error: IllegalStateException");
      // The failed component is left out of the combined reward, never counted as 0.
      assertThat(s.getReward()).isEqualTo(1.0);
    }
    assertThat(out.get(2).getComponents().get(1).getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(metrics.count(ModelMetricNames.MODEL_ERRORS)).isEqualTo(2);
    assertThat(((Histogram) metrics.operator.get(ModelMetricNames.MODEL_BATCH_SIZE)).getCount())
        .isEqualTo(2);
    assertThat(metrics.operator.get(ModelMetricNames.MODEL_LATENCY_MS))
        .isInstanceOf(Histogram.class);
  }

  @Test
  void closingTheOperatorClosesTheScorer() throws Exception {
    open(2, null);
    harness.close();
    harness = null;
    assertThat(scorer.closed).isTrue();
  }

  /** Hands the operator one intercepting group so the test can read its counters and histograms. */
  static final class Metrics extends InterceptingTaskMetricGroup {
    final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

    @Override
    public InternalOperatorMetricGroup getOrAddOperator(
        OperatorID id, String name, Map<String, String> variables) {
      return operator;
    }

    long count(String name) {
      Metric metric = operator.get(name);
      return metric == null ? 0 : ((Counter) metric).getCount();
    }
  }
}
