package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks the verifier against real public data in the repository's {@code testdata/} (sources in
 * its README).
 */
class NumericAnswerVerifierRealDataTest {

  /** The MATH golds that are not a number (a polynomial, a time); every other MATH gold is. */
  private static final Set<String> NON_NUMERIC_MATH_GOLDS = Set.of("4a-2", "4:30p..");

  private static final int MAX_LISTED_DISAGREEMENTS = 50;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final NumericAnswerVerifier verifier = new NumericAnswerVerifier();

  @Test
  void shouldAgreeWithTheDatasetLabelsOfRealGsm8kGenerations() {
    List<JsonNode> groups = TestDataFiles.jsonLines("generations/groups.jsonl");
    int total = 0;
    List<String> disagreements = new ArrayList<>();
    for (JsonNode group : groups) {
      String groupId = group.path("group_id").asText();
      if (!groupId.startsWith("gsm8k")) {
        continue;
      }
      String gold = group.path("gold_answer").asText();
      for (JsonNode generation : group.path("generations")) {
        total++;
        boolean labelledCorrect = generation.path("correct").asBoolean();
        RewardComponent result = verifier.verify(generation.path("text").asText(), gold);
        boolean scoredCorrect = Double.valueOf(1.0).equals(result.getValue());
        if (scoredCorrect != labelledCorrect) {
          disagreements.add(
              groupId
                  + "/"
                  + generation.path("sample_id").asText()
                  + " gold="
                  + gold
                  + " labelled="
                  + labelledCorrect
                  + " status="
                  + result.getStatus()
                  + " detail="
                  + result.getDetail());
        }
      }
    }
    double agreement = total == 0 ? 0.0 : 1.0 - (double) disagreements.size() / total;
    System.out.printf(
        "GSM8K generations: verifier agrees with dataset labels on %d/%d (%.2f%%)%n",
        total - disagreements.size(), total, 100 * agreement);

    assertThat(total).as("GSM8K generations in groups.jsonl").isEqualTo(800);
    assertThat(head(disagreements)).as("generations scored against their label").isEmpty();
  }

  @Test
  void shouldScoreEveryGsm8kReferenceSolutionCorrectAgainstItsOwnAnswer() {
    List<JsonNode> rows = TestDataFiles.jsonLines("gsm8k/test.jsonl");
    List<String> failures = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      String solution = rows.get(row).path("answer").asText();
      String ownAnswer = solution.substring(solution.lastIndexOf("####") + "####".length()).strip();
      RewardComponent result = verifier.verify(solution, ownAnswer);
      if (!Double.valueOf(1.0).equals(result.getValue())) {
        failures.add(
            "row "
                + row
                + " answer="
                + ownAnswer
                + " status="
                + result.getStatus()
                + " detail="
                + result.getDetail());
      }
    }
    System.out.printf(
        "GSM8K reference solutions: %d/%d verify against their own answer%n",
        rows.size() - failures.size(), rows.size());

    assertThat(rows).as("rows in gsm8k/test.jsonl").isNotEmpty();
    assertThat(failures).as("reference solutions not scored 1.0").isEmpty();
  }

  /**
   * MATH answers are often symbolic, so this verifier scores only the numeric ones: a non-numeric
   * gold (listed here, not decided by the parser under test) must be UNSCORABLE, nothing may error,
   * and every scored generation must agree with its label.
   */
  @Test
  void shouldScoreMathGenerationsOnlyWhenTheGoldIsNumeric() {
    List<JsonNode> groups = TestDataFiles.jsonLines("generations/groups.jsonl");
    int scored = 0;
    int agreeing = 0;
    int unscorable = 0;
    for (JsonNode group : groups) {
      if (group.path("group_id").asText().startsWith("gsm8k")) {
        continue;
      }
      String gold = group.path("gold_answer").asText();
      boolean goldIsNumeric = !NON_NUMERIC_MATH_GOLDS.contains(gold);
      for (JsonNode generation : group.path("generations")) {
        RewardComponent result = verifier.verify(generation.path("text").asText(), gold);
        assertThat(result.getStatus())
            .as("status for gold %s", gold)
            .isEqualTo(goldIsNumeric ? RewardStatus.OK : RewardStatus.UNSCORABLE);
        if (goldIsNumeric) {
          scored++;
          boolean scoredCorrect = Double.valueOf(1.0).equals(result.getValue());
          agreeing += scoredCorrect == generation.path("correct").asBoolean() ? 1 : 0;
        } else {
          unscorable++;
        }
      }
    }
    System.out.printf(
        "MATH generations: %d scored (agreeing with labels on %d), %d unscorable%n",
        scored, agreeing, unscorable);
    assertThat(scored).isEqualTo(384);
    assertThat(unscorable).isEqualTo(16);
    assertThat(agreeing).as("scored MATH generations agreeing with their label").isEqualTo(scored);
  }

  private static List<String> head(List<String> items) {
    return items.size() <= MAX_LISTED_DISAGREEMENTS
        ? items
        : items.subList(0, MAX_LISTED_DISAGREEMENTS);
  }
}
