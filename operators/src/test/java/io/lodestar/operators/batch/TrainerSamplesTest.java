package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.export.TrlSample;
import io.lodestar.schema.export.VerlSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One trainer row per sample, in batch order, with the columns of docs/exports.md. */
class TrainerSamplesTest {

  private static final long T0 = TestRecords.CREATED_AT_MS;

  /**
   * Two groups: the first with a ground truth, the second an open-ended chat task with one unscored
   * sample.
   */
  private static RLBatch batch() {
    RLGroup math = TestRecords.group("g-a", T0 + 1_000).build();
    RLGroup chat =
        TestRecords.group("g-b", T0 + 2_000)
            .setTask(
                TaskMetadata.newBuilder()
                    .setDataSource("chats")
                    .setKind(TaskKind.CHAT)
                    .setGroundTruth(null)
                    .build())
            .build();
    chat.getSamples().get(1).setScored(false);
    chat.getSamples().get(1).setReward(0.0);
    chat.getSamples().get(1).setAdvantage(0.0);
    chat.setPromptTokenIds(new ArrayList<>(List.of(1, 2, 3)));
    return BatchAssembler.build("model", 4, List.of(math, chat));
  }

  @Test
  void verlRowsFollowTheBatchOrderAndAreIndexedFromZero() {
    List<VerlSample> rows = TrainerSamples.verl(batch());

    assertThat(rows)
        .extracting(r -> r.getExtraInfo().getGenerationId())
        .containsExactly("g-a-0", "g-a-1", "g-b-0", "g-b-1");
    assertThat(rows).extracting(r -> r.getExtraInfo().getIndex()).containsExactly(0L, 1L, 2L, 3L);
    assertThat(rows).extracting(r -> r.getExtraInfo().getBatchSequence()).containsOnly(4L);
    assertThat(rows)
        .extracting(r -> r.getExtraInfo().getGroupId())
        .containsExactly("g-a", "g-a", "g-b", "g-b");
  }

  @Test
  void verlUsesARuleRewardWhereAGroundTruthExistsAndAModelRewardElsewhere() {
    List<VerlSample> rows = TrainerSamples.verl(batch());

    assertThat(rows.get(0).getRewardModel().getStyle()).isEqualTo("rule");
    assertThat(rows.get(0).getRewardModel().getGroundTruth()).isEqualTo("42");
    assertThat(rows.get(2).getRewardModel().getStyle()).isEqualTo("model");
    assertThat(rows.get(2).getRewardModel().getGroundTruth()).isNull();
    assertThat(rows)
        .extracting(VerlSample::getAbility)
        .containsExactly("math", "math", "chat", "chat");
    assertThat(rows)
        .extracting(VerlSample::getDataSource)
        .containsExactly("gsm8k", "gsm8k", "chats", "chats");
  }

  @Test
  void anUnscoredSampleHasNoRewardInEitherFormat() {
    RLBatch batch = batch();

    assertThat(TrainerSamples.verl(batch))
        .extracting(VerlSample::getReward)
        .containsExactly(1.0, 0.0, 1.0, null);
    assertThat(TrainerSamples.verl(batch))
        .extracting(VerlSample::getScored)
        .containsExactly(true, true, true, false);
    assertThat(TrainerSamples.trl(batch))
        .extracting(TrlSample::getReward)
        .containsExactly(1.0, 0.0, 1.0, null);
    assertThat(TrainerSamples.trl(batch))
        .extracting(TrlSample::getScored)
        .containsExactly(true, true, true, false);
  }

  @Test
  void trlRowsCarryTheResponseAsOneAssistantMessageAndTheProvenance() {
    RLBatch batch = batch();
    List<TrlSample> rows = TrainerSamples.trl(batch);

    assertThat(rows).hasSize(4);
    assertThat(rows.get(3).getCompletion()).hasSize(1);
    assertThat(rows.get(3).getCompletion().get(0).getRole()).isEqualTo("assistant");
    assertThat(rows.get(3).getCompletion().get(0).getContent())
        .isEqualTo(batch.getGroups().get(1).getSamples().get(1).getResponse());
    assertThat(rows)
        .extracting(TrlSample::getGenerationId)
        .containsExactly("g-a-0", "g-a-1", "g-b-0", "g-b-1");
    assertThat(rows).extracting(TrlSample::getBatchId).containsOnly(batch.getBatchId());
    assertThat(rows).extracting(TrlSample::getGroundTruth).containsExactly("42", "42", null, null);
  }
}
