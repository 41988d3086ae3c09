package io.lodestar.operators.preference;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.export.KtoExample;
import io.lodestar.schema.export.OpenAiDpoExample;
import io.lodestar.schema.export.OpenAiDpoInput;
import io.lodestar.schema.export.OpenAiDpoMetadata;
import io.lodestar.schema.export.OpenRlhfPreference;
import io.lodestar.schema.export.TrlPreference;
import io.lodestar.schema.export.TrlPreferenceText;
import java.util.ArrayList;
import java.util.List;

/**
 * Pairs and unpaired examples as rows of the files preference trainers read (columns in {@code
 * docs/exports.md}). The training keys hold only the conversation; provenance goes in extra
 * snake_case columns (TRL, KTO, OpenRLHF) or one nested {@code metadata} object (OpenAI). Every
 * list is a fresh copy, so a row never shares state with its input. Pure, no Flink types.
 */
public final class PreferenceSamples {

  static final String ASSISTANT = "assistant";

  /** Ends a multi-message plain-text prompt, so prompt + response reads as one transcript. */
  static final String ASSISTANT_CUE = ASSISTANT + ": ";

  private PreferenceSamples() {}

  /**
   * TRL conversational preference: {@code prompt}, {@code chosen}, {@code rejected} as message
   * lists.
   */
  public static TrlPreference trlConversational(PreferencePair p) {
    Provenance prov = p.getProvenance();
    return TrlPreference.newBuilder()
        .setPrompt(messages(p.getPrompt()))
        .setChosen(reply(p.getChosen()))
        .setRejected(reply(p.getRejected()))
        .setPairId(p.getPairId())
        .setPromptId(p.getPromptId())
        .setSource(p.getSource().name())
        .setConfidence(p.getConfidence())
        .setPairMargin(p.getMargin())
        .setChosenGenerationId(p.getChosenGenerationId())
        .setRejectedGenerationId(p.getRejectedGenerationId())
        .setGenerationIds(new ArrayList<>(prov.getGenerationIds()))
        .setFeedbackIds(new ArrayList<>(prov.getFeedbackIds()))
        .setModelIds(new ArrayList<>(prov.getModelIds()))
        .setPolicyVersions(new ArrayList<>(prov.getPolicyVersions()))
        .setPipelineVersion(prov.getPipelineVersion())
        .setCreatedAtMs(p.getCreatedAtMs())
        .build();
  }

  /**
   * TRL standard preference: the same pair as plain strings, the prompt rendered by {@link
   * #promptText}.
   */
  public static TrlPreferenceText trlStandard(PreferencePair p) {
    Provenance prov = p.getProvenance();
    return TrlPreferenceText.newBuilder()
        .setPrompt(promptText(p.getPrompt()))
        .setChosen(p.getChosen())
        .setRejected(p.getRejected())
        .setPairId(p.getPairId())
        .setPromptId(p.getPromptId())
        .setSource(p.getSource().name())
        .setConfidence(p.getConfidence())
        .setPairMargin(p.getMargin())
        .setChosenGenerationId(p.getChosenGenerationId())
        .setRejectedGenerationId(p.getRejectedGenerationId())
        .setGenerationIds(new ArrayList<>(prov.getGenerationIds()))
        .setFeedbackIds(new ArrayList<>(prov.getFeedbackIds()))
        .setModelIds(new ArrayList<>(prov.getModelIds()))
        .setPolicyVersions(new ArrayList<>(prov.getPolicyVersions()))
        .setPipelineVersion(prov.getPipelineVersion())
        .setCreatedAtMs(p.getCreatedAtMs())
        .build();
  }

  /**
   * TRL conversational unpaired preference (KTO): {@code prompt}, {@code completion}, {@code
   * label}.
   */
  public static KtoExample kto(UnpairedExample u) {
    Provenance prov = u.getProvenance();
    return KtoExample.newBuilder()
        .setPrompt(messages(u.getPrompt()))
        .setCompletion(reply(u.getCompletion()))
        .setLabel(u.getLabel())
        .setExampleId(u.getExampleId())
        .setPromptId(u.getPromptId())
        .setSource(u.getSource().name())
        .setConfidence(u.getConfidence())
        .setGenerationId(u.getGenerationId())
        .setGenerationIds(new ArrayList<>(prov.getGenerationIds()))
        .setFeedbackIds(new ArrayList<>(prov.getFeedbackIds()))
        .setModelIds(new ArrayList<>(prov.getModelIds()))
        .setPolicyVersions(new ArrayList<>(prov.getPolicyVersions()))
        .setPipelineVersion(prov.getPipelineVersion())
        .setCreatedAtMs(u.getCreatedAtMs())
        .build();
  }

