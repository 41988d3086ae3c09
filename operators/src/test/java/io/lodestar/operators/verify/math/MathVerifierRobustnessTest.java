package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reward contract, and hostile input that must come back quickly without an exception. */
class MathVerifierRobustnessTest {

  private final MathVerifier verifier = new MathVerifier();

  @Test
  void shouldReportAScoredComponentWithTheExtractedAnswer() {
    RewardComponent result =
        verifier.verify("so the answer is \\boxed{\\frac{4}{11}}.", "\\frac{8}{22}");
    assertThat(result.getName()).isEqualTo(MathVerifier.NAME);
    assertThat(result.getVersion()).isEqualTo(MathVerifier.VERSION);
    assertThat(result.getSource()).isEqualTo(RewardSource.VERIFIER);
    assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(result.getValue()).isEqualTo(1.0);
    assertThat(result.getDetail()).isEqualTo("answer=\\frac{4}{11}");
  }

  @Test
  void shouldBeUnscorableWhenTheGoldAnswerCannotBeParsed() {
    RewardComponent result = verifier.verify("\\boxed{4:30}", "4:30p..");
    assertThat(result.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(result.getValue()).isNull();
    assertThat(verifier.verify("\\boxed{1}", null).getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(verifier.verify("\\boxed{1}", "  ").getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
  }

  @Test
  void shouldScoreZeroWhenTheResponseHasNoAnswer() {
    RewardComponent result = verifier.verify("I do not know.", "5");
    assertThat(result.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(result.getValue()).isEqualTo(0.0);
    assertThat(verifier.verify(null, "5").getValue()).isEqualTo(0.0);
  }

  static List<String> hostileResponses() {
    List<String> inputs = new ArrayList<>();
    inputs.add("\\boxed{" + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "}");
    inputs.add("\\boxed{" + "{".repeat(50_000) + "1" + "}".repeat(50_000) + "}");
    inputs.add("\\boxed{" + "\\frac{".repeat(20_000) + "1");
    inputs.add("x".repeat(1 << 20));
    inputs.add("1".repeat(1 << 20));
    inputs.add("$".repeat(1 << 20));
    inputs.add("\\boxed{".repeat(100_000));
    inputs.add("\\boxed{10^{10^{10}}}");
    inputs.add("\\boxed{10^{10^{10^{10^{10}}}} - 10^{10^{10^{10^{10}}}}}");
    inputs.add("\\boxed{(x+1)^{1000000000}}");
    inputs.add("\\boxed{" + "1+".repeat(400) + "1}");
    inputs.add("\\boxed{" + "\\pm 1".repeat(300) + "}");
    inputs.add("\\boxed{\\begin{pmatrix}" + "1 & ".repeat(5_000) + "1\\end{pmatrix}}");
    inputs.add("\u0000\u0001\uFFFF\uD800 \\boxed{\\\\\\\\\\}");
    inputs.add("<think>" + "9 ".repeat(100_000));
    return inputs;
  }

  @ParameterizedTest
  @MethodSource("hostileResponses")
  // A hang guard, not a speed test: the step budget bounds the work, and a loaded machine may
  // stretch the wall clock well past what the work takes on an idle one.
  @Timeout(60)
  void shouldReturnQuicklyOnHostileInput(String response) {
    RewardComponent result = verifier.verify(response, "1");
    RewardComponent reversed = verifier.verify("\\boxed{1}", response);
    assertThat(result.getStatus()).isNotNull();
    assertThat(reversed.getStatus()).isNotNull();
    assertThat(result.getStatus()).isNotEqualTo(RewardStatus.ERROR);
    assertThat(reversed.getStatus()).isNotEqualTo(RewardStatus.ERROR);
  }

  @Test
  void shouldGiveUpWithUnscorableWhenTheTimeBudgetIsSpent() {
    // Each reading of this clock is 1 ms later than the one before: the 1 ms budget runs out at the
    // first check after the verifier starts, however fast the machine is.
    long[] now = {0};
    MathVerifier hurried =
        new MathVerifier(
            MathVerifier.Config.defaults().withTimeoutMillis(1), () -> now[0] += 1_000_000L);
    String huge = "\\boxed{" + "x+".repeat(400) + "1, ".repeat(20) + "1}";
    RewardComponent result = hurried.verify(huge, huge.substring(7, huge.length() - 1) + "+0");
    assertThat(result.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(result.getValue()).isNull();
    assertThat(result.getDetail()).isEqualTo("verification time budget exceeded");
  }

  @Test
  void shouldScoreTheSameAnswerWithinItsTimeBudgetWhenTheClockStandsStill() {
    MathVerifier unhurried =
        new MathVerifier(MathVerifier.Config.defaults().withTimeoutMillis(1), () -> 0L);
    String huge = "\\boxed{" + "x+".repeat(400) + "1, ".repeat(20) + "1}";
    assertThat(unhurried.verify(huge, huge.substring(7, huge.length() - 1) + "+0").getStatus())
        .isEqualTo(RewardStatus.OK);
  }

  @Test
  void shouldGiveTheSameResultsFromManyThreads() throws Exception {
    String[][] cases = {
      {"\\boxed{\\frac{1}{2}}", "0.5"},
      {"\\boxed{x^2+2x+1}", "(x+1)^2"},
      {"A: 26", "26"},
      {"\\boxed{[0,1)}", "(0,1]"},
      {"\\boxed{\\{1,2\\}}", "\\{2,1\\}"}
    };
    List<Double> expected = new ArrayList<>();
    for (String[] c : cases) {
      expected.add(verifier.verify(c[0], c[1]).getValue());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 200; round++) {
                    for (int i = 0; i < cases.length; i++) {
                      if (!expected
                          .get(i)
                          .equals(verifier.verify(cases[i][0], cases[i][1]).getValue())) {
                        return false;
                      }
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : futures) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(expected).containsExactly(1.0, 1.0, 1.0, 0.0, 1.0);
  }

  @Test
  void shouldSurviveJavaSerialisationAsAFlinkFunctionFieldWould() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new MathVerifier(MathVerifier.Config.defaults().withFloatRounding(3)));
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      MathVerifier copy = (MathVerifier) in.readObject();
      assertThat(copy.verify("\\boxed{0.333}", "1/3").getValue()).isEqualTo(1.0);
    }
  }
}
