package io.lodestar.clients;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.UnpairedExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Lodestar records as the pipeline writes them, built field by field for the client's tests. */
final class TrainerRecords {

  static final long CLOSED_AT_MS = 1_767_225_600_000L;

  private TrainerRecords() {}

  /**
   * The batch whose verl layout the client's tests spell out by hand: two groups, prompts of 3 and
   * 1 tokens, responses of 2, 4 and 1 tokens, one unscored sample, every sample with log-probs.
   */
  static RLBatch knownBatch() {
    RLGroup first =
        group(
            "grp-a",
            "prompt-a",
            List.of(
                new ChatMessage("system", "Be brief."), new ChatMessage("user", "What is 6 * 7?")),
            TaskMetadata.newBuilder()
                .setDataSource("gsm8k")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build(),
            List.of(11, 12, 13),
            List.of(
                sample(
                    "gen-a1",
                    "42",
                    1.0,
                    0.7071,
                    List.of(21, 22),
                    List.of(-0.5f, -0.25f),
                    FinishReason.STOP),
                sample(
                    "gen-a2",
                    "It is 40.",
                    0.0,
                    -0.7071,
                    List.of(23, 24, 25, 26),
                    List.of(-1.5f, -0.125f, -2f, -0.75f),
                    FinishReason.LENGTH)));
    RLGroup second =
        group(
            "grp-b",
            "prompt-b",
            List.of(new ChatMessage("user", "Say hi.")),
            TaskMetadata.newBuilder().setDataSource("chat-app").setKind(TaskKind.CHAT).build(),
            List.of(31),
            List.of(
                sample(
                    "gen-b1", "hi", null, 0.0, List.of(41), List.of(-0.0625f), FinishReason.STOP)));
    return batch("policy-7b-known", 4, List.of(first, second));
  }

