package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the verifier against real public data in the repository's {@code testdata/} (sources in
 * its README).
 */
class NumericAnswerVerifierRealDataTest {

  private static final double REQUIRED_GSM8K_AGREEMENT = 0.99;
  private static final int MAX_LISTED_DISAGREEMENTS = 50;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final NumericAnswerVerifier verifier = new NumericAnswerVerifier();

  @Test
  void shouldAgreeWithTheDatasetLabelsOfRealGsm8kGenerations() {
    List<JsonNode> groups = SharedTestData.jsonLines("generations/groups.jsonl");
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
          disagreements.add(groupId + "/" + generation.path("sample_id").asText()
              + " gold=" + gold + " labelled=" + labelledCorrect
              + " status=" + result.getStatus() + " detail=" + result.getDetail());
        }
      }
    }
    double agreement = total == 0 ? 0.0 : 1.0 - (double) disagreements.size() / total;
    System.out.printf("GSM8K generations: verifier agrees with dataset labels on %d/%d (%.2f%%)%n",
        total - disagreements.size(), total, 100 * agreement);

    assertThat(total).as("GSM8K generations in groups.jsonl").isPositive();
    assertThat(agreement)
        .as("agreement %d/%d; disagreements:%n%s", total - disagreements.size(), total,
            String.join(System.lineSeparator(), head(disagreements)))
        .isGreaterThanOrEqualTo(REQUIRED_GSM8K_AGREEMENT);
  }

  @Test
  void shouldScoreEveryGsm8kReferenceSolutionCorrectAgainstItsOwnAnswer() {
    List<JsonNode> rows = SharedTestData.jsonLines("gsm8k/test.jsonl");
    List<String> failures = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      String solution = rows.get(row).path("answer").asText();
      String ownAnswer = solution.substring(solution.lastIndexOf("####") + "####".length()).strip();
      RewardComponent result = verifier.verify(solution, ownAnswer);
      if (!Double.valueOf(1.0).equals(result.getValue())) {
        failures.add("row " + row + " answer=" + ownAnswer + " status=" + result.getStatus()
            + " detail=" + result.getDetail());
      }
    }
    System.out.printf("GSM8K reference solutions: %d/%d verify against their own answer%n",
        rows.size() - failures.size(), rows.size());

    assertThat(rows).as("rows in gsm8k/test.jsonl").isNotEmpty();
    assertThat(failures).as("reference solutions not scored 1.0").isEmpty();
  }

  /**
   * MATH answers are often symbolic, so this verifier scores only the numeric ones: a non-numeric
   * gold must be UNSCORABLE, nothing may error, and on numeric golds the agreement guards against
   * regressions (it is 100% today; the bar leaves room for deliberate rule changes).
   */
  @Test
  void shouldScoreMathGenerationsOnlyWhenTheGoldIsNumeric() {
    List<JsonNode> groups = SharedTestData.jsonLines("generations/groups.jsonl");
    int scored = 0;
    int agreeing = 0;
    int unscorable = 0;
    for (JsonNode group : groups) {
      if (group.path("group_id").asText().startsWith("gsm8k")) {
        continue;
      }
      String gold = group.path("gold_answer").asText();
      boolean goldIsNumeric = NumericAnswerVerifier.parseNumber(gold).isPresent();
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
    System.out.printf("MATH generations: %d scored (agreeing with labels on %d), %d unscorable%n",
        scored, agreeing, unscorable);
    assertThat(scored).isPositive();
    assertThat((double) agreeing / scored).as("agreement on numeric MATH golds").isGreaterThanOrEqualTo(0.95);
  }

  private static List<String> head(List<String> items) {
    return items.size() <= MAX_LISTED_DISAGREEMENTS ? items : items.subList(0, MAX_LISTED_DISAGREEMENTS);
  }
}
