package io.lodestar.operators.group;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.Advantages;
import io.lodestar.operators.advantage.GroupAdvantages;
import io.lodestar.operators.advantage.GroupResult;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the members of a finished group into an {@link RLGroup}; pure, no Flink types. */
public final class RLGroups {

  /**
   * Estimator parameter saying whether a batch-wide step is still to come ({@code pending}) or
   * done.
   */
  public static final String BATCH_STEP = "batch_step";

  public static final String BATCH_STEP_PENDING = "pending";
  public static final String BATCH_STEP_APPLIED = "applied";

  private RLGroups() {}

  /** The group's expected size: the largest one any member declares, or null if none does. */
  public static Integer expectedSize(Iterable<ScoredGeneration> members) {
    Integer expected = null;
    for (ScoredGeneration m : members) {
      Integer declared = m.getGeneration().getExpectedGroupSize();
      if (declared != null && (expected == null || declared > expected)) {
        expected = declared;
      }
    }
    return expected;
  }

  /**
   * Builds the group with GRPO advantages. Members are ordered by sample index, then generation id,
   * so the output does not depend on arrival order.
   */
  public static RLGroup build(
      List<ScoredGeneration> members, GroupCompletion completion, long closedAtMs) {
    return build(members, completion, closedAtMs, AdvantageSpec.lodestarGrpo());
  }

  /**
   * Builds the group with advantages computed as {@code spec} says.
   *
   * <p>For an estimator that needs the whole batch ({@link AdvantageSpec#needsWholeBatch}) the
   * advantages are the group's part ({@code r - mean}), marked {@code batch_step=pending} in the
   * estimator parameters; the batch operator replaces them once the batch is known.
   *
   * @throws IllegalArgumentException when the spec refuses the group (e.g. TRL and a group of one)
   */
  public static RLGroup build(
      List<ScoredGeneration> members,
      GroupCompletion completion,
      long closedAtMs,
      AdvantageSpec spec) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a group needs at least one member");
    }
    List<ScoredGeneration> ordered = new ArrayList<>(members);
    ordered.sort(
        Comparator.comparing(
                (ScoredGeneration m) -> m.getGeneration().getSampleIndex(),
                Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(m -> m.getGeneration().getGenerationId()));

    Double[] rewards = new Double[ordered.size()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = ordered.get(i).getReward();
    }
    GroupResult result = Advantages.groupPart(rewards, spec);

    List<RLSample> samples = new ArrayList<>(ordered.size());
    long minVersion = Long.MAX_VALUE;
    long maxVersion = Long.MIN_VALUE;
    for (int i = 0; i < ordered.size(); i++) {
      ScoredGeneration member = ordered.get(i);
      Generation g = member.getGeneration();
      boolean scored = GroupAdvantages.isScored(rewards[i]);
      samples.add(
          RLSample.newBuilder()
              .setGenerationId(g.getGenerationId())
              .setResponse(g.getResponse())
              .setReward(scored ? rewards[i] : null)
              .setAdvantage(result.advantages()[i])
              .setScored(scored)
              .setComponents(member.getComponents())
              .setPolicy(g.getPolicy())
              .setResponseTokenIds(g.getResponseTokenIds())
              .setResponseLogprobs(g.getResponseLogprobs())
              .setFinishReason(g.getFinishReason())
              .setCreatedAtMs(g.getCreatedAtMs())
              .setConsentToTrain(g.getConsentToTrain())
              .build());
      minVersion = Math.min(minVersion, g.getPolicy().getPolicyVersion());
      maxVersion = Math.max(maxVersion, g.getPolicy().getPolicyVersion());
    }
    Generation first = ordered.get(0).getGeneration();
    List<Integer> promptTokenIds = null;
    for (ScoredGeneration m : ordered) {
      if (m.getGeneration().getPromptTokenIds() != null) {
        promptTokenIds = m.getGeneration().getPromptTokenIds();
        break;
      }
    }
    Map<String, String> params = spec.describe();
    if (spec.needsWholeBatch()) {
      params = new LinkedHashMap<>(params);
      params.put(BATCH_STEP, BATCH_STEP_PENDING);
    }
    return RLGroup.newBuilder()
        .setGroupId(first.getGroupId())
        .setPromptId(first.getPromptId())
        .setPrompt(first.getPrompt())
        .setTask(first.getTask())
        .setSamples(samples)
        .setEstimator(spec.estimator().id())
        .setEstimatorParams(params)
        .setCompletion(completion)
        .setExpectedSize(expectedSize(ordered))
        .setScoredCount(result.scoredCount())
        .setUnscoredCount(ordered.size() - result.scoredCount())
        .setRewardMean(result.mean())
        .setRewardStd(result.std())
        .setMinPolicyVersion(minVersion)
        .setMaxPolicyVersion(maxVersion)
        .setClosedAtMs(closedAtMs)
        .setPromptTokenIds(promptTokenIds)
        .build();
  }
}
