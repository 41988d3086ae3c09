package io.lodestar.jobs.config;

import io.lodestar.operators.verify.VerifierRegistry;
import io.lodestar.operators.verify.math.MathVerifier;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Rule-based scoring: the verifiers and the code-test sandbox. Which verifiers run is chosen by the
 * open-ended {@code verifiers.kind.<KIND>} and {@code verifiers.source.<dataSource>} keys.
 */
public final class VerifierOptions {

  private VerifierOptions() {}

  /**
   * {@code verifiers.kind.<KIND>} or {@code verifiers.source.<dataSource>} = comma-separated
   * verifier names.
   */
  public static final String VERIFIERS_PREFIX = "verifiers.";

  public static final ConfigOption<Integer> MATH_EXAMINED_CHARS =
      ConfigOptions.key("verify.math.examined-chars")
          .intType()
          .defaultValue(MathVerifier.DEFAULT_EXAMINED_CHARS)
          .withDescription(
              "How many characters at the end of a response math_equivalence reads for answer markers, "
                  + "LaTeX spans and last numbers (at least 100). Boxed answers are looked for in the whole response.");
  public static final ConfigOption<Duration> CODE_TIMEOUT =
      ConfigOptions.key("code.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Wall-clock limit of one code-test run in the sandbox, counted from when the run starts.");
  public static final ConfigOption<Integer> CODE_THREADS =
      ConfigOptions.key("code.threads")
          .intType()
          .defaultValue(2)
          .withDescription("Sandboxes running at once per subtask.");
  public static final ConfigOption<Integer> CODE_CAPACITY =
      ConfigOptions.key("code.capacity")
          .intType()
          .defaultValue(32)
          .withDescription(
              "Generations in flight in the code-test operator before it applies backpressure (its"
                  + " timeout, ceil(capacity / threads) runs, is derived).");

  static void validate(Configuration config) {
    OptionChecks.requireAtLeastOne(config, CODE_THREADS);
    OptionChecks.requireAtLeastOne(config, CODE_CAPACITY);
    OptionChecks.requirePositive(config, CODE_TIMEOUT);
  }

  /** The verifiers per task kind and data source; fails naming the rule when it is unknown. */
  static VerifierRegistry verifierRegistry(Configuration config, Map<String, String> rules) {
    int examined = config.get(MATH_EXAMINED_CHARS);
    if (examined < 100) {
      throw new IllegalArgumentException(
          MATH_EXAMINED_CHARS.key() + " must be at least 100, was " + examined);
    }
    try {
      return VerifierRegistry.fromRules(
          rules, MathVerifier.Config.defaults().withExaminedChars(examined));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(VERIFIERS_PREFIX + "*: " + e.getMessage(), e);
    }
  }
}
