package io.lodestar.operators.bench;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.group.GroupFilter;
import io.lodestar.operators.group.GroupFunction;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Groups per second through the group operator ({@code GroupFunction}, GRPO, keyed state) in a
 * Flink operator harness: each invocation sends the {@value Members#GROUP_SIZE} members of a new
 * group, which closes FULL and emits. {@code heap} (HashMapStateBackend) is the baseline for
 * {@code rocksdb} (EmbeddedRocksDBStateBackend) in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GroupOperatorBenchmark {

  @Param({"heap", "rocksdb"})
  public String backend;

  private KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> harness;
  private long next;

  @Setup(Level.Iteration)
  public void open() throws Exception {
    harness = openHarness(backend);
    next = 0;
  }

  static KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> openHarness(String backend)
      throws Exception {
    return openHarness(backend, false);
  }

  /** {@code incremental} only matters for RocksDB: snapshots are then its SST files. */
  static KeyedOneInputStreamOperatorTestHarness<String, ScoredGeneration, RLGroup> openHarness(
      String backend, boolean incremental) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new GroupFunction(Duration.ofMinutes(2), Duration.ofMinutes(30), AdvantageSpec.lodestarGrpo(), GroupFilter.NONE)),
            (ScoredGeneration s) -> s.getGeneration().getGroupId(),
            Types.STRING);
    if (backend.equals("rocksdb")) {
      EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend(incremental);
      rocks.setDbStoragePath(Files.createTempDirectory("lodestar-bench-rocksdb").toString());
      // The harness grants almost no managed memory, which would make RocksDB flush on every write;
      // RocksDB's own defaults stand in for a TaskManager's share.
      rocks.getMemoryConfiguration().setUseManagedMemory(false);
      h.setStateBackend(rocks);
    } else {
      h.setStateBackend(new HashMapStateBackend());
    }
    // Snapshots stay in memory; allow more than the default 5 MB for the state-size measurement.
    h.setCheckpointStorage(new JobManagerCheckpointStorage(512 << 20));
    h.open();
    return h;
  }

  @TearDown(Level.Iteration)
  public void close() throws Exception {
    harness.close();
  }

  @Benchmark
  public int groupsPerSecond() throws Exception {
    String groupId = "g" + next++;
    for (int i = 0; i < Members.GROUP_SIZE; i++) {
      ScoredGeneration m = Members.member(groupId, i, Members.GROUP_SIZE);
      harness.processElement(m, m.getGeneration().getCreatedAtMs());
    }
    int emitted = harness.getOutput().size();
    harness.getOutput().clear(); // the harness keeps every output; the pipeline would not
    return emitted;
  }
}
