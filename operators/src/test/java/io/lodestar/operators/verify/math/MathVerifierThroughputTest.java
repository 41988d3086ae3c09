package io.lodestar.operators.verify.math;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints how fast the verifier scores the real generations of {@code groups.jsonl} on one thread:
 * answers per second per core and p50/p99 latency. A measurement, not a test of speed: nothing is
 * asserted, and the tag lets a build exclude it ({@code -DexcludedGroups=measurement}).
 */
@Tag("measurement")
class MathVerifierThroughputTest {

  private static final int WARM_UP_ROUNDS = 10;
  private static final int MEASURED_ROUNDS = 10;

  @Test
  void shouldPrintThroughputAndLatencyOnRealGenerations() {
    List<String[]> pairs = new ArrayList<>();
    for (JsonNode group : TestDataFiles.jsonLines("generations/groups.jsonl")) {
      for (JsonNode generation : group.path("generations")) {
        pairs.add(
            new String[] {generation.path("text").asText(), group.path("gold_answer").asText()});
      }
    }
    MathVerifier shared = new MathVerifier();
    // The baseline parses every gold: a new verifier per answer has nothing cached. Rounds of the
    // two
    // alternate, so neither gets more of the JIT's warm-up than the other.
    Mode warm =
        new Mode("one verifier, as in a job (group's gold kept)", () -> shared, pairs.size());
    Mode cold =
        new Mode("a new verifier per answer (every gold parsed)", MathVerifier::new, pairs.size());
    for (int round = 0; round < WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
      boolean measured = round >= WARM_UP_ROUNDS;
      warm.round(pairs, measured);
      cold.round(pairs, measured);
    }
    double warmRate = warm.print();
    double coldRate = cold.print();
    System.out.printf(
        "MathVerifier gold cache: %.2f times the answers/s of parsing every gold%n",
        warmRate / coldRate);
  }

  private static final class Mode {
    private final String label;
    private final Supplier<MathVerifier> verifiers;
    private final long[] latencies;
    private int n;
    private long nanos;
    private long sink;

    Mode(String label, Supplier<MathVerifier> verifiers, int answersPerRound) {
      this.label = label;
      this.verifiers = verifiers;
      this.latencies = new long[answersPerRound * MEASURED_ROUNDS];
    }

    void round(List<String[]> pairs, boolean measured) {
      long start = System.nanoTime();
      for (String[] pair : pairs) {
        long t0 = System.nanoTime();
        sink += verifiers.get().verify(pair[0], pair[1]).getDetail().length();
        if (measured) {
          latencies[n++] = System.nanoTime() - t0;
        }
      }
      if (measured) {
        nanos += System.nanoTime() - start;
      }
    }

    double print() {
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      double rate = n / (nanos / 1e9);
      System.out.printf(
          "MathVerifier, %s, %d answers, one thread: %.0f answers/s per core, "
              + "p50 %.3f ms, p99 %.3f ms (checksum %d)%n",
          label, n, rate, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sink);
      return rate;
    }
  }
}
