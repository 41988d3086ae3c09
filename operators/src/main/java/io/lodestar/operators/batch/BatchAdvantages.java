package io.lodestar.operators.batch;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.Advantages;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.GroupResult;
import io.lodestar.operators.group.RLGroups;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batch-wide step of REINFORCE++-baseline and TRL's {@code scale_rewards=batch}: the RL batch
 * is the trainer's batch, so the statistics run over every scored sample of the batch. Advantages
 * are recomputed from the rewards (the group part is a pure function of them), so the result
 * depends only on the batch's content. Pure, no Flink types.
 */
public final class BatchAdvantages {

  /** Estimator parameter: what each sample weighs in the batch whitening. */
  public static final String WHITEN_WEIGHTS = "whiten_weights";

  private BatchAdvantages() {}

  /**
   * Replaces the advantages of every group in place. verl and OpenRLHF whiten over response tokens;
   * when a scored sample lacks token ids, every sample weighs once instead, and the parameters say
   * so. A staleness weight recorded on a group ({@code staleness_weight}) is applied after the
   * step.
   *
   * @throws IllegalArgumentException when the mode refuses the batch (verl: one scored token)
   */
  public static void apply(List<RLGroup> groups, AdvantageSpec spec, String batchId) {
    if (!spec.needsWholeBatch()) {
      return;
    }
    List<Double[]> rewards = new ArrayList<>(groups.size());
    List<int[]> tokens = new ArrayList<>(groups.size());
    boolean everyScoredHasTokens = true;
    int batchSamples = 0;
    for (RLGroup group : groups) {
      List<RLSample> samples = group.getSamples();
      Double[] r = new Double[samples.size()];
      int[] t = new int[samples.size()];
      for (int i = 0; i < r.length; i++) {
        RLSample s = samples.get(i);
        r[i] = s.getScored() ? s.getReward() : null;
        if (s.getScored()) {
          batchSamples++;
          if (s.getResponseTokenIds() == null) {
            everyScoredHasTokens = false;
          } else {
            t[i] = s.getResponseTokenIds().size();
          }
        }
      }
      rewards.add(r);
      tokens.add(t);
    }
    boolean whitens = spec.estimator() == Estimator.REINFORCE_PP_BASELINE;
    boolean byTokens = whitens && spec.mode() != CompatMode.LODESTAR && everyScoredHasTokens;
    List<GroupResult> results = Advantages.batch(rewards, byTokens ? tokens : null, spec);

    for (int g = 0; g < groups.size(); g++) {
      RLGroup group = groups.get(g);
      Map<String, String> params = new LinkedHashMap<>(group.getEstimatorParams());
      String weight = params.get("staleness_weight");
      double factor = weight == null ? 1.0 : Double.parseDouble(weight);
      double[] advantages = results.get(g).advantages();
      for (int i = 0; i < advantages.length; i++) {
        group.getSamples().get(i).setAdvantage(advantages[i] * factor);
      }
      params.put(RLGroups.BATCH_STEP, RLGroups.BATCH_STEP_APPLIED);
      params.put("batch_id", batchId);
      params.put("batch_scored_samples", Integer.toString(batchSamples));
      if (whitens) {
        params.put(WHITEN_WEIGHTS, whitenWeights(spec, byTokens));
      }
      group.setEstimatorParams(params);
    }
  }

  private static String whitenWeights(AdvantageSpec spec, boolean byTokens) {
    if (spec.mode() == CompatMode.LODESTAR) {
      return "responses";
    }
    return byTokens ? "response_tokens" : "responses (token ids missing)";
  }
}
