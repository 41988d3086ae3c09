package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.config.LodestarOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineOutputsTest {

  @Test
  void theGateWithoutAFilteredGroupsTopicFailsAtStartUpNamingBothKeys() {
    // No broker runs at this address: the check must come before any broker is asked for limits.
    LodestarOptions options =
        LodestarOptions.fromMap(
            Map.of(
                "kafka.bootstrap.servers",
                "127.0.0.1:9",
                LodestarOptions.GATE_ENABLED.key(),
                "true"),
            name -> null);

    assertThatThrownBy(() -> PipelineJob.kafkaOutputs(options, options.kafka()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gate.enabled")
        .hasMessageContaining("topics.filtered-groups");
  }
}
