package io.lodestar.operators.advantage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Group-relative advantages for every {@link Estimator} under every {@link CompatMode}; the
 * formulas, with the trainer sources they reproduce, are in {@code docs/advantages.md}.
 *
 * <p>Rules shared by all modes: a reward that is null or not finite is unscored; it is left out of
 * every statistic and gets advantage 0, and the mode's arithmetic runs on the scored rewards only.
 * A group with no scored member gets all zeros. A group closed by timeout is computed over the
 * members present. Arithmetic is in double; the trainers compute in float32 (torch) except
 * trl-async (float64 numpy), so they agree with these numbers to float32 precision.
 */
public final class Advantages {

  private Advantages() {}

  /**
   * One group. For estimators that look at the whole batch ({@link AdvantageSpec#needsWholeBatch})
   * this is the result of a batch holding only this group.
   *
   * @throws IllegalArgumentException when the mode refuses the group (see the spec document)
   */
  public static GroupResult group(Double[] rewards, AdvantageSpec spec) {
    Objects.requireNonNull(rewards, "rewards");
    return batch(Collections.singletonList(rewards), spec).get(0);
  }

  /**
   * Every group of a batch, in order, each response weighing once in batch statistics.
   *
   * @throws IllegalArgumentException when the mode refuses a group or the batch
   */
  public static List<GroupResult> batch(List<Double[]> groups, AdvantageSpec spec) {
    return batch(groups, null, spec);
  }

  /**
   * Every group of a batch, in order. {@code responseTokens} (per group, per member; null for none)
   * are the response token counts: verl and OpenRLHF whiten REINFORCE++-baseline over tokens, so
   * there each scored response weighs as many times as it has tokens. Lodestar's own whitening and
   * every other statistic weigh each response once, whatever is passed.
   *
   * @throws IllegalArgumentException when the mode refuses a group or the batch, or the token
   *     counts do not match the groups
   */
  public static List<GroupResult> batch(
      List<Double[]> groups, List<int[]> responseTokens, AdvantageSpec spec) {
    Objects.requireNonNull(groups, "groups");
    Objects.requireNonNull(spec, "spec");
    if (responseTokens != null && responseTokens.size() != groups.size()) {
      throw new IllegalArgumentException(
          "token counts for "
              + responseTokens.size()
              + " groups, but the batch has "
              + groups.size());
    }
    List<ScoredRewards> scored = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      scored.add(ScoredRewards.of(Objects.requireNonNull(groups.get(g), "group " + g)));
    }

