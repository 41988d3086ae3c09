package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward model stage in a checkpointed job with a failure injected after a checkpoint: every
 * generation appears exactly once in the committed output, scored. The sink commits only what
 * completed checkpoints cover, so a record the operator still buffered at a barrier would be lost
 * and a record emitted before a barrier but replayed would be doubled: the test sees both.
 */
class RewardModelExactlyOnceITCase {

  private static final int RECORDS = 1_200;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path work;

  @Test
  void eachGenerationIsScoredExactlyOnceInTheCommittedOutputAcrossAFailure() throws Exception {
    Path model = ClasspathModels.tinyReward(work.resolve("tiny-reward"));
    FailOnceAfterCheckpoint.reset();
    CommittingSink.reset();

    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(150);

    RewardModelSettings settings =
        RewardModelSettings.defaults(model.toString())
            .withDevice(DeviceSpec.CPU)
            .withBatch(16, Duration.ofMillis(30));
    var generations =
        env.fromSequence(0, RECORDS - 1)
            .map(new FailOnceAfterCheckpoint(), new AvroTypeInfo<>(ScoredGeneration.class))
            .uid("generations")
            .name("Generations");
    ModelStages.rewardModel(generations, settings)
        .transform("Committing sink", BasicTypeInfo.VOID_TYPE_INFO, new CommittingSink())
        .uid("committing-sink");
    env.execute("reward model exactly once");

    assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();
    Map<String, Integer> counts = new HashMap<>();
    for (List<String> committed : CommittingSink.COMMITTED.values()) {
      for (String line : committed) {
        String[] parts = line.split("\t");
        counts.merge(parts[0], 1, Integer::sum);
        assertThat(parts[1]).isEqualTo(RewardStatus.OK.name());
      }
    }
    assertThat(counts).hasSize(RECORDS);
    assertThat(counts.values()).allMatch(n -> n == 1);
    // The record that threw came after a completed checkpoint, so the restored job read it again:
    // more map calls than records proves the replay the exactly-once counts above survived.
    assertThat(FailOnceAfterCheckpoint.CALLS.get()).isGreaterThan(RECORDS);
    assertThat(CommittingSink.RECEIVED.get()).isGreaterThanOrEqualTo(RECORDS);
  }

  /**
   * Turns a sequence number into a scored generation; throws once, after the first completed
   * checkpoint.
   */
  static final class FailOnceAfterCheckpoint extends RichMapFunction<Long, ScoredGeneration>
      implements CheckpointListener {
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger CALLS = new AtomicInteger();

    static void reset() {
      CHECKPOINTED.set(false);
      FAILED.set(false);
      CALLS.set(0);
    }

    @Override
    public ScoredGeneration map(Long i) throws Exception {
      CALLS.incrementAndGet();
      if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure");
      }
      // Slow enough for several checkpoints to fall inside the run.
      Thread.sleep(2);
      String response = i % 2 == 0 ? "The answer is " + i + "." : "Hmm, not sure.";
      return TestRecords.scored(TestRecords.generation("g-" + i).setResponse(response).build(), 1.0)
          .build();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }

  /**
   * Keeps what it receives per checkpoint in operator state and commits it (to a static map,
   * idempotently by checkpoint and subtask) once that checkpoint completes, or on restore from it.
   */
  static final class CommittingSink extends AbstractStreamOperator<Void>
      implements OneInputStreamOperator<ScoredGeneration, Void> {
    static final Map<String, List<String>> COMMITTED = new ConcurrentHashMap<>();
    static final AtomicInteger RECEIVED = new AtomicInteger();

    private transient List<String> current;
    private transient TreeMap<Long, List<String>> pending;
    private transient ListState<String> state;

    static void reset() {
      COMMITTED.clear();
      RECEIVED.set(0);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
      super.initializeState(context);
      current = new ArrayList<>();
      pending = new TreeMap<>();
      state =
          context
              .getOperatorStateStore()
              .getListState(new ListStateDescriptor<>("pending", BasicTypeInfo.STRING_TYPE_INFO));
      // Everything restored belongs to checkpoints up to the one restored from, which completed.
      Map<String, List<String>> restored = new HashMap<>();
      for (String entry : state.get()) {
        int split = entry.indexOf('|');
        restored
            .computeIfAbsent(entry.substring(0, split), k -> new ArrayList<>())
            .add(entry.substring(split + 1));
      }
      restored.forEach(COMMITTED::putIfAbsent);
      state.clear();
    }

    @Override
    public void processElement(StreamRecord<ScoredGeneration> element) {
      RECEIVED.incrementAndGet();
      ScoredGeneration s = element.getValue();
      List<RewardComponent> components = s.getComponents();
      RewardComponent model = components.get(components.size() - 1);
      current.add(s.getGeneration().getGenerationId() + "\t" + model.getStatus());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
      super.snapshotState(context);
      pending.put(context.getCheckpointId(), current);
      current = new ArrayList<>();
      List<String> entries = new ArrayList<>();
      int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
      pending.forEach(
          (checkpoint, lines) ->
              lines.forEach(l -> entries.add(checkpoint + "/" + subtask + "|" + l)));
      state.update(entries);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      super.notifyCheckpointComplete(checkpointId);
      int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
      var done = pending.headMap(checkpointId, true);
      done.forEach((checkpoint, lines) -> COMMITTED.putIfAbsent(checkpoint + "/" + subtask, lines));
      done.clear();
    }
  }
}
