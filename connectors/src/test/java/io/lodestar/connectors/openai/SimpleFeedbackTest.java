package io.lodestar.connectors.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.VoteOutcome;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The plain feedback form: each kind, both ways of naming a generation, derived ids, refusals. */
class SimpleFeedbackTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static DecodedMessage<Feedback> read(String json) {
    return new SimpleFeedback().decode(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Feedback feedback(String json) {
    DecodedMessage<Feedback> read = read(json);
    assertThat(read.isOk()).as("%s", read).isTrue();
    return read.records().get(0);
  }

  @Test
  void aThumbOnAChoiceNamesTheGenerationTheChatMapperGaveItAndGetsAnIdFromItsContent() {
    Feedback f =
        feedback(
            "{\"response_id\": \"chatcmpl-n4-81be\", \"choice_index\": 2, \"kind\": \"thumb\", \"value\": \"up\","
                + " \"user_id_hash\": \"u-5d1e\", \"created_at_ms\": 1767225660000, \"app\": \"tutor\"}");

    assertThat(f.getGenerationId()).isEqualTo("chatcmpl-n4-81be:2");
    assertThat(f.getKind()).isEqualTo(FeedbackKind.THUMB);
    assertThat(f.getThumbUp()).isTrue();
    assertThat(f.getRaterIdHash()).isEqualTo("u-5d1e");
    assertThat(f.getRaterKind()).isEqualTo(RaterKind.USER);
    assertThat(f.getCreatedAtMs()).isEqualTo(1_767_225_660_000L);
    assertThat(f.getApp()).isEqualTo("tutor");
    // SHA-256 over kind, generation, other generation, value, user and time, NUL-separated
    // (hashlib).
    assertThat(f.getFeedbackId()).isEqualTo("feedback-cd5db5bef7704d249410bd5dfb19056a");
  }

  @Test
  void aResentEventKeepsItsIdAndAGivenIdIsKept() {
    String event =
        "{\"generation_id\": \"g-1\", \"kind\": \"thumb\", \"value\": false, \"created_at_ms\": 5}";

    assertThat(feedback(event).getFeedbackId()).isEqualTo(feedback(event).getFeedbackId());
    assertThat(feedback(event).getThumbUp()).isFalse();
    assertThat(
            feedback(
                    "{\"feedback_id\": \"fb-1\", \"generation_id\": \"g-1\", \"kind\": \"thumb\", \"value\": true,"
                        + " \"created_at_ms\": 5}")
                .getFeedbackId())
        .isEqualTo("fb-1");
  }

  @Test
  void aResponseIdWithoutChoiceIndexNamesItsFirstChoice() {
    assertThat(
            feedback("{\"response_id\": \"r\", \"kind\": \"copy\", \"created_at_ms\": 5}")
                .getGenerationId())
        .isEqualTo("r:0");
  }

  @Test
  void eachKindCarriesItsValue() {
    Feedback rating =
        feedback(
            "{\"generation_id\": \"g\", \"kind\": \"rating\", \"value\": 4, \"rating_min\": 1, \"rating_max\": 5,"
                + " \"created_at_ms\": 5}");
    Feedback vote =
        feedback(
            "{\"response_id\": \"r\", \"choice_index\": 0, \"other_response_id\": \"r\", \"other_choice_index\": 1,"
                + " \"kind\": \"vote\", \"value\": \"b\", \"rater_kind\": \"annotator\", \"created_at_ms\": 5}");
    Feedback edit =
        feedback(
            "{\"generation_id\": \"g\", \"kind\": \"edit\", \"value\": \"42.\", \"created_at_ms\": 5}");
    Feedback regenerate =
        feedback(
            "{\"generation_id\": \"g\", \"other_generation_id\": \"g2\", \"kind\": \"Regenerate\", \"created_at_ms\": 5}");

    assertThat(rating.getKind()).isEqualTo(FeedbackKind.RATING);
    assertThat(rating.getRating()).isEqualTo(4.0);
    assertThat(rating.getRatingMin()).isEqualTo(1.0);
    assertThat(rating.getRatingMax()).isEqualTo(5.0);
    assertThat(vote.getKind()).isEqualTo(FeedbackKind.PAIRWISE);
    assertThat(vote.getGenerationId()).isEqualTo("r:0");
    assertThat(vote.getOtherGenerationId()).isEqualTo("r:1");
    assertThat(vote.getOutcome()).isEqualTo(VoteOutcome.B);
    assertThat(vote.getRaterKind()).isEqualTo(RaterKind.ANNOTATOR);
    assertThat(edit.getEditedText()).isEqualTo("42.");
    assertThat(regenerate.getKind()).isEqualTo(FeedbackKind.REGENERATE);
    assertThat(regenerate.getOtherGenerationId()).isEqualTo("g2");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "{\"kind\": \"thumb\", \"value\": true, \"created_at_ms\": 5}",
            "INVALID",
            "neither generation_id nor response_id names the generation"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"response_id\": \"r\", \"kind\": \"copy\", \"created_at_ms\": 5}",
            "INVALID",
            "give generation_id or response_id with choice_index, not both"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"thumbs\", \"created_at_ms\": 5}",
            "INVALID",
            "kind is not one of thumb, rating, vote, edit, regenerate, copy, accept"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"thumb\", \"value\": \"meh\", \"created_at_ms\": 5}",
            "INVALID",
            "thumb feedback needs value true, false, \"up\" or \"down\""),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"rating\", \"value\": \"4\", \"created_at_ms\": 5}",
            "INVALID",
            "rating feedback needs a number as value"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"vote\", \"value\": \"left\", \"created_at_ms\": 5}",
            "INVALID",
            "vote feedback needs value A, B, TIE, BOTH_BAD (A: generation_id's side won)"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"edit\", \"created_at_ms\": 5}",
            "INVALID",
            "edit feedback needs the edited text as value"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"copy\"}",
            "INVALID",
            "created_at_ms is missing"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": \"copy\", \"created_at_ms\": \"soon\"}",
            "MALFORMED",
            "created_at_ms is not a whole number"),
        Arguments.of(
            "{\"generation_id\": \"g\", \"kind\": ",
            "MALFORMED",
            "not valid JSON at line 1, column 32"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void feedbackThatDoesNotSayWhatItIsAboutOrWhatItSaysIsRefused(
      String json, String kind, String reason) {
    DecodedMessage<Feedback> read = read(json);

    assertThat(read.isOk()).isFalse();
    assertThat(read.errorKind()).isEqualTo(kind);
    assertThat(read.reason()).isEqualTo(reason);
  }

  @Test
  void aRefusalNamesTheGivenFeedbackId() {
    assertThat(
            read("{\"feedback_id\": \"fb-3\", \"generation_id\": \"g\", \"kind\": \"nope\", \"created_at_ms\": 5}")
                .recordId())
        .isEqualTo("fb-3");
  }
}
