package io.lodestar.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PipelineBenchmarkJitTest {

  @Test
  void theCompilerThreadsOfAJvmThatHasRunCodeHaveUsedCpu() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's per-thread figures");
    long sink = 0;
    for (int i = 0; i < 200_000; i++) {
      sink += Integer.toString(i).hashCode(); // enough calls for the JIT to compile something
    }
    assertThat(sink).isNotZero();

    assertThat(PipelineBenchmark.jitNanos()).isPositive();
  }
}
