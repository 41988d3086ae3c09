package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MiniLM stages in Flink harnesses: similarity to the reference answer, and group diversity.
 */
class EmbeddingStagesTest {

  private static final EmbeddingSettings SETTINGS =
      EmbeddingSettings.bundledMiniLm()
          .withDevice(DeviceSpec.CPU)
          .withBatch(4, Duration.ofMillis(20));

  /** Held for the whole class so the stages under test share one loaded model. */
  private static RefCounted.Lease<LoadedModel> keepLoaded;

  @BeforeAll
  static void load() {
    keepLoaded = SharedModels.acquire(SETTINGS.folder(), SETTINGS.device());
  }

  @AfterAll
  static void release() throws Exception {
    keepLoaded.close();
    assertThat(SharedModels.references(SETTINGS.folder(), SETTINGS.device())).isZero();
  }

  private static ScoredGeneration scored(String id, String response, String reference) {
    var generation = TestRecords.generation(id).setResponse(response).build();
    generation.getTask().setGroundTruth(reference);
    return TestRecords.scored(generation, 1.0).build();
  }

  @Test
  void responsesCloseToTheReferenceAnswerScoreHigherAndOneWithoutReferenceIsUnscorable()
      throws Exception {
    List<ScoredGeneration> out = new ArrayList<>();
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(
            ModelStages.embeddingSimilarityOperator(SETTINGS),
            new AvroSerializer<>(ScoredGeneration.class))) {
      harness.open();
      String reference = "Paris is the capital of France.";
      harness.processElement(scored("close", "The capital city of France is Paris.", reference), 1);
      harness.processElement(scored("far", "Bananas are rich in potassium.", reference), 2);
      harness.processElement(scored("none", "Anything.", null), 3);
      harness.endInput();
      for (Object o : harness.getOutput()) {
        out.add((ScoredGeneration) ((StreamRecord<?>) o).getValue());
      }
      assertThat(harness.getProcessingTimeService().getNumActiveTimers()).isZero();
    }
    assertThat(out)
        .extracting(s -> s.getGeneration().getGenerationId())
        .containsExactly("close", "far", "none");
    RewardComponent close = out.get(0).getComponents().get(1);
    RewardComponent far = out.get(1).getComponents().get(1);
    RewardComponent none = out.get(2).getComponents().get(1);
    assertThat(close.getName()).isEqualTo("embedding_similarity");
    assertThat(close.getSource()).isEqualTo(RewardSource.MODEL);
    assertThat(close.getVersion()).startsWith("all-minilm-l6-v2-q/1@");
    assertThat(close.getValue()).isGreaterThan(far.getValue()).isGreaterThan(0.7);
    assertThat(none.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(none.getValue()).isNull();
  }

  @Test
  void groupDiversityIsSetOnEachGroup() throws Exception {
    RLGroup paraphrases =
        group("same", "The answer is 42.", "The answer is forty-two.", "So, the answer is 42.");
    RLGroup varied =
        group(
            "varied",
            "The answer is 42.",
            "I enjoy hiking in the Alps.",
            "Stocks fell sharply today.");
    RLGroup single = group("single", "The answer is 42.");
    List<RLGroup> out = new ArrayList<>();
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(
            new StreamMap<>(new GroupDiversityFunction(SETTINGS)),
            new AvroSerializer<>(RLGroup.class))) {
      harness.open();
      harness.processElement(paraphrases, 1);
      harness.processElement(varied, 2);
      harness.processElement(single, 3);
      for (Object o : harness.getOutput()) {
        out.add((RLGroup) ((StreamRecord<?>) o).getValue());
      }
    }
    assertThat(out.get(0).getDiversity()).isNotNull();
    assertThat(out.get(1).getDiversity()).isGreaterThan(out.get(0).getDiversity());
    assertThat(out.get(2).getDiversity()).isNull();
  }

  private static RLGroup group(String id, String... responses) {
    RLGroup.Builder group = TestRecords.group(id, 1_000);
    List<RLSample> samples = new ArrayList<>();
    for (int i = 0; i < responses.length; i++) {
      samples.add(
          RLSample.newBuilder(TestRecords.sample(id + "-" + i, 1.0, 0.0, 1_000))
              .setResponse(responses[i])
              .build());
    }
    return group.setSamples(samples).build();
  }
}