  /**
   * OpenRLHF preference rows for {@code --apply_chat_template}: message lists, which OpenRLHF
   * concatenates (prompt + chosen) before templating, and the margin, null when the pair has none.
   */
  public static OpenRlhfPreference openRlhf(PreferencePair p) {
    Provenance prov = p.getProvenance();
    return OpenRlhfPreference.newBuilder()
        .setPrompt(messages(p.getPrompt()))
        .setChosen(reply(p.getChosen()))
        .setRejected(reply(p.getRejected()))
        .setMargin(p.getMargin())
        .setPairId(p.getPairId())
        .setPromptId(p.getPromptId())
        .setSource(p.getSource().name())
        .setConfidence(p.getConfidence())
        .setChosenGenerationId(p.getChosenGenerationId())
        .setRejectedGenerationId(p.getRejectedGenerationId())
        .setGenerationIds(new ArrayList<>(prov.getGenerationIds()))
        .setFeedbackIds(new ArrayList<>(prov.getFeedbackIds()))
        .setModelIds(new ArrayList<>(prov.getModelIds()))
        .setPolicyVersions(new ArrayList<>(prov.getPolicyVersions()))
        .setPipelineVersion(prov.getPipelineVersion())
        .setCreatedAtMs(p.getCreatedAtMs())
        .build();
  }

  /**
   * OpenAI-style preference fine-tuning: {@code input.messages}, {@code preferred_output}, {@code
   * non_preferred_output}, and provenance in one nested {@code metadata} object.
   */
  public static OpenAiDpoExample openAiDpo(PreferencePair p) {
    Provenance prov = p.getProvenance();
    return OpenAiDpoExample.newBuilder()
        .setInput(OpenAiDpoInput.newBuilder().setMessages(messages(p.getPrompt())).build())
        .setPreferredOutput(reply(p.getChosen()))
        .setNonPreferredOutput(reply(p.getRejected()))
        .setMetadata(
            OpenAiDpoMetadata.newBuilder()
                .setPairId(p.getPairId())
                .setPromptId(p.getPromptId())
                .setSource(p.getSource().name())
                .setConfidence(p.getConfidence())
                .setMargin(p.getMargin())
                .setChosenGenerationId(p.getChosenGenerationId())
                .setRejectedGenerationId(p.getRejectedGenerationId())
                .setGenerationIds(new ArrayList<>(prov.getGenerationIds()))
                .setFeedbackIds(new ArrayList<>(prov.getFeedbackIds()))
                .setModelIds(new ArrayList<>(prov.getModelIds()))
                .setPolicyVersions(new ArrayList<>(prov.getPolicyVersions()))
                .setPipelineVersion(prov.getPipelineVersion())
                .setCreatedAtMs(p.getCreatedAtMs())
                .build())
        .build();
  }

  /**
   * The prompt as plain text. A prompt that is one user message is its content, unchanged. Any
   * other prompt (a system message, several turns) is {@code role: content} blocks separated by a
   * blank line, followed by a blank line and {@code "assistant: "}, so the response continues the
   * transcript. No chat template is applied.
   */
  public static String promptText(List<ChatMessage> prompt) {
    if (prompt.size() == 1 && "user".equals(prompt.get(0).getRole())) {
      return prompt.get(0).getContent();
    }
    StringBuilder text = new StringBuilder();
    for (ChatMessage m : prompt) {
      text.append(m.getRole()).append(": ").append(m.getContent()).append("\n\n");
    }
    return text.append(ASSISTANT_CUE).toString();
  }

  private static List<ChatMessage> messages(List<ChatMessage> prompt) {
    List<ChatMessage> copy = new ArrayList<>(prompt.size());
    for (ChatMessage m : prompt) {
      copy.add(new ChatMessage(m.getRole(), m.getContent()));
    }
    return copy;
  }

  private static List<ChatMessage> reply(String text) {
    List<ChatMessage> reply = new ArrayList<>(1);
    reply.add(new ChatMessage(ASSISTANT, text));
    return reply;
  }
}
