package io.lodestar.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineBenchmarkSettingsTest {

  @Test
  void flinkSettingsAreReadAsKeyValuePairsWithSpacesTrimmed() {
    PipelineBenchmark.Settings settings =
        PipelineBenchmark.Settings.parse(
            new String[] {
              "--flink-conf",
              "state.backend.rocksdb.use-bloom-filter=true, taskmanager.memory.managed.size = 512m"
            });

    assertThat(settings.flinkConf())
        .isEqualTo(
            Map.of(
                "state.backend.rocksdb.use-bloom-filter",
                "true",
                "taskmanager.memory.managed.size",
                "512m"));
  }

  @Test
  void withoutTheFlagNoFlinkSettingIsAdded() {
    assertThat(PipelineBenchmark.Settings.parse(new String[0]).flinkConf()).isEmpty();
  }

  @Test
  void aFlinkSettingWithoutAValueIsRefusedNamingTheFlag() {
    assertThatThrownBy(
            () ->
                PipelineBenchmark.Settings.parse(
                    new String[] {"--flink-conf", "parallelism.default"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--flink-conf")
        .hasMessageContaining("parallelism.default");
  }
}
