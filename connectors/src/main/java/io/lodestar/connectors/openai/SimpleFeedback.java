package io.lodestar.connectors.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodeErrors;
import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.VoteOutcome;
import java.util.List;
import java.util.Locale;

/**
 * A plain JSON form of feedback for apps that log OpenAI chat traffic: the generation is named by
 * the response id and choice index it came from (or by its generation id), with a kind, a value,
 * the hashed user and the time. It maps to Lodestar's {@link Feedback}, which is then validated as
 * any feedback is. The form is specified in {@code docs/inputs.md}.
 *
 * <pre>
 * {"response_id": "chatcmpl-1", "choice_index": 2, "kind": "thumb", "value": "up",
 *  "user_id_hash": "9f2c...", "created_at_ms": 1767225600000}
 * </pre>
 *
 * Without {@code feedback_id}, the id is derived from the content (kind, generations, value, user,
 * time), so a re-sent event keeps its id and de-duplication drops it. Stateless: safe to share.
 */
public final class SimpleFeedback implements InputFormat<Feedback> {

  private static final long serialVersionUID = 1L;

  private static final String KINDS = "thumb, rating, vote, edit, regenerate, copy, accept";
  private static final String OUTCOMES = "A, B, TIE, BOTH_BAD";

  @Override
  public DecodedMessage<Feedback> decode(byte[] message) {
    ObjectNode record;
    try {
      record = Json.parseObject(message);
    } catch (Refusal r) {
      return DecodedMessage.failure(r.kind(), r.getMessage(), null);
    }
    return map(record);
  }

  /** The feedback one record holds, or why it cannot be used. Never throws for any input. */
  public static DecodedMessage<Feedback> map(JsonNode record) {
    String id = null;
    try {
      id = Json.text(record, "feedback_id", "feedback_id");
      Feedback feedback = feedback(record, id);
      return DecodedMessage.ok(List.of(feedback));
    } catch (Refusal r) {
      return DecodedMessage.failure(r.kind(), r.getMessage(), id);
    } catch (RuntimeException | StackOverflowError e) {
      return DecodedMessage.failure(
          DecodeErrors.MALFORMED, "record cannot be mapped: " + e.getClass().getSimpleName(), id);
    }
  }

  private static Feedback feedback(JsonNode record, String givenId) {
    String generationId = generation(record, "generation_id", "response_id", "choice_index", true);
    String otherGenerationId =
        generation(record, "other_generation_id", "other_response_id", "other_choice_index", false);
    String kindText = Json.text(record, "kind", "kind");
    if (kindText == null) {
      throw Refusal.invalid("kind is missing; it is one of " + KINDS);
    }
    FeedbackKind kind = kind(kindText);
    Long createdAtMs = Json.whole(record, "created_at_ms", "created_at_ms");
    if (createdAtMs == null) {
      throw Refusal.invalid("created_at_ms is missing");
    }
    JsonNode value = record.get("value");
    Feedback.Builder out =
        Feedback.newBuilder()
            .setGenerationId(generationId)
            .setOtherGenerationId(otherGenerationId)
            .setKind(kind)
            .setRaterKind(raterKind(Json.text(record, "rater_kind", "rater_kind")))
            .setRaterIdHash(Json.text(record, "user_id_hash", "user_id_hash"))
            .setCreatedAtMs(createdAtMs)
            .setTenant(Json.text(record, "tenant", "tenant"))
            .setApp(Json.text(record, "app", "app"));
    switch (kind) {
      case THUMB:
        out.setThumbUp(thumb(value));
        break;
      case RATING:
        if (Json.absent(value) || !value.isNumber()) {
          throw Refusal.invalid("rating feedback needs a number as value");
        }
        out.setRating(value.doubleValue())
            .setRatingMin(Json.number(record, "rating_min", "rating_min"))
            .setRatingMax(Json.number(record, "rating_max", "rating_max"));
        break;
      case PAIRWISE:
        out.setOutcome(outcome(value));
        break;
      case EDIT:
        if (Json.absent(value) || !value.isTextual()) {
          throw Refusal.invalid("edit feedback needs the edited text as value");
        }
        out.setEditedText(value.textValue());
        break;
      default:
        // regenerate, copy and accept carry no value.
        break;
    }
    String id = givenId;
    if (id == null) {
      String content =
          String.join(
              "\0",
              kind.name(),
              generationId,
              otherGenerationId == null ? "" : otherGenerationId,
              Json.absent(value) ? "" : value.toString(),
              out.getRaterIdHash() == null ? "" : out.getRaterIdHash(),
              Long.toString(createdAtMs));
      id = "feedback-" + Json.sha256Hex(content, 16);
    }
    return out.setFeedbackId(id).build();
  }

  /** A generation named by its id, or by response id and choice index (0 when left out). */
  private static String generation(
      JsonNode record, String idField, String responseField, String indexField, boolean required) {
    String generationId = Json.text(record, idField, idField);
    String responseId = Json.text(record, responseField, responseField);
    Long index = Json.whole(record, indexField, indexField);
    if (generationId != null && (responseId != null || index != null)) {
      throw Refusal.invalid(
          "give " + idField + " or " + responseField + " with " + indexField + ", not both");
    }
    if (generationId != null) {
      return generationId;
    }
    if (responseId == null) {
      if (index != null) {
        throw Refusal.invalid(indexField + " needs " + responseField);
      }
      if (required) {
        throw Refusal.invalid(
            "neither " + idField + " nor " + responseField + " names the generation");
      }
      return null;
    }
    if (index != null && index < 0) {
      throw Refusal.invalid(indexField + " is negative");
    }
    // The id OpenAiChatRecords gives the choice's generation.
    return responseId + ":" + (index == null ? 0 : index);
  }

  private static FeedbackKind kind(String kind) {
    switch (kind.trim().toLowerCase(Locale.ROOT)) {
      case "thumb":
        return FeedbackKind.THUMB;
      case "rating":
        return FeedbackKind.RATING;
      case "vote":
      case "pairwise":
        return FeedbackKind.PAIRWISE;
      case "edit":
        return FeedbackKind.EDIT;
      case "regenerate":
        return FeedbackKind.REGENERATE;
      case "copy":
        return FeedbackKind.COPY;
      case "accept":
        return FeedbackKind.ACCEPT;
      default:
        throw Refusal.invalid("kind is not one of " + KINDS);
    }
  }

  private static boolean thumb(JsonNode value) {
    if (!Json.absent(value)) {
      if (value.isBoolean()) {
        return value.booleanValue();
      }
      if (value.isTextual()) {
        String text = value.textValue().trim().toLowerCase(Locale.ROOT);
        if (text.equals("up") || text.equals("down")) {
          return text.equals("up");
        }
      }
    }
    throw Refusal.invalid("thumb feedback needs value true, false, \"up\" or \"down\"");
  }

  private static VoteOutcome outcome(JsonNode value) {
    if (!Json.absent(value) && value.isTextual()) {
      try {
        return VoteOutcome.valueOf(value.textValue().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // Falls through to the refusal naming the outcomes.
      }
    }
    throw Refusal.invalid(
        "vote feedback needs value " + OUTCOMES + " (A: generation_id's side won)");
  }

  private static RaterKind raterKind(String kind) {
    if (kind == null) {
      return RaterKind.USER;
    }
    switch (kind.trim().toLowerCase(Locale.ROOT)) {
      case "user":
        return RaterKind.USER;
      case "annotator":
        return RaterKind.ANNOTATOR;
      case "judge":
        return RaterKind.JUDGE;
      default:
        throw Refusal.invalid("rater_kind is not one of user, annotator, judge");
    }
  }
}
