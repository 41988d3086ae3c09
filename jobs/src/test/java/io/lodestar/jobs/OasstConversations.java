package io.lodestar.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RaterKind;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Turns OpenAssistant conversation trees into Lodestar records: every assistant reply is a
 * generation whose prompt is the conversation up to its parent (siblings share the parent as prompt
 * and group); the human ranking of sibling replies becomes one RATING per ranked reply ({@code
 * maxRank - rank} on {@code [0, maxRank]}), and every {@code +1} / {@code -1} emoji one THUMB.
 * Emoji on prompter messages are kept as thumbs too: they name no generation, so the pipeline must
 * route them as unmatched. Other emoji ({@code red_flag}, {@code _skip_*}) are not preferences.
 */
final class OasstConversations {

  static final long T0 = 1_767_225_600_000L;

  /** What the converter produced, with the expectations a test checks the pipeline against. */
  static final class Converted {
    final List<Generation> generations = new ArrayList<>();
    final List<Feedback> feedback = new ArrayList<>();

    /** Ranked sibling groups: parent id to reply ids with their rank. */
    final Map<String, Map<String, Integer>> rankings = new LinkedHashMap<>();

    /** Assistant replies with thumbs: id to [ups, downs], and their prompt. */
    final Map<String, int[]> thumbs = new LinkedHashMap<>();

    final Map<String, String> promptOf = new LinkedHashMap<>();
    final List<String> thumbIdsOnPrompterMessages = new ArrayList<>();
    final Map<String, List<String>> thumbIdsByGeneration = new LinkedHashMap<>();
  }

  private final ObjectMapper mapper = new ObjectMapper();
  private final Converted out = new Converted();
  private long clock = T0;

  static Converted read(Path treesFile) throws IOException {
    OasstConversations converter = new OasstConversations();
    for (String line : Files.readAllLines(treesFile)) {
      if (!line.isBlank()) {
        JsonNode tree = converter.mapper.readTree(line);
        converter.walk(tree.path("prompt"), new ArrayList<>());
      }
    }
    return converter.out;
  }

  private void walk(JsonNode message, List<ChatMessage> before) {
    String id = message.path("message_id").asText();
    boolean assistant = "assistant".equals(message.path("role").asText());
    thumbs(message, id, assistant);
    List<ChatMessage> conversation = new ArrayList<>(before);
    conversation.add(
        new ChatMessage(assistant ? "assistant" : "user", message.path("text").asText()));

    JsonNode replies = message.path("replies");
    List<JsonNode> assistantReplies = new ArrayList<>();
    replies.forEach(
        r -> {
          if ("assistant".equals(r.path("role").asText())) {
            assistantReplies.add(r);
          }
        });
    int maxRank = -1;
    for (JsonNode r : assistantReplies) {
      if (r.hasNonNull("rank")) {
        maxRank = Math.max(maxRank, r.path("rank").asInt());
      }
    }
    for (int i = 0; i < assistantReplies.size(); i++) {
      JsonNode r = assistantReplies.get(i);
      String replyId = r.path("message_id").asText();
      out.generations.add(
          Generation.newBuilder()
              .setGenerationId(replyId)
              .setPromptId(id)
              .setGroupId(id)
              .setExpectedGroupSize(assistantReplies.size())
              .setSampleIndex(i)
              .setPrompt(conversation)
              .setResponse(r.path("text").asText())
              .setTask(
                  TaskMetadata.newBuilder().setDataSource("oasst").setKind(TaskKind.CHAT).build())
              .setPolicy(
                  Policy.newBuilder()
                      .setModelId(r.path("model_name").asText("oasst-human"))
                      .setPolicyVersion(0)
                      .build())
              .setCreatedAtMs(clock++)
              .setConsentToTrain(true)
              .build());
      out.promptOf.put(replyId, id);
      if (r.hasNonNull("rank")) {
        int rank = r.path("rank").asInt();
        out.rankings.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(replyId, rank);
        out.feedback.add(
            Feedback.newBuilder()
                .setFeedbackId("rank:" + replyId)
                .setGenerationId(replyId)
                .setKind(FeedbackKind.RATING)
                .setRating((double) (maxRank - rank))
                .setRatingMin(0.0)
                .setRatingMax((double) Math.max(maxRank, 1))
                .setRaterKind(RaterKind.ANNOTATOR)
                .setCreatedAtMs(T0 + 60_000)
                .build());
      }
    }
    replies.forEach(r -> walk(r, conversation));
  }

  private void thumbs(JsonNode message, String id, boolean assistant) {
    JsonNode emojis = message.path("emojis");
    int ups = emojis.path("+1").asInt(0);
    int downs = emojis.path("-1").asInt(0);
    for (int k = 0; k < ups + downs; k++) {
      boolean up = k < ups;
      String feedbackId = (up ? "up:" : "down:") + id + ":" + k;
      out.feedback.add(
          Feedback.newBuilder()
              .setFeedbackId(feedbackId)
              .setGenerationId(id)
              .setKind(FeedbackKind.THUMB)
              .setThumbUp(up)
              .setRaterKind(RaterKind.USER)
              .setCreatedAtMs(T0 + 60_000)
              .build());
      if (assistant) {
        out.thumbIdsByGeneration.computeIfAbsent(id, x -> new ArrayList<>()).add(feedbackId);
      } else {
        out.thumbIdsOnPrompterMessages.add(feedbackId);
      }
    }
    if (assistant && ups + downs > 0) {
      out.thumbs.put(id, new int[] {ups, downs});
    }
  }

  static <T extends SpecificRecordBase> void write(List<T> records, Path file) throws IOException {
    try (BufferedWriter writer = Files.newBufferedWriter(file)) {
      for (T r : records) {
        writer.write(PlainJson.toJsonString(r));
        writer.newLine();
      }
    }
  }
}
