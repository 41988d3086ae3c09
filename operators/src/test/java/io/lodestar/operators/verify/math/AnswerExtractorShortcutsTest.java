package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The extractor and normaliser skip work where the answer cannot change: markers are found from the
 * end at their literal, boxes and the GSM8K marker only where their text occurs, and a plain
 * decimal is not normalised. Each shortcut must give exactly what the full scan gives.
 */
class AnswerExtractorShortcutsTest {

  private static final List<AnswerExtractor.Marker> MARKERS =
      List.of(AnswerExtractor.FINAL_ANSWER, AnswerExtractor.ANSWER_PHRASE);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "answer",
        "answer is",
        "The answer is 42.",
        "The answer is 3, so the final answer is 4.",
        "Final Answer: 5",
        "FINAL   ANSWER is 7 and then final answer: 8",
        "finalanswer is 2",
        "banswer is 5",
        "The answer** : 9",
        "**Answer**: 12 then the ANSWER**:13",
        "answer is 1 answer is 2 answer",
        "the ANSWER\tIS\n\n 6",
        "an\u017fwer is 4 and the answer is 5",
        "\u212Aey: the final answer is 10",
        "final answer isfinal answer is 3",
        "xanswer is 1, answer: 2"
      })
  void markersEndWhereTheLastRegexMatchEnds(String text) {
    for (AnswerExtractor.Marker marker : MARKERS) {
      assertThat(AnswerExtractor.lastMarkerEnd(text, marker))
          .as(marker.literal())
          .isEqualTo(forwardScanEnd(text, marker));
    }
  }

  @Test
  void markersEndWhereTheLastRegexMatchEndsOnRealGenerations() {
    List<String> texts = new ArrayList<>();
    for (JsonNode group : TestDataFiles.jsonLines("generations/groups.jsonl")) {
      for (JsonNode generation : group.path("generations")) {
        texts.add(generation.path("text").asText());
      }
    }
    assertThat(texts).hasSizeGreaterThan(1000);
    for (String text : texts) {
      for (AnswerExtractor.Marker marker : MARKERS) {
        assertThat(AnswerExtractor.lastMarkerEnd(text, marker))
            .isEqualTo(forwardScanEnd(text, marker));
      }
    }
  }

  @Test
  void theGsm8kMarkerAndBoxesAreFoundWhereverTheyStart() {
    assertThat(new MathVerifier().extract("Work...\n####### 5")).contains("5");
    assertThat(new MathVerifier().extract("#### 72")).contains("72");
    assertThat(new MathVerifier().extract("so \\fbox{3}")).contains("3");
    assertThat(new MathVerifier().extract("\\boxed{1} and \\boxed {2}")).contains("\\{1, 2\\}");
    assertThat(AnswerExtractor.boxed("no box here, 7")).isEmpty();
  }

  @Test
  void thePlainDecimalTestAgreesWithTheSignedDecimalPattern() {
    Random random = new Random(11);
    String alphabet = "0123456789+-.,  a%";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(7);
      for (int j = 0; j < length; j++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = s.toString();
      assertThat(LatexNormaliser.isPlainDecimal(text))
          .as("'%s'", text)
          .isEqualTo(LatexNormaliser.SIGNED_DECIMAL.matcher(text).matches());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "-3.5", "+7", "0.125", "1000000"})
  void aPlainDecimalIsItsOwnNormalForm(String answer) {
    assertThat(LatexNormaliser.normalise(answer)).isEqualTo(answer);
  }

  private static int forwardScanEnd(String text, AnswerExtractor.Marker marker) {
    Matcher m = marker.pattern().matcher(text);
    int end = -1;
    while (m.find()) {
      end = m.end();
    }
    return end;
  }
}
