package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.export.KtoExample;
import io.lodestar.schema.export.OpenAiDpoExample;
import io.lodestar.schema.export.OpenRlhfPreference;
import io.lodestar.schema.export.TrlPreference;
import io.lodestar.schema.export.TrlPreferenceText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class PreferenceSamplesTest {

  private static final List<ChatMessage> PROMPT =
      List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "What is 6 * 7?"));

  private static PreferencePair pair(Double margin, String chosenGenerationId) {
    return PreferencePair.newBuilder()
        .setPairId("pair-1")
        .setPromptId("prompt-1")
        .setPrompt(new ArrayList<>(PROMPT))
        .setChosen("42")
        .setRejected("41")
        .setChosenGenerationId(chosenGenerationId)
        .setRejectedGenerationId("g-2")
        .setMargin(margin)
        .setSource(PairSource.RATING)
        .setConfidence(0.8)
        .setProvenance(
            Provenance.newBuilder()
                .setGenerationIds(List.of("g-1", "g-2"))
                .setFeedbackIds(List.of("f-1", "f-2"))
                .setModelIds(List.of("m-a", "m-b"))
                .setPolicyVersions(List.of(3L, 4L))
                .setPipelineVersion("v1")
                .build())
        .setCreatedAtMs(99L)
        .build();
  }

  private static UnpairedExample unpaired(boolean label) {
    return UnpairedExample.newBuilder()
        .setExampleId("example-1")
        .setPromptId("prompt-1")
        .setPrompt(new ArrayList<>(PROMPT))
        .setCompletion("41")
        .setLabel(label)
        .setGenerationId("g-2")
        .setSource(PairSource.THUMBS)
        .setConfidence(0.4)
        .setProvenance(
            Provenance.newBuilder()
                .setGenerationIds(List.of("g-2"))
                .setFeedbackIds(List.of("t-1"))
                .setModelIds(List.of("m-b"))
                .setPolicyVersions(List.of(4L))
                .setPipelineVersion("v1")
                .build())
        .setCreatedAtMs(7L)
        .build();
  }

  @Test
  void trlConversationalKeepsThePromptAndWrapsEachResponseAsOneAssistantMessage() {
    TrlPreference row = PreferenceSamples.trlConversational(pair(0.5, "g-1"));

    assertThat(row.getPrompt()).isEqualTo(PROMPT);
    assertThat(row.getChosen()).containsExactly(new ChatMessage("assistant", "42"));
    assertThat(row.getRejected()).containsExactly(new ChatMessage("assistant", "41"));
  }

  @Test
  void trlRowsCarryProvenanceInTopLevelColumnsAndTheMarginUnderANameRewardTrainerDoesNotRead() {
    TrlPreference row = PreferenceSamples.trlConversational(pair(0.5, "g-1"));

    assertThat(row.getPairId()).isEqualTo("pair-1");
    assertThat(row.getPromptId()).isEqualTo("prompt-1");
    assertThat(row.getSource()).isEqualTo("RATING");
    assertThat(row.getConfidence()).isEqualTo(0.8);
    assertThat(row.getPairMargin()).isEqualTo(0.5);
    assertThat(row.getChosenGenerationId()).isEqualTo("g-1");
    assertThat(row.getRejectedGenerationId()).isEqualTo("g-2");
    assertThat(row.getGenerationIds()).containsExactly("g-1", "g-2");
    assertThat(row.getFeedbackIds()).containsExactly("f-1", "f-2");
    assertThat(row.getModelIds()).containsExactly("m-a", "m-b");
    assertThat(row.getPolicyVersions()).containsExactly(3L, 4L);
    assertThat(row.getPipelineVersion()).isEqualTo("v1");
    assertThat(row.getCreatedAtMs()).isEqualTo(99L);
    for (Schema schema :
        List.of(TrlPreference.getClassSchema(), TrlPreferenceText.getClassSchema())) {
      assertThat(schema.getFields())
          .extracting(Schema.Field::name)
          .doesNotContain("margin", "metadata");
    }
  }

  @Test
  void trainingKeysHoldOnlyRolesAndContents() {
    PreferencePair p = pair(0.5, "g-1");
    List<ObjectNode> rows =
        List.of(
            PlainJson.toJson(PreferenceSamples.trlConversational(p)),
            PlainJson.toJson(PreferenceSamples.openRlhf(p)),
            PlainJson.toJson(PreferenceSamples.kto(unpaired(true))));
    for (ObjectNode row : rows) {
      for (String key : List.of("prompt", "chosen", "rejected", "completion")) {
        if (row.has(key)) {
          assertMessagesOnly(row.get(key));
        }
      }
    }
    ObjectNode openAi = PlainJson.toJson(PreferenceSamples.openAiDpo(p));
    assertThat(fieldNames(openAi.get("input"))).containsExactly("messages");
    assertMessagesOnly(openAi.get("input").get("messages"));
    assertMessagesOnly(openAi.get("preferred_output"));
    assertMessagesOnly(openAi.get("non_preferred_output"));
  }

  @Test
  void trlStandardRendersAConversationAsRoleBlocksEndingWithAnAssistantCue() {
    TrlPreferenceText row = PreferenceSamples.trlStandard(pair(null, "g-1"));

    assertThat(row.getPrompt())
        .isEqualTo("system: Be brief.\n\nuser: What is 6 * 7?\n\nassistant: ");
    assertThat(row.getChosen()).isEqualTo("42");
    assertThat(row.getRejected()).isEqualTo("41");
    assertThat(row.getPairMargin()).isNull();
    assertThat(row.getFeedbackIds()).containsExactly("f-1", "f-2");
  }

  @Test
  void trlStandardRendersALoneUserMessageAsItsContentButALoneSystemMessageAsABlock() {
    assertThat(PreferenceSamples.promptText(List.of(new ChatMessage("user", "Hi"))))
        .isEqualTo("Hi");
    assertThat(PreferenceSamples.promptText(List.of(new ChatMessage("system", "Greet."))))
        .isEqualTo("system: Greet.\n\nassistant: ");
  }

  @Test
  void anEditPairKeepsItsMissingChosenGenerationAsNullInEveryFormat() {
    PreferencePair edit =
        PreferencePair.newBuilder(pair(null, null)).setSource(PairSource.EDIT).build();

    assertThat(PreferenceSamples.trlConversational(edit).getChosenGenerationId()).isNull();
    assertThat(PreferenceSamples.trlStandard(edit).getChosenGenerationId()).isNull();
    assertThat(PreferenceSamples.openRlhf(edit).getChosenGenerationId()).isNull();
    assertThat(PreferenceSamples.openAiDpo(edit).getMetadata().getChosenGenerationId()).isNull();
    assertThat(PreferenceSamples.openAiDpo(edit).getMetadata().getSource()).isEqualTo("EDIT");
    assertThat(
            PlainJson.toJson(PreferenceSamples.openRlhf(edit)).get("chosen_generation_id").isNull())
        .isTrue();
  }

  @Test
  void openRlhfWritesThePairsMarginAndNullWhenItHasNone() {
    OpenRlhfPreference withMargin = PreferenceSamples.openRlhf(pair(0.25, "g-1"));
    assertThat(withMargin.getMargin()).isEqualTo(0.25);
    assertThat(withMargin.getChosen()).containsExactly(new ChatMessage("assistant", "42"));
    assertThat(withMargin.getPairId()).isEqualTo("pair-1");

    OpenRlhfPreference without = PreferenceSamples.openRlhf(pair(null, "g-1"));
    assertThat(without.getMargin()).isNull();
    assertThat(PlainJson.toJson(without).get("margin").isNull()).isTrue();
  }

  @Test
  void openAiNestsThePromptUnderInputMessagesAndProvenanceUnderMetadata() {
    OpenAiDpoExample row = PreferenceSamples.openAiDpo(pair(0.5, "g-1"));

    assertThat(row.getInput().getMessages()).isEqualTo(PROMPT);
    assertThat(row.getPreferredOutput()).containsExactly(new ChatMessage("assistant", "42"));
    assertThat(row.getNonPreferredOutput()).containsExactly(new ChatMessage("assistant", "41"));
    assertThat(row.getMetadata().getPairId()).isEqualTo("pair-1");
    assertThat(row.getMetadata().getMargin()).isEqualTo(0.5);
    assertThat(row.getMetadata().getGenerationIds()).containsExactly("g-1", "g-2");
    assertThat(row.getMetadata().getPolicyVersions()).containsExactly(3L, 4L);
    assertThat(fieldNames(PlainJson.toJson(row)))
        .containsExactly("input", "preferred_output", "non_preferred_output", "metadata");
  }

  @Test
  void ktoCarriesEitherLabelAndTheCompletionsGeneration() {
    KtoExample undesirable = PreferenceSamples.kto(unpaired(false));

    assertThat(undesirable.getPrompt()).isEqualTo(PROMPT);
    assertThat(undesirable.getCompletion()).containsExactly(new ChatMessage("assistant", "41"));
    assertThat(undesirable.getLabel()).isFalse();
    assertThat(undesirable.getExampleId()).isEqualTo("example-1");
    assertThat(undesirable.getGenerationId()).isEqualTo("g-2");
    assertThat(undesirable.getSource()).isEqualTo("THUMBS");
    assertThat(undesirable.getConfidence()).isEqualTo(0.4);
    assertThat(undesirable.getFeedbackIds()).containsExactly("t-1");
    assertThat(PreferenceSamples.kto(unpaired(true)).getLabel()).isTrue();
  }

  @Test
  void rowsShareNoListWithTheirInput() {
    PreferencePair p = pair(0.5, "g-1");
    TrlPreference row = PreferenceSamples.trlConversational(p);

    row.getPrompt().clear();
    row.getFeedbackIds().clear();

    assertThat(p.getPrompt()).isEqualTo(PROMPT);
    assertThat(p.getProvenance().getFeedbackIds()).containsExactly("f-1", "f-2");
  }

  private static void assertMessagesOnly(JsonNode messages) {
    assertThat(messages.isArray()).isTrue();
    assertThat(messages)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(fieldNames(m)).containsExactly("role", "content"));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
