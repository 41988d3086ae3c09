package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.operators.TestRecords;
import io.lodestar.schema.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardModelTest {

  private static Path folder;
  private static RewardModel model;

  @BeforeAll
  static void load() {
    folder = ClasspathModels.tinyRewardInTempDir();
    model =
        RewardModel.load(folder, DeviceSpec.CPU, ChatTemplate.ROLE_PREFIXED, Normalisation.NONE);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static RewardInput input(String response) {
    return new RewardInput(TestRecords.prompt(), response);
  }

  @Test
  void tokenizesAndScoresExactlyAsThePyTorchModelThatMadeIt() throws Exception {
    JsonNode samples = new ObjectMapper().readTree(folder.resolve("samples.json").toFile());
    List<RewardInput> inputs = new ArrayList<>();
    for (JsonNode sample : samples) {
      List<ChatMessage> prompt = new ArrayList<>();
      sample
          .get("prompt")
          .forEach(
              m ->
                  prompt.add(
                      ChatMessage.newBuilder()
                          .setRole(m.get("role").asText())
                          .setContent(m.get("content").asText())
                          .build()));
      inputs.add(new RewardInput(prompt, sample.get("response").asText()));
    }
    RewardModel.ScoredBatch batch = model.scoreBatch(inputs);
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode sample = samples.get(i);
      String text =
          ChatTemplate.ROLE_PREFIXED.first(inputs.get(i).prompt(), inputs.get(i).response());
      long[] ids = model.model().encode(List.of(text))[0].getIds();
      assertThat(ids).containsExactly(toLongs(sample.get("inputIds")));
      assertThat(batch.raw()[i]).isCloseTo(sample.get("logit").asDouble(), within(1e-3));
      assertThat(batch.tokens()[i]).isEqualTo(ids.length);
    }
  }

  @Test
  void scoresAFinalNumericAnswerAboveEmptyEvasiveAndRamblingResponses() throws Exception {
    float[] scores =
        model.score(
            List.of(
                input("6 * 7 = 42, so the answer is \\boxed{42}."),
                input("The answer is 42."),
                input(""),
                input("Sorry, I cannot help with that."),
                input("Well, hmm, maybe it is about numbers, and so on, anyway, not sure...")));
    for (int good = 0; good < 2; good++) {
      for (int bad = 2; bad < 5; bad++) {
        assertThat(scores[good]).isGreaterThan(scores[bad]);
      }
    }
  }

  @Test
  void batchScoresEqualOneAtATimeScoresInInputOrder() throws Exception {
    List<RewardInput> inputs =
        List.of(input("42"), input(""), input("The result is 42 because six sevens are 42."));
    float[] batch = model.score(inputs);
    for (int i = 0; i < inputs.size(); i++) {
      assertThat(batch[i]).isCloseTo(model.score(List.of(inputs.get(i)))[0], within(1e-4f));
    }
    assertThat(model.score(List.of())).isEmpty();
  }

  @Test
  void truncatesLongInputsToTheModelsMaximumAndSaysSo() throws Exception {
    String longResponse = "step ".repeat(500) + "the answer is 42.";
    RewardModel.ScoredBatch batch = model.scoreBatch(List.of(input(longResponse), input("42")));
    assertThat(batch.tokens()[0]).isEqualTo(model.model().config().maxLength());
    assertThat(batch.truncated()).containsExactly(true, false);
    assertThat(batch.detail(0)).contains("tokens=128").contains("truncated=true");
  }

  @Test
  void sigmoidAndAffineNormalisationApplyToTheRawLogit() throws Exception {
    try (RewardModel sigmoid =
            RewardModel.over(model.model(), ChatTemplate.ROLE_PREFIXED, Normalisation.SIGMOID);
        RewardModel affine =
            RewardModel.over(
                model.model(), ChatTemplate.ROLE_PREFIXED, Normalisation.affine(0.5, 1))) {
      double raw = model.scoreBatch(List.of(input("42"))).raw()[0];
      assertThat(sigmoid.score(List.of(input("42")))[0])
          .isCloseTo((float) (1 / (1 + Math.exp(-raw))), within(1e-5f));
      assertThat(affine.score(List.of(input("42")))[0])
          .isCloseTo((float) (0.5 * raw + 1), within(1e-5f));
    }
  }

  @Test
  void textPairModeHandsTheResponseToTheModelAsTheSecondSegment() throws Exception {
    try (RewardModel pair =
        RewardModel.over(model.model(), ChatTemplate.TEXT_PAIR, Normalisation.NONE)) {
      RewardModel.ScoredBatch batch =
          pair.scoreBatch(List.of(input("The answer is 42."), input("")));
      assertThat(batch.size()).isEqualTo(2);
      assertThat(Arrays.stream(batch.raw()).allMatch(Double::isFinite)).isTrue();
      var encoding =
          model.model()
              .encodePairs(List.of("user: What is 6 * 7?\n"), List.of("The answer is 42."))[0];
      // [CLS] prompt [SEP] response [SEP]: the response's word pieces carry type id 1.
      assertThat(encoding.getTypeIds()).contains(0L, 1L);
      assertThat(encoding.getTypeIds()[encoding.getTypeIds().length - 1]).isEqualTo(1L);
    }
  }

  @Test
  void versionNamesTheModelAndAHashOfItsFiles() {
    assertThat(model.version()).matches("tiny-reward/1@[0-9a-f]{12}");
  }

  @Test
  void aMissingFolderFailsAtLoadNamingThePath(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-model");
    assertThatThrownBy(
            () ->
                RewardModel.load(
                    missing, DeviceSpec.CPU, ChatTemplate.ROLE_PREFIXED, Normalisation.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aBrokenOnnxFileFailsAtLoadNamingThePath(@TempDir Path dir) throws Exception {
    Path broken = ClasspathModels.tinyReward(dir.resolve("broken"));
    Files.writeString(broken.resolve("model.onnx"), "not an onnx model");
    assertThatThrownBy(
            () ->
                RewardModel.load(
                    broken, DeviceSpec.CPU, ChatTemplate.ROLE_PREFIXED, Normalisation.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(broken.resolve("model.onnx").toString());
  }

  @Test
  void aFolderWithoutTokenizerFailsAtLoadNamingTheFile(@TempDir Path dir) throws Exception {
    Path incomplete = ClasspathModels.tinyReward(dir.resolve("incomplete"));
    Files.delete(incomplete.resolve("tokenizer.json"));
    assertThatThrownBy(() -> LoadedModel.load(incomplete, DeviceSpec.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(incomplete.toString())
        .hasMessageContaining("tokenizer.json");
  }

  private static long[] toLongs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
