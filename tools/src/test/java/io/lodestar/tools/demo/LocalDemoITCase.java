package io.lodestar.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.testkit.traffic.TrafficSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo, shortened: it must run end to end and leave every output as JSONL. */
class LocalDemoITCase {

  @TempDir Path output;

  @Test
  void shortDemoProducesEveryOutput() throws Exception {
    Map<String, List<String>> outputs =
        LocalDemo.run(
            new String[] {"--seconds", "4", "--prompts", "40", "--output", output.toString()});

    // The drain lets every group close: each of the 40 prompts' sampled responses is scored once,
    // duplicates and corrupt records aside.
    assertThat(outputs.get("scored"))
        .hasSize(40 * TrafficSimulator.Settings.defaults().groupSize());
    assertThat(outputs.get("batches")).isNotEmpty();
    assertThat(outputs.get("pairs")).isNotEmpty();
    assertThat(outputs.get("unpaired")).isNotEmpty();
    assertThat(outputs.get("health-metrics")).isNotEmpty();
    for (String name :
        List.of(
            "scored", "batches", "pairs", "unpaired", "dead-letters", "health-metrics", "alerts")) {
      assertThat(Files.readAllLines(output.resolve(name + ".jsonl")))
          .hasSameSizeAs(outputs.get(name));
    }
  }
}
