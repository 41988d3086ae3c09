package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.config.LodestarOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;

class PipelineEnvironmentTest {

  @Test
  void streamingJobsKeepStateInRocksDbWithBloomFilters() {
    Configuration conf = PipelineEnvironment.streaming(LodestarOptions.fromArgs(new String[0]));

    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
  }

  @Test
  void bloomFiltersCanBeTurnedOff() {
    Configuration conf = PipelineEnvironment.streaming(LodestarOptions.fromArgs(new String[] {"--state.bloom-filter", "false"}));

    assertThat(conf.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isFalse();
  }

  @Test
  void aValueThatIsNotABooleanNamesTheKey() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--state.bloom-filter", "sometimes"}))
        .hasMessageContaining("state.bloom-filter")
        .hasMessageContaining("sometimes");
  }
}
