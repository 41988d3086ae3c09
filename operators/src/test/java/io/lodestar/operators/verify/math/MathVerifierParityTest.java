package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.operators.verify.math.MathVerifier.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Runs every answer-equivalence case transcribed from Math-Verify's test suite, honouring each
 * case's extraction config and comparison options. Cases we knowingly do not pass are listed, with
 * the reason, in {@code mathverify-known-failures.txt}; an unlisted failure fails the test, and so
 * does a listed case that now passes (so the list stays honest).
 */
class MathVerifierParityTest {

  private static final String KNOWN_FAILURES = "/mathverify-known-failures.txt";

  private final MathVerifier verifier = new MathVerifier();

  @Test
  void shouldReproduceMathVerifyOnItsOwnTestCases() throws IOException {
    List<JsonNode> cases = TestDataFiles.jsonLines("mathverify/verify_cases.jsonl");
    Set<Integer> known = knownFailures();
    List<String> unexpectedFailures = new ArrayList<>();
    List<Integer> unexpectedPasses = new ArrayList<>();
    int passed = 0;
    for (int index = 0; index < cases.size(); index++) {
      JsonNode c = cases.get(index);
      boolean sympyHarness = !c.path("config").has("extraction_config");
      String gold = sympyHarness ? fromSympy(c.path("gold").asText()) : c.path("gold").asText();
      String prediction =
          sympyHarness ? fromSympy(c.path("prediction").asText()) : c.path("prediction").asText();
      MathVerifier.Verdict verdict = verifier.verify(gold, prediction, configOf(c.path("config")));
      boolean expected = c.path("expected").asBoolean();
      if (verdict.equivalent() == expected) {
        passed++;
        if (known.contains(index)) {
          unexpectedPasses.add(index);
        }
      } else if (!known.contains(index)) {
        unexpectedFailures.add(
            index
                + " | "
                + oneLine(gold)
                + " | "
                + oneLine(prediction)
                + " | expected "
                + expected
                + ", got "
                + verdict);
      }
    }
    double rate = (double) passed / cases.size();
    System.out.printf(
        "Math-Verify parity: %d/%d cases pass (%.1f%%)%n", passed, cases.size(), 100 * rate);

    assertThat(unexpectedFailures).as("failing cases missing from %s", KNOWN_FAILURES).isEmpty();
    assertThat(unexpectedPasses)
        .as("cases in %s that now pass: remove them", KNOWN_FAILURES)
        .isEmpty();
  }

  /** Mirrors the case's Math-Verify configuration; the SymPy-object cases use expression rules. */
  static Config configOf(JsonNode config) {
    String extraction = config.path("extraction_config").toString();
    boolean latex = extraction.contains("LatexExtractionConfig");
    boolean expression =
        extraction.contains("ExprExtractionConfig") || !config.has("extraction_config");
    JsonNode kwargs = config.path("verify_kwargs");
    return Config.defaults()
        .withExtraction(latex, expression)
        .withFloatRounding(kwargs.path("float_rounding").asInt(6))
        .withStrict(kwargs.path("strict").asBoolean(true))
        .withSetRelationComparison(kwargs.path("allow_set_relation_comp").asBoolean(false));
  }

  /** {@code Rational(1,3)+1} as {@code 1/3+1}, {@code Float(0.333)} as {@code 0.333}. */
  static String fromSympy(String expression) {
    return expression
        .replaceAll("Rational\\((-?\\d+),\\s*(-?\\d+)\\)", "($1/$2)")
        .replaceAll("Float\\(([-0-9.eE]+)\\)", "$1")
        .replaceAll("Integer\\((-?\\d+)\\)", "$1");
  }

  private static Set<Integer> knownFailures() throws IOException {
    Set<Integer> indexes = new TreeSet<>();
    try (InputStream in = MathVerifierParityTest.class.getResourceAsStream(KNOWN_FAILURES)) {
      if (in == null) {
        return indexes;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String trimmed = line.trim();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          indexes.add(Integer.parseInt(trimmed.substring(0, trimmed.indexOf('|')).trim()));
        }
      }
    }
    return indexes;
  }

  private static String oneLine(String s) {
    String flat = s.replace("\n", "\\n").replace("\t", "\\t");
    return flat.length() <= 80 ? flat : flat.substring(0, 80) + "...";
  }
}
