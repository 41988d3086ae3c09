package io.lodestar.operators.verify.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.verify.format.RegexMatchVerifier.DeadlineCharSequence;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Input limits of the match verifiers at their exact edges, and what their details say. */
class MatchLimitsTest {

  private static RegexMatchVerifier regex(String pattern, int maxInputChars) {
    return new RegexMatchVerifier(
        Pattern.compile(pattern),
        RegexMatchVerifier.MatchMode.FULL,
        maxInputChars,
        Duration.ofMinutes(1));
  }

  @Test
  void aResponseExactlyAtTheRegexLengthLimitIsStillMatched() {
    assertThat(regex("[a-f]+", 5).verify("abcde").getValue()).isEqualTo(1.0);
    assertThat(regex("[a-f]+", 5).verify("abcdef").getDetail()).contains("over 5 chars");
  }

  @Test
  void regexLimitsMustBePositive() {
    assertThatThrownBy(() -> regex("a", 0)).hasMessageContaining("positive");
    assertThatThrownBy(
            () ->
                new RegexMatchVerifier(
                    Pattern.compile("a"), RegexMatchVerifier.MatchMode.FIND, 5, Duration.ZERO))
        .hasMessageContaining("positive");
  }

  @Test
  void theRegexDetailSaysWhetherItMatched() {
    assertThat(regex("a+", 100).verify("aaa").getDetail()).isEqualTo("match");
    assertThat(regex("a+", 100).verify("aab").getDetail()).isEqualTo("no match");
  }

  @Test
  void aLongInputWithinTheDeadlineIsMatchedToTheEnd() {
    // Well over one clock check (every 4,096 reads); the deadline is a minute away.
    assertThat(regex("a+", 50_000).verify("a".repeat(40_000)).getValue()).isEqualTo(1.0);
  }

  @Test
  void anExpiredDeadlineStopsReadingAtTheNextClockCheckAndNotBefore() {
    DeadlineCharSequence expired =
        new DeadlineCharSequence("x".repeat(10_000), System.nanoTime() - 1);

    for (int i = 0; i < 4_095; i++) {
      assertThat(expired.charAt(i)).isEqualTo('x');
    }
    assertThatThrownBy(() -> expired.charAt(4_095))
        .isInstanceOf(DeadlineCharSequence.DeadlineExceeded.class);
  }

  @Test
  void aPartOfTheInputKeepsItsDeadline() {
    DeadlineCharSequence expired =
        new DeadlineCharSequence("abc" + "x".repeat(10_000), System.nanoTime() - 1);
    CharSequence tail = expired.subSequence(3, 10_003);

    assertThat(tail.toString()).isEqualTo("x".repeat(10_000));
    assertThat(tail.length()).isEqualTo(10_000);
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < tail.length(); i++) {
                tail.charAt(i);
              }
            })
        .isInstanceOf(DeadlineCharSequence.DeadlineExceeded.class);
  }

  @Test
  void aDeadlineInTheFutureNeverStopsReading() {
    DeadlineCharSequence open =
        new DeadlineCharSequence(
            "y".repeat(20_000), System.nanoTime() + Duration.ofMinutes(10).toNanos());

    for (int i = 0; i < 20_000; i++) {
      assertThat(open.charAt(i)).isEqualTo('y');
    }
  }

  @Test
  void aJsonResponseExactlyAtTheLengthLimitIsStillParsed() {
    JsonSchemaVerifier sevenChars = new JsonSchemaVerifier(null, 7);

    assertThat(sevenChars.verify("{\"a\":1}").getValue()).isEqualTo(1.0);
    assertThat(sevenChars.verify("{\"a\": 1}").getDetail()).contains("over 7 chars");
    assertThatThrownBy(() -> new JsonSchemaVerifier(null, 0)).hasMessageContaining("positive");
  }

  @Test
  void jsonFailuresSayWhatWasWrong() {
    JsonSchemaVerifier needsAnswer =
        new JsonSchemaVerifier("{\"type\": \"object\", \"required\": [\"answer\"]}");

    assertThat(needsAnswer.verify("{\"other\": 1}").getDetail())
        .startsWith("1 schema error(s): ")
        .contains("answer");
    assertThat(needsAnswer.verify("{\"answer\": ").getDetail())
        .startsWith("invalid JSON: ")
        .hasSizeGreaterThan("invalid JSON: ".length());
    // A fence labelled as another language is read as it stands, so it is invalid JSON, not an open
    // fence.
    assertThat(needsAnswer.verify("```python\n{\"answer\": 1}\n```").getDetail())
        .startsWith("invalid JSON");
    assertThat(needsAnswer.verify("```json\n{\"answer\": 1}").getDetail())
        .isEqualTo("unterminated code fence");
  }

  @Test
  void exactMatchSaysWhetherItMatchedAndCollapsesWhitespaceToSingleSpaces() {
    ExactMatchVerifier normalised = ExactMatchVerifier.normalised();

    assertThat(normalised.normalise("  A \t B\n\nc  ")).isEqualTo("a b c");
    assertThat(normalised.verify("Paris", "paris").getDetail()).isEqualTo("match");
    assertThat(normalised.verify("Rome", "paris").getDetail()).isEqualTo("no match");
  }
}