    List<double[]> perGroup = new ArrayList<>(scored.size());
    for (int g = 0; g < scored.size(); g++) {
      perGroup.add(groupStep(scored.get(g), g, spec));
    }
    clipIfOpenRlhf(perGroup, spec);
    if (spec.estimator() == Estimator.REINFORCE_PP_BASELINE) {
      whitenOverBatch(perGroup, tokenWeights(scored, responseTokens, spec.mode()), spec);
    } else if (spec.scaleRewards() == ScaleRewards.BATCH) {
      divideByBatchStd(perGroup, scored, spec.eps());
    }
    return results(scored, perGroup, spec);
  }

  /**
   * The part of the estimator that needs only this group: for the batch-wide estimators ({@link
   * AdvantageSpec#needsWholeBatch}) the values before the batch step ({@code r - mean}, clipped in
   * openrlhf), which the batch step then replaces; for every other estimator the final advantages,
   * equal to {@link #group}.
   *
   * @throws IllegalArgumentException when the mode refuses the group
   */
  public static GroupResult groupPart(Double[] rewards, AdvantageSpec spec) {
    Objects.requireNonNull(rewards, "rewards");
    Objects.requireNonNull(spec, "spec");
    ScoredRewards s = ScoredRewards.of(rewards);
    List<double[]> perGroup = new ArrayList<>(1);
    perGroup.add(groupStep(s, 0, spec));
    clipIfOpenRlhf(perGroup, spec);
    return results(Collections.singletonList(s), perGroup, spec).get(0);
  }

  private static void clipIfOpenRlhf(List<double[]> perGroup, AdvantageSpec spec) {
    if (spec.mode() == CompatMode.OPENRLHF) {
      // compute_reward clamps the shaped reward before returns and whitening.
      apply(perGroup, x -> Math.min(Math.max(x, spec.clipLow()), spec.clipHigh()));
    }
  }

  private static List<GroupResult> results(
      List<ScoredRewards> scored, List<double[]> perGroup, AdvantageSpec spec) {
    List<GroupResult> results = new ArrayList<>(scored.size());
    for (int g = 0; g < scored.size(); g++) {
      ScoredRewards s = scored.get(g);
      int n = s.count();
      Double mean = n == 0 ? null : s.mean();
      Double std = n > spec.ddof() ? s.std(spec.ddof()) : null;
      results.add(
          new GroupResult(
              s.toMemberAdvantages(perGroup.get(g)), n, s.memberCount() - n, mean, std));
    }
    return results;
  }

  /** Per scored member, its weight in the batch whitening; null when each weighs once. */
  private static List<double[]> tokenWeights(
      List<ScoredRewards> scored, List<int[]> responseTokens, CompatMode mode) {
    if (responseTokens == null || mode == CompatMode.LODESTAR) {
      return null;
    }
    List<double[]> weights = new ArrayList<>(scored.size());
    for (int g = 0; g < scored.size(); g++) {
      int[] tokens = Objects.requireNonNull(responseTokens.get(g), "token counts of group " + g);
      if (tokens.length != scored.get(g).memberCount()) {
        throw new IllegalArgumentException(
            "group "
                + g
                + " has "
                + scored.get(g).memberCount()
                + " members but "
                + tokens.length
                + " token counts");
      }
      for (int t : tokens) {
        if (t < 0) {
          throw new IllegalArgumentException("group " + g + " has a negative token count " + t);
        }
      }
      weights.add(scored.get(g).atScoredPositions(tokens));
    }
    return weights;
  }

  /** The per-group part of the estimator, one value per scored member. */
  private static double[] groupStep(ScoredRewards s, int groupIndex, AdvantageSpec spec) {
    int n = s.count();
    if (n == 0) {
      return new double[0];
    }
    if (n == 1 && refusesLoneScored(spec, s.memberCount())) {
      throw new IllegalArgumentException(
          "compat mode "
              + spec.mode().id()
              + " refuses a group with one scored member for estimator "
              + spec.estimator().id()
              + " (group "
              + groupIndex
              + ", "
              + s.memberCount()
              + " members)");
    }
    if (n == 1 && spec.mode() == CompatMode.TRL) {
      // TRL keeps a group whose other rewards are unscorable and computes over what remains;
      // a lone remaining reward is its own mean, and there is no spread to scale it by.
      return new double[] {0.0};
    }
    return switch (spec.estimator()) {
      case GRPO -> grpo(s, spec);
      case DR_GRPO, REINFORCE_PP_BASELINE -> centred(s, spec.mode());
      case RLOO -> rloo(s, spec.mode());
      case GRPO_PASS_AT_K -> passAtK(s, spec);
    };
  }

  private static boolean refusesLoneScored(AdvantageSpec spec, int memberCount) {
    return switch (spec.mode()) {
      case LODESTAR, TRL_ASYNC -> false;
      // verl raises only in pass@k; elsewhere it uses mean 0 and std 1.
      case VERL -> spec.estimator() == Estimator.GRPO_PASS_AT_K;
      // GRPOConfig requires num_generations >= 2; a larger group whose other rewards are
      // unscorable is kept.
      case TRL -> memberCount < 2;
      // The launcher asserts n_samples_per_prompt > 1 for every group estimator, dr_grpo included.
      case OPENRLHF -> true;
    };
  }

  private static double[] grpo(ScoredRewards s, AdvantageSpec spec) {
    int n = s.count();
    double[] a = new double[n];
    double eps = spec.eps();
    switch (spec.mode()) {
      case LODESTAR, VERL -> {
        // A lone reward is compared with mean 0 and std 1, as verl does, so it keeps its sign.
        double mean = n == 1 ? 0.0 : s.mean();
        double std = n == 1 ? 1.0 : s.std(1);
        for (int k = 0; k < n; k++) {
          a[k] = spec.normaliseByStd() ? (s.value(k) - mean) / (std + eps) : s.value(k) - mean;
        }
      }
      case TRL -> {
        double mean = s.mean();
        boolean byGroupStd = spec.scaleRewards() == ScaleRewards.GROUP;
        double divisor = byGroupStd ? s.std(1) + eps : 1.0;
        for (int k = 0; k < n; k++) {
          // BATCH is divided later, once the whole batch is known.
          a[k] = byGroupStd ? (s.value(k) - mean) / divisor : s.value(k) - mean;
        }
      }
      case TRL_ASYNC -> {
        double mean = s.mean();
        double std = s.std(0);
        for (int k = 0; k < n; k++) {
          a[k] = (s.value(k) - mean) / (std + eps);
        }
      }
      case OPENRLHF -> {
        double mean = s.mean();
        double std = s.std(1);
        for (int k = 0; k < n; k++) {
          a[k] = (s.value(k) - mean) / (std + eps);
        }
      }
      default -> throw new IllegalStateException("unknown compat mode " + spec.mode());
    }
    return a;
  }

  /** {@code r - mean}; verl and Lodestar take the baseline of a lone reward as 0. */
  private static double[] centred(ScoredRewards s, CompatMode mode) {
    int n = s.count();
    boolean loneKeepsReward = n == 1 && (mode == CompatMode.LODESTAR || mode == CompatMode.VERL);
    double mean = loneKeepsReward ? 0.0 : s.mean();
    double[] a = new double[n];
    for (int k = 0; k < n; k++) {
      a[k] = s.value(k) - mean;
    }
    return a;
  }

  private static double[] rloo(ScoredRewards s, CompatMode mode) {
    int n = s.count();
    double[] a = new double[n];
    if (n == 1) {
      a[0] = s.value(0); // no other member: baseline 0 (modes that refuse never get here)
      return a;
    }
    if (mode == CompatMode.VERL) {
      // verl's algebraically equal form r*n/(n-1) - mean*n/(n-1), kept for its rounding.
      double mean = s.mean();
      for (int k = 0; k < n; k++) {
        a[k] = s.value(k) * n / (n - 1) - mean * n / (n - 1);
      }
      return a;
    }
    double[] baselines = s.meansOfOthers();
    for (int k = 0; k < n; k++) {
      a[k] = s.value(k) - baselines[k];
    }
    return a;
  }

  private static double[] passAtK(ScoredRewards s, AdvantageSpec spec) {
    int n = s.count();
    double[] a = new double[n];
    if (n == 1) {
      return a; // Lodestar: no runner-up, no margin
    }
    int best = 0;
    for (int k = 1; k < n; k++) {
      if (s.value(k) > s.value(best)) {
        best = k; // strict: ties go to the first; their margin is 0 anyway
      }
    }
    double runnerUp = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      if (k != best) {
        runnerUp = Math.max(runnerUp, s.value(k));
      }
    }
    double margin = s.value(best) - runnerUp;
    a[best] = spec.normaliseByStd() ? margin / (s.std(1) + spec.eps()) : margin;
    return a;
  }

  /**
   * REINFORCE++-baseline's second step: whiten the centred rewards of the whole batch. With {@code
   * weights} (verl, OpenRLHF: response tokens) each value counts that many times, as the trainers'
   * masked statistics over tokens do; N is then the total weight.
   */
  private static void whitenOverBatch(
      List<double[]> perGroup, List<double[]> weights, AdvantageSpec spec) {
    int n = 0;
    for (double[] values : perGroup) {
      n += values.length;
    }
    if (n == 0) {
      return;
    }
    // Flattened in batch order; weighted sums are taken pairwise over w * x like any other sum.
    double[] values = new double[n];
    double[] w = new double[n];
    double[] weighted = new double[n];
    int k = 0;
    for (int g = 0; g < perGroup.size(); g++) {
      double[] groupValues = perGroup.get(g);
      for (int i = 0; i < groupValues.length; i++, k++) {
        values[k] = groupValues[i];
        w[k] = weights == null ? 1.0 : weights.get(g)[i];
        weighted[k] = w[k] * values[k];
      }
    }
    double total = Moments.sum(w);
    double sum = Moments.sum(weighted);
    double eps = spec.whitenEps();
    switch (spec.mode()) {
      case LODESTAR -> {
        double mean = Moments.mean(values);
        double std = n > 1 ? Math.sqrt(Moments.squaredDeviations(values, mean) / (n - 1)) : 0.0;
        // A lone sample is its own mean, so it whitens to 0 whatever the scale.
        double divisor = n > 1 ? std + eps : 1.0;
        apply(perGroup, x -> (x - mean) / divisor);
      }
      case VERL -> {
        if (total <= 1) {
          throw new IllegalArgumentException(
              "compat mode verl refuses to whiten a batch of "
                  + (weights == null
                      ? n + " scored sample(s)"
                      : (long) total + " response token(s)")
                  + " (masked_var divides by N-1 and raises for N <= 1)");
        }
        // verl_F.masked_mean divides by (N + 1e-8); masked_var applies Bessel's N/(N-1).
        double mean = withinWeightedRange(sum / (total + 1e-8), values, w);
        double variance =
            weightedSquaredDeviations(values, w, mean) / (total + 1e-8) * (total / (total - 1));
        double inverseStd = 1.0 / Math.sqrt(variance + eps);
        apply(perGroup, x -> (x - mean) * inverseStd);
      }
      case OPENRLHF -> {
        if (total == 0) {
          throw new IllegalArgumentException(
              "compat mode openrlhf refuses to whiten a batch whose scored responses have no tokens (0/0)");
        }
        double mean = withinWeightedRange(sum / total, values, w);
        double variance = weightedSquaredDeviations(values, w, mean) / total;
        double inverseStd = 1.0 / Math.sqrt(Math.max(variance, eps));
        apply(perGroup, x -> (x - mean) * inverseStd);
      }
      case TRL, TRL_ASYNC -> throw new IllegalStateException("no whitening in " + spec.mode().id());
      default -> throw new IllegalStateException("unknown compat mode " + spec.mode());
    }
  }

  /** TRL's scale_rewards=batch: the unbiased std of every scored reward in the batch. */
  private static void divideByBatchStd(
      List<double[]> perGroup, List<ScoredRewards> scored, double eps) {
    int n = 0;
    for (ScoredRewards s : scored) {
      n += s.count();
    }
    if (n < 2) {
      return; // a lone scored reward is its own mean: its advantage is already 0
    }
    double[] everything = new double[n];
    int k = 0;
    for (ScoredRewards s : scored) {
      for (int i = 0; i < s.count(); i++) {
        everything[k++] = s.value(i);
      }
    }
    double divisor = Moments.std(everything, 1) + eps;
    apply(perGroup, x -> x / divisor);
  }

  /**
   * {@code estimate} moved into the range of the values that carry weight: a weighted mean lies
   * there, and equal values then have exactly their value as mean (verl's {@code N + 1e-8} would
   * otherwise move it off; in the trainer's float32 that term rounds away anyway).
   */
  private static double withinWeightedRange(double estimate, double[] values, double[] weights) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < values.length; k++) {
      if (weights[k] > 0) {
        min = Math.min(min, values[k]);
        max = Math.max(max, values[k]);
      }
    }
    return min > max ? estimate : Math.min(Math.max(estimate, min), max);
  }

  private static double weightedSquaredDeviations(double[] values, double[] weights, double mean) {
    double[] terms = new double[values.length];
    for (int k = 0; k < values.length; k++) {
      double d = values[k] - mean;
      terms[k] = weights[k] * (d * d);
    }
    return Moments.sum(terms);
  }

  private static void apply(List<double[]> perGroup, DoubleUnaryOperator f) {
    for (double[] values : perGroup) {
      for (int k = 0; k < values.length; k++) {
        values[k] = f.applyAsDouble(values[k]);
      }
    }
  }
}