  /**
   * A realistic batch: {@code groups} groups of {@code samples} samples of {@code tokens} tokens.
   */
  static RLBatch batch(String batchId, long sequence, int groups, int samples, int tokens) {
    List<RLGroup> all = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      List<RLSample> members = new ArrayList<>();
      for (int s = 0; s < samples; s++) {
        List<Integer> ids = new ArrayList<>(tokens);
        List<Float> logprobs = new ArrayList<>(tokens);
        for (int t = 0; t < tokens; t++) {
          ids.add(1000 + (g * 7919 + s * 104729 + t * 31) % 150_000);
          logprobs.add(-((t % 17) + 1) / 8f);
        }
        boolean scored = s % 4 != 3;
        members.add(
            sample(
                batchId + "-g" + g + "-s" + s,
                "Let me think step by step... the answer is " + (s * 7) + ".",
                scored ? (double) (s % 2) : null,
                scored ? (s % 2 == 0 ? -0.866 : 0.866) : 0.0,
                ids,
                logprobs,
                s == samples - 1 ? FinishReason.LENGTH : FinishReason.STOP));
      }
      all.add(
          group(
              batchId + "-g" + g,
              "prompt-" + g,
              List.of(new ChatMessage("user", "Problem " + g + ": what is " + g + " times 7?")),
              TaskMetadata.newBuilder()
                  .setDataSource("gsm8k")
                  .setKind(TaskKind.MATH)
                  .setGroundTruth(Integer.toString(g * 7))
                  .build(),
              List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
              members));
    }
    return batch(batchId, sequence, all);
  }

  static RLBatch batch(String batchId, long sequence, List<RLGroup> groups) {
    int samples = groups.stream().mapToInt(g -> g.getSamples().size()).sum();
    return RLBatch.newBuilder()
        .setBatchId(batchId)
        .setModelId("policy-7b")
        .setSequence(sequence)
        .setGroups(groups)
        .setSampleCount(samples)
        .setMinPolicyVersion(3)
        .setMaxPolicyVersion(3)
        .setClosedAtMs(CLOSED_AT_MS)
        .setTokenCount(0)
        .setTrainerPolicyVersion(5L)
        .build();
  }

  static RLGroup group(
      String groupId,
      String promptId,
      List<ChatMessage> prompt,
      TaskMetadata task,
      List<Integer> promptTokenIds,
      List<RLSample> samples) {
    long scored = samples.stream().filter(RLSample::getScored).count();
    return RLGroup.newBuilder()
        .setGroupId(groupId)
        .setPromptId(promptId)
        .setPrompt(prompt)
        .setTask(task)
        .setSamples(samples)
        .setEstimator("grpo")
        .setEstimatorParams(Map.of("compat", "verl", "eps", "1e-6"))
        .setCompletion(GroupCompletion.FULL)
        .setExpectedSize(samples.size())
        .setScoredCount((int) scored)
        .setUnscoredCount(samples.size() - (int) scored)
        .setRewardMean(0.5)
        .setRewardStd(0.7071)
        .setMinPolicyVersion(3)
        .setMaxPolicyVersion(3)
        .setClosedAtMs(CLOSED_AT_MS)
        .setPromptTokenIds(promptTokenIds)
        .build();
  }

  static RLSample sample(
      String generationId,
      String response,
      Double reward,
      double advantage,
      List<Integer> tokenIds,
      List<Float> logprobs,
      FinishReason finish) {
    RewardComponent component =
        RewardComponent.newBuilder()
            .setName("math_equivalence")
            .setValue(reward)
            .setStatus(reward == null ? RewardStatus.TIMEOUT : RewardStatus.OK)
            .setSource(RewardSource.VERIFIER)
            .setVersion("math/1")
            .build();
    return RLSample.newBuilder()
        .setGenerationId(generationId)
        .setResponse(response)
        .setReward(reward)
        .setAdvantage(advantage)
        .setScored(reward != null)
        .setComponents(List.of(component))
        .setPolicy(
            Policy.newBuilder()
                .setModelId("policy-7b")
                .setPolicyVersion(3)
                .setTemperature(0.7)
                .build())
        .setResponseTokenIds(tokenIds)
        .setResponseLogprobs(logprobs)
        .setFinishReason(finish)
        .setCreatedAtMs(CLOSED_AT_MS - 5_000)
        .setConsentToTrain(true)
        .build();
  }

  static PreferencePair pair(String pairId, Double margin, String chosenGenerationId) {
    return PreferencePair.newBuilder()
        .setPairId(pairId)
        .setPromptId("prompt-a")
        .setPrompt(
            List.of(
                new ChatMessage("system", "Be brief."), new ChatMessage("user", "What is 6 * 7?")))
        .setChosen("42")
        .setRejected("It is 40.")
        .setChosenGenerationId(chosenGenerationId)
        .setRejectedGenerationId("gen-a2")
        .setMargin(margin)
        .setSource(margin == null ? PairSource.VOTE : PairSource.REWARD_MARGIN)
        .setConfidence(margin == null ? 1.0 : 0.5)
        .setProvenance(provenance())
        .setCreatedAtMs(CLOSED_AT_MS)
        .build();
  }

  static UnpairedExample unpaired(String exampleId, boolean label) {
    return UnpairedExample.newBuilder()
        .setExampleId(exampleId)
        .setPromptId("prompt-b")
        .setPrompt(List.of(new ChatMessage("user", "Say hi.")))
        .setCompletion("hi")
        .setLabel(label)
        .setGenerationId("gen-b1")
        .setSource(PairSource.THUMBS)
        .setConfidence(0.8)
        .setProvenance(provenance())
        .setCreatedAtMs(CLOSED_AT_MS)
        .build();
  }

  private static Provenance provenance() {
    return Provenance.newBuilder()
        .setGenerationIds(List.of("gen-a1", "gen-a2"))
        .setFeedbackIds(List.of("fb-1"))
        .setModelIds(List.of("policy-7b", "policy-7b"))
        .setPolicyVersions(List.of(3L, 3L))
        .setPipelineVersion("0.1.0-SNAPSHOT")
        .build();
  }
}
