package io.lodestar.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.testkit.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny run of the benchmark: every column is measured and the pipeline sees every generation. */
class PipelineBenchmarkITCase {

  @TempDir Path results;

  @Test
  void tinyRunMeasuresEveryJobOnTheSameInput() throws Exception {
    PipelineBenchmark.Settings settings =
        PipelineBenchmark.Settings.ruleBased(200, 4, List.of(1), 500, 100, 2, results)
            .withModelRuns(List.of(PipelineBenchmark.Job.PIPELINE_TINY_RM))
            .withWarmup(40);
    List<PipelineBenchmark.Row> rows;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      rows = new PipelineBenchmark(settings, kafka.bootstrapServers()).runAll(kafka);
    }

    assertThat(rows)
        .extracting(PipelineBenchmark.Row::job)
        .containsExactly("pass-through", "decode-encode", "pipeline", "pipeline-tiny-rm");
    // 200 generations and one end-of-traffic heartbeat per partition.
    assertThat(rows)
        .allSatisfy(
            r -> {
              assertThat(r.outputs()).isEqualTo(201);
              assertThat(r.recordsPerSecond()).isPositive();
              assertThat(r.cpuSecondsPer1000()).isPositive();
              assertThat(r.peakHeapBytes()).isPositive();
              assertThat(r.scoredLatency().samples()).isEqualTo(200);
              assertThat(r.scoredLatency().writtenP50())
                  .as("latency to the write, before the commit")
                  .isNotNaN();
            });
    assertThat(rows.subList(1, 4)).allSatisfy(r -> assertThat(r.ratioToPassThrough()).isPositive());
    assertThat(rows.get(1).batchLatency())
        .as("the decode-encode baseline writes no batches")
        .isNull();
    assertThat(rows.get(2).batchLatency()).isNotNull();
    // A run this short may end before its first checkpoint makes RocksDB flush.
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.rocksDbBackgroundSecondsPer1000()).isNotNegative());
    assertThat(rows.get(2).busiestTask())
        .as("the pipeline's busiest task, by its threads' CPU")
        .contains(" CPU-s, ");
    // State size comes from the REST API and may be missing in a run this short.
    assertThat(PipelineBenchmark.table(rows))
        .contains(
            "pass-through",
            "decode-encode",
            "pipeline-tiny-rm",
            "checkpoint interval",
            "commit-wait",
            "of which JIT compilation",
            "RocksDB flushes and compactions");
  }
}
