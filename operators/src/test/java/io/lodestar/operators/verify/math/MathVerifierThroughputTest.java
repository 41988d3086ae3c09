package io.lodestar.operators.verify.math;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.SharedTestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints how fast the verifier scores the real generations of {@code groups.jsonl} on one thread:
 * answers per second per core and p50/p99 latency. A measurement, not a test of speed: nothing is
 * asserted, and the tag lets a build exclude it ({@code -DexcludedGroups=measurement}).
 */
@Tag("measurement")
class MathVerifierThroughputTest {

  private static final int WARM_UP_ROUNDS = 3;
  private static final int MEASURED_ROUNDS = 5;

  @Test
  void shouldPrintThroughputAndLatencyOnRealGenerations() {
    List<String[]> pairs = new ArrayList<>();
    for (JsonNode group : SharedTestData.jsonLines("data/generations/groups.jsonl")) {
      for (JsonNode generation : group.path("generations")) {
        pairs.add(new String[] {generation.path("text").asText(), group.path("gold_answer").asText()});
      }
    }
    MathVerifier verifier = new MathVerifier();
    long sink = 0;
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      for (String[] pair : pairs) {
        sink += verifier.verify(pair[0], pair[1]).getDetail().length();
      }
    }
    long[] latencies = new long[pairs.size() * MEASURED_ROUNDS];
    int n = 0;
    long start = System.nanoTime();
    for (int round = 0; round < MEASURED_ROUNDS; round++) {
      for (String[] pair : pairs) {
        long t0 = System.nanoTime();
        sink += verifier.verify(pair[0], pair[1]).getDetail().length();
        latencies[n++] = System.nanoTime() - t0;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    System.out.printf("MathVerifier on %d real generations x %d rounds, one thread: %.0f answers/s per core, "
            + "p50 %.3f ms, p99 %.3f ms (checksum %d)%n",
        pairs.size(), MEASURED_ROUNDS, n / seconds, latencies[n / 2] / 1e6, latencies[(int) (n * 0.99)] / 1e6, sink);
  }
}
