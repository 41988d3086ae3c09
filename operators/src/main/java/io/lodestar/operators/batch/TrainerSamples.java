package io.lodestar.operators.batch;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.export.TrlSample;
import io.lodestar.schema.export.VerlExtraInfo;
import io.lodestar.schema.export.VerlRewardModel;
import io.lodestar.schema.export.VerlSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row per sample of an RL batch, in the shapes trainers read: verl's RL dataset columns and
 * TRL's conversational prompt-completion columns (see {@code docs/exports.md}). Rows follow the
 * batch's order (groups, then samples), so a replayed batch gives the same rows. Pure.
 */
public final class TrainerSamples {

  private TrainerSamples() {}

  public static List<VerlSample> verl(RLBatch batch) {
    List<VerlSample> rows = new ArrayList<>(batch.getSampleCount());
    long index = 0;
    for (RLGroup group : batch.getGroups()) {
      String groundTruth = group.getTask().getGroundTruth();
      VerlRewardModel rewardModel =
          VerlRewardModel.newBuilder()
              .setStyle(groundTruth == null ? "model" : "rule")
              .setGroundTruth(groundTruth)
              .build();
      for (RLSample sample : group.getSamples()) {
        rows.add(
            VerlSample.newBuilder()
                .setDataSource(group.getTask().getDataSource())
                .setPrompt(new ArrayList<>(group.getPrompt()))
                .setAbility(group.getTask().getKind().name().toLowerCase(Locale.ROOT))
                .setRewardModel(rewardModel)
                .setExtraInfo(
                    VerlExtraInfo.newBuilder()
                        .setSplit("train")
                        .setIndex(index++)
                        .setBatchId(batch.getBatchId())
                        .setBatchSequence(batch.getSequence())
                        .setGroupId(group.getGroupId())
                        .setPromptId(group.getPromptId())
                        .setGenerationId(sample.getGenerationId())
                        .setModelId(sample.getPolicy().getModelId())
                        .setEstimator(group.getEstimator())
                        .setCompat(group.getEstimatorParams().get("compat"))
                        .setCompletion(group.getCompletion().name())
                        .setFinishReason(sample.getFinishReason().name())
                        .setCreatedAtMs(sample.getCreatedAtMs())
                        .build())
                .setResponse(sample.getResponse())
                .setReward(sample.getScored() ? sample.getReward() : null)
                .setScored(sample.getScored())
                .setAdvantage(sample.getAdvantage())
                .setPolicyVersion(sample.getPolicy().getPolicyVersion())
                .setPromptTokenIds(group.getPromptTokenIds())
                .setResponseTokenIds(sample.getResponseTokenIds())
                .setResponseLogprobs(sample.getResponseLogprobs())
                .build());
      }
    }
    return rows;
  }

  public static List<TrlSample> trl(RLBatch batch) {
    List<TrlSample> rows = new ArrayList<>(batch.getSampleCount());
    for (RLGroup group : batch.getGroups()) {
      for (RLSample sample : group.getSamples()) {
        rows.add(
            TrlSample.newBuilder()
                .setPrompt(new ArrayList<>(group.getPrompt()))
                .setCompletion(
                    new ArrayList<>(List.of(new ChatMessage("assistant", sample.getResponse()))))
                .setReward(sample.getScored() ? sample.getReward() : null)
                .setAdvantage(sample.getAdvantage())
                .setScored(sample.getScored())
                .setGroundTruth(group.getTask().getGroundTruth())
                .setDataSource(group.getTask().getDataSource())
                .setPolicyVersion(sample.getPolicy().getPolicyVersion())
                .setCompletionIds(sample.getResponseTokenIds())
                .setOldPerTokenLogps(sample.getResponseLogprobs())
                .setBatchId(batch.getBatchId())
                .setGroupId(group.getGroupId())
                .setGenerationId(sample.getGenerationId())
                .build());
      }
    }
    return rows;
  }
}
