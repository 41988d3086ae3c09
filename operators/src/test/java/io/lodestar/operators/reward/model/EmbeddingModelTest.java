package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled MiniLM sentence encoder, run through DJL. */
class EmbeddingModelTest {

  private static EmbeddingModel model;

  @BeforeAll
  static void load() {
    model = EmbeddingModel.load(ClasspathModels.miniLmInTempDir(), DeviceSpec.CPU);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void embeddingsHave384UnitLengthDimensions() throws Exception {
    float[][] vectors = model.embed(List.of("The answer is 42.", "A cat sat on the mat."));
    assertThat(vectors).hasNumberOfRows(2);
    for (float[] v : vectors) {
      assertThat(v).hasSize(384);
      assertThat(Vectors.cosine(v, v)).isCloseTo(1.0, within(1e-5));
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void semanticallyCloseSentencesAreMoreSimilarThanUnrelatedOnes() throws Exception {
    float[][] v =
        model.embed(
            List.of(
                "The answer is forty-two.",
                "The result equals 42.",
                "My favourite season is autumn because of the colours.",
                "A man is playing a guitar on stage.",
                "Someone performs music with a guitar.",
                "The stock market fell sharply today."));
    assertThat(Vectors.cosine(v[0], v[1])).isGreaterThan(Vectors.cosine(v[0], v[2]));
    assertThat(Vectors.cosine(v[3], v[4])).isGreaterThan(Vectors.cosine(v[3], v[5]));
    assertThat(Vectors.cosine(v[3], v[4])).isGreaterThan(0.5);
    assertThat(Vectors.cosine(v[3], v[5])).isLessThan(0.3);
  }

  @Test
  void batchingChangesAnEmbeddingOnlyThroughTheQuantisedModelsPerBatchRanges() throws Exception {
    String shortText = "Hello there.";
    float[] alone = model.embed(List.of(shortText))[0];
    // Identical rows: same activation ranges, same result.
    float[] twice = model.embed(List.of(shortText, shortText))[1];
    assertThat(Vectors.cosine(alone, twice)).isCloseTo(1.0, within(1e-5));
    // This MiniLM is dynamically quantised: its int8 scales come from the whole batch, so other
    // rows (and padding) move an embedding a little, never its meaning.
    float[] mixed =
        model
            .embed(
                List.of(
                    "A much longer sentence that forces padding of the short one in this batch.",
                    shortText))[1];
    assertThat(Vectors.cosine(alone, mixed)).isGreaterThan(0.95);
  }

  @Test
  void groupDiversityIsHigherForVariedResponsesThanForParaphrases() throws Exception {
    Double paraphrases =
        GroupDiversityFunction.diversity(
            model,
            List.of("The answer is 42.", "The answer is forty-two.", "So the answer is 42."),
            2);
    Double varied =
        GroupDiversityFunction.diversity(
            model,
            List.of(
                "The answer is 42.",
                "I like to go hiking in the mountains.",
                "Paris is the capital of France."),
            2);
    assertThat(varied).isGreaterThan(paraphrases);
    assertThat(GroupDiversityFunction.diversity(model, List.of("only one"), 2)).isNull();
  }

  @Test
  void versionNamesMiniLmAndItsHash() {
    assertThat(model.version()).matches("all-minilm-l6-v2-q/1@[0-9a-f]{12}");
  }
}
