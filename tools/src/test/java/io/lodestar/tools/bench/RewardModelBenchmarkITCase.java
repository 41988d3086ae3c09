package io.lodestar.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.reward.model.DeviceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the reward model benchmark: both models, both sides measured, every record scored.
 */
class RewardModelBenchmarkITCase {

  @Test
  void shortRunMeasuresTheOperatorAndTheLoopForBothModels() throws Exception {
    List<RewardModelBenchmark.Row> rows =
        RewardModelBenchmark.run(List.of("tiny", "minilm"), 320, 16, 1, DeviceSpec.CPU);
    assertThat(rows).extracting(RewardModelBenchmark.Row::model).containsExactly("tiny", "minilm");
    assertThat(rows)
        .allSatisfy(
            row -> {
              assertThat(row.loop().throughput()).isPositive();
              assertThat(row.operator().throughput()).isPositive();
              assertThat(row.ratio()).isPositive();
              assertThat(row.cpuRatio()).isPositive();
              assertThat(row.operator().percentile(99)).isPositive();
            });
    assertThat(rows.get(0).loop().records()).isEqualTo(320);
    assertThat(rows.get(1).loop().records()).isEqualTo(32);
    assertThat(RewardModelBenchmark.table(rows)).contains("tiny", "minilm", "ratio");
  }
}
