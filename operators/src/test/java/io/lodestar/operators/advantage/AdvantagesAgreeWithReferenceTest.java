package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded property test: every mode x estimator (and the settings each takes) against a plain
 * reference written here from the trainers' formulas, on random batches of groups of 1-64 members
 * with ties, all-equal groups, null, NaN and infinite rewards.
 */
class AdvantagesAgreeWithReferenceTest {

  private static final int TRIALS = 400;
  private static final double TOLERANCE = 1e-12;
  private static final double[] PALETTE = {0.0, 1.0, 0.5, -1.0, 0.25}; // exact in binary

  /** The settings a variant uses, stated here rather than read from the spec under test. */
  record Knobs(
      double eps,
      boolean normaliseByStd,
      String scale,
      double whitenEps,
      double clipLow,
      double clipHigh) {
    Knobs(double eps, boolean normaliseByStd, String scale, double whitenEps) {
      this(
          eps,
          normaliseByStd,
          scale,
          whitenEps,
          Double.NEGATIVE_INFINITY,
          Double.POSITIVE_INFINITY);
    }
  }

  static Stream<Arguments> variants() {
    List<Arguments> all = new ArrayList<>();
    for (CompatMode mode : CompatMode.values()) {
      for (Estimator estimator : AdvantageSpec.supported(mode)) {
        Knobs defaults = defaults(mode, estimator);
        all.add(variant(mode, estimator, "defaults", defaults, s -> s));
        if (estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K) {
          all.add(
              variant(mode, estimator, "eps=1e-3", withEps(defaults, 1e-3), s -> s.withEps(1e-3)));
        }
        if ((mode == CompatMode.LODESTAR || mode == CompatMode.VERL)
            && (estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K)) {
          all.add(
              variant(
                  mode,
                  estimator,
                  "normaliseByStd=false",
                  new Knobs(defaults.eps(), false, defaults.scale(), defaults.whitenEps()),
                  s -> s.withNormaliseByStd(false)));
        }
        if (mode == CompatMode.TRL && estimator == Estimator.GRPO) {
          for (ScaleRewards scale : List.of(ScaleRewards.BATCH, ScaleRewards.NONE)) {
            all.add(
                variant(
                    mode,
                    estimator,
                    "scale_rewards=" + scale.id(),
                    new Knobs(defaults.eps(), true, scale.id(), Double.NaN),
                    s -> s.withScaleRewards(scale)));
          }
        }
        if (estimator == Estimator.REINFORCE_PP_BASELINE) {
          all.add(
              variant(
                  mode,
                  estimator,
                  "whitenEps=1e-3",
                  new Knobs(
                      defaults.eps(), true, null, 1e-3, defaults.clipLow(), defaults.clipHigh()),
                  s -> s.withWhitenEps(1e-3)));
        }
        if (mode == CompatMode.OPENRLHF) {
          all.add(
              variant(
                  mode,
                  estimator,
                  "reward_clip=[-1,0.5]",
                  new Knobs(defaults.eps(), true, null, defaults.whitenEps(), -1, 0.5),
                  s -> s.withRewardClip(-1, 0.5)));
        }
      }
    }
    return all.stream();
  }

  private static Arguments variant(
      CompatMode mode,
      Estimator estimator,
      String label,
      Knobs knobs,
      UnaryOperator<AdvantageSpec> adjust) {
    return Arguments.of(
        mode.id() + " " + estimator.id() + " " + label, mode, estimator, knobs, adjust);
  }

  /** Each trainer's defaults as read in its source (see docs/advantages.md). */
  static Knobs defaults(CompatMode mode, Estimator estimator) {
    return switch (mode) {
      case LODESTAR -> new Knobs(1e-6, true, null, 1e-6);
      case VERL -> new Knobs(1e-6, true, null, 1e-8);
      case TRL -> new Knobs(1e-4, true, estimator == Estimator.GRPO ? "group" : "none", Double.NaN);
      case TRL_ASYNC -> new Knobs(1e-8, true, null, Double.NaN);
      case OPENRLHF -> new Knobs(1e-9, true, null, 1e-8, -10, 10);
    };
  }

  private static Knobs withEps(Knobs k, double eps) {
    return new Knobs(eps, k.normaliseByStd(), k.scale(), k.whitenEps(), k.clipLow(), k.clipHigh());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void agreesWithThePlainReferenceOnRandomBatches(
      String label,
      CompatMode mode,
      Estimator estimator,
      Knobs knobs,
      UnaryOperator<AdvantageSpec> adjust) {
    AdvantageSpec spec = adjust.apply(AdvantageSpec.of(estimator, mode));
    Random random = new Random(label.hashCode() * 31L + 20250611L);
    int computed = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      List<Double[]> batch = randomBatch(random);
      String where = label + ", trial " + trial + ", batch " + describe(batch);
      List<double[]> expected = Reference.advantages(batch, mode, estimator, knobs);

      if (expected == null) {
        assertThatThrownBy(() -> Advantages.batch(batch, spec))
            .as(where)
            .isInstanceOf(IllegalArgumentException.class);
        continue;
      }
      computed++;
      List<GroupResult> actual = Advantages.batch(batch, spec);
      assertThat(actual).as(where).hasSize(batch.size());
      for (int g = 0; g < batch.size(); g++) {
        Double[] rewards = batch.get(g);
        GroupResult result = actual.get(g);
        List<Double> scored = Reference.scored(rewards);
        assertThat(result.scoredCount()).as(where).isEqualTo(scored.size());
        assertThat(result.unscoredCount()).as(where).isEqualTo(rewards.length - scored.size());
        assertStatistics(
            result, scored, mode == CompatMode.TRL_ASYNC ? 0 : 1, where + ", group " + g);
        assertThat(result.advantages()).as(where + ", group " + g).hasSize(rewards.length);
        for (int i = 0; i < rewards.length; i++) {
          assertThat(result.advantages()[i])
              .as(where + ", group " + g + ", member " + i)
              .isCloseTo(expected.get(g)[i], within(TOLERANCE));
        }
      }
    }
    // Refusing modes refuse some batches; make sure most were still compared.
    assertThat(computed).as(label + ": batches compared").isGreaterThan(TRIALS / 4);
  }

  static Stream<Arguments> tokenWeightedModes() {
    return Stream.of(CompatMode.LODESTAR, CompatMode.VERL, CompatMode.OPENRLHF).map(Arguments::of);
  }

  /**
   * verl and OpenRLHF whiten REINFORCE++-baseline over response tokens. The reference does it
   * literally: every scored response becomes as many token values as it has tokens, and the batch
   * statistics run over those tokens. Lodestar's own mode weighs each response once.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("tokenWeightedModes")
  void tokenWeightedWhiteningAgreesWithWhiteningEveryTokenOfTheBatch(CompatMode mode) {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, mode);
    Knobs knobs = defaults(mode, Estimator.REINFORCE_PP_BASELINE);
    Random random = new Random(7_331L + mode.ordinal());
    int computed = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      List<Double[]> batch = randomBatch(random);
      List<int[]> tokens = new ArrayList<>();
      for (Double[] group : batch) {
        int[] t = new int[group.length];
        for (int i = 0; i < t.length; i++) {
          // Mostly real lengths, sometimes 0 or 1 token, so tiny totals show up.
          t[i] = random.nextInt(6) == 0 ? random.nextInt(2) : 1 + random.nextInt(40);
        }
        tokens.add(t);
      }
      String where = mode.id() + ", trial " + trial + ", batch " + describe(batch);
      List<double[]> expected = Reference.tokenWhitened(batch, tokens, mode, knobs);
      if (expected == null) {
        assertThatThrownBy(() -> Advantages.batch(batch, tokens, spec))
            .as(where)
            .isInstanceOf(IllegalArgumentException.class);
        continue;
      }
      computed++;
      List<GroupResult> actual = Advantages.batch(batch, tokens, spec);
      for (int g = 0; g < batch.size(); g++) {
        for (int i = 0; i < batch.get(g).length; i++) {
          // Relative above 1: near-zero token variance scales values up to ~1e4 (1/sqrt(eps)).
          double tolerance = TOLERANCE * Math.max(1.0, Math.abs(expected.get(g)[i]));
          assertThat(actual.get(g).advantages()[i])
              .as(where + ", group " + g + ", member " + i)
              .isCloseTo(expected.get(g)[i], within(tolerance));
        }
      }
    }
    assertThat(computed).as(mode.id() + ": batches compared").isGreaterThan(TRIALS / 4);
  }

  @Test
  void equalTokenCountsWhitenLikeOneWeightPerResponse() {
    // With every response the same length the token weights cancel (verl's N/(N-1) aside).
    List<Double[]> batch = List.of(new Double[] {1.0, 0.0, 0.5}, new Double[] {0.25, 1.0});
    List<int[]> tokens = List.of(new int[] {7, 7, 7}, new int[] {7, 7});
    AdvantageSpec spec = AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF);
    List<GroupResult> weighted = Advantages.batch(batch, tokens, spec);
    List<GroupResult> plain = Advantages.batch(batch, spec);
    for (int g = 0; g < batch.size(); g++) {
      assertThat(weighted.get(g).advantages())
          .containsExactly(plain.get(g).advantages(), within(1e-12));
    }
  }

  @Test
  void refusesEveryEstimatorThatATrainerLacks() {
    for (CompatMode mode : CompatMode.values()) {
      for (Estimator estimator : Estimator.values()) {
        if (AdvantageSpec.supported(mode).contains(estimator)) {
          continue;
        }
        assertThatThrownBy(() -> AdvantageSpec.of(estimator, mode))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(estimator.id())
            .hasMessageContaining(mode.id());
      }
    }
  }

  private static void assertStatistics(
      GroupResult result, List<Double> scored, int ddof, String where) {
    if (scored.isEmpty()) {
      assertThat(result.mean()).as(where).isNull();
    } else {
      assertThat(result.mean()).as(where).isCloseTo(Reference.mean(scored), within(TOLERANCE));
    }
    if (scored.size() <= ddof) {
      assertThat(result.std()).as(where).isNull();
    } else {
      assertThat(result.std()).as(where).isCloseTo(Reference.std(scored, ddof), within(TOLERANCE));
    }
  }

  private static List<Double[]> randomBatch(Random random) {
    int groups = 1 + random.nextInt(5);
    List<Double[]> batch = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      batch.add(randomGroup(random));
    }
    return batch;
  }

  private static Double[] randomGroup(Random random) {
    // Small groups more often, so that singletons and pairs show up.
    int size = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(64);
    Double[] rewards = new Double[size];
    if (random.nextInt(8) == 0) {
      Arrays.fill(rewards, PALETTE[random.nextInt(PALETTE.length)]); // all equal
      return rewards;
    }
    boolean noUnscored = random.nextInt(3) == 0;
    for (int i = 0; i < size; i++) {
      int kind = random.nextInt(12);
      if (!noUnscored && kind == 0) {
        rewards[i] = null;
      } else if (!noUnscored && kind == 1) {
        rewards[i] = Double.NaN;
      } else if (!noUnscored && kind == 2) {
        rewards[i] = random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      } else if (kind < 7) {
        rewards[i] = PALETTE[random.nextInt(PALETTE.length)]; // ties
      } else {
        rewards[i] = random.nextGaussian() * 3;
      }
    }
    return rewards;
  }

  private static String describe(List<Double[]> batch) {
    StringBuilder b = new StringBuilder();
    for (Double[] g : batch) {
      b.append(Arrays.toString(g));
    }
    return b.length() > 300 ? b.substring(0, 300) + "..." : b.toString();
  }

  /**
   * The trainers' arithmetic written out plainly, independent of the production code: leave-one-out
   * baselines by explicit loops over the other members, pass@k by sorting, whitening from scratch.
   */
  static final class Reference {

    private Reference() {}

    /** Expected advantages per group and member, or null where the trainer refuses the batch. */
    static List<double[]> advantages(
        List<Double[]> batch, CompatMode mode, Estimator estimator, Knobs knobs) {
      List<List<Double>> scoredGroups = new ArrayList<>();
      for (Double[] group : batch) {
        scoredGroups.add(scored(group));
      }
      for (int g = 0; g < batch.size(); g++) {
        if (scoredGroups.get(g).size() == 1
            && refusesLoneReward(mode, estimator, batch.get(g).length)) {
          return null;
        }
      }
      List<List<Double>> perGroup = new ArrayList<>();
      for (List<Double> s : scoredGroups) {
        if (s.size() == 1 && mode == CompatMode.TRL) {
          perGroup.add(new ArrayList<>(List.of(0.0))); // kept; its own mean, nothing to scale by
          continue;
        }
        perGroup.add(s.isEmpty() ? new ArrayList<>() : groupPart(s, mode, estimator, knobs));
      }
      for (List<Double> values : perGroup) {
        values.replaceAll(
            x ->
                x < knobs.clipLow()
                    ? knobs.clipLow()
                    : x > knobs.clipHigh() ? knobs.clipHigh() : x);
      }
      if (estimator == Estimator.REINFORCE_PP_BASELINE) {
        if (!whiten(perGroup, mode, knobs.whitenEps())) {
          return null;
        }
      }
      if ("batch".equals(knobs.scale()) && estimator == Estimator.GRPO) {
        List<Double> everything = new ArrayList<>();
        scoredGroups.forEach(everything::addAll);
        double divisor = everything.size() < 2 ? 1.0 : std(everything, 1) + knobs.eps();
        for (List<Double> values : perGroup) {
          values.replaceAll(x -> x / divisor);
        }
      }
      List<double[]> out = new ArrayList<>();
      for (int g = 0; g < batch.size(); g++) {
        Double[] group = batch.get(g);
        double[] advantages = new double[group.length];
        int k = 0;
        for (int i = 0; i < group.length; i++) {
          if (isScored(group[i])) {
            advantages[i] = perGroup.get(g).get(k++);
          }
        }
        out.add(advantages);
      }
      return out;
    }

    private static boolean refusesLoneReward(CompatMode mode, Estimator estimator, int members) {
      return switch (mode) {
        case LODESTAR, TRL_ASYNC -> false;
        case VERL -> estimator == Estimator.GRPO_PASS_AT_K;
        case TRL -> members < 2;
        case OPENRLHF -> true;
      };
    }

    private static List<Double> groupPart(
        List<Double> s, CompatMode mode, Estimator estimator, Knobs knobs) {
      int n = s.size();
      List<Double> out = new ArrayList<>();
      switch (estimator) {
        case GRPO -> {
          for (double r : s) {
            out.add(grpoOne(r, s, mode, knobs));
          }
        }
        case DR_GRPO, REINFORCE_PP_BASELINE -> {
          boolean loneKeepsReward =
              n == 1 && (mode == CompatMode.LODESTAR || mode == CompatMode.VERL);
          double baseline = loneKeepsReward ? 0.0 : mean(s);
          for (double r : s) {
            out.add(r - baseline);
          }
        }
        case RLOO -> {
          for (int i = 0; i < n; i++) {
            double others = 0;
            for (int j = 0; j < n; j++) {
              if (j != i) {
                others += s.get(j);
              }
            }
            out.add(n == 1 ? s.get(i) : s.get(i) - others / (n - 1));
          }
        }
        case GRPO_PASS_AT_K -> {
          for (int i = 0; i < n; i++) {
            out.add(0.0);
          }
          if (n > 1) {
            List<Double> sorted = new ArrayList<>(s);
            sorted.sort(Comparator.reverseOrder());
            double margin = sorted.get(0) - sorted.get(1);
            int best = s.indexOf(sorted.get(0));
            out.set(best, knobs.normaliseByStd() ? margin / (std(s, 1) + knobs.eps()) : margin);
          }
        }
        default -> throw new IllegalStateException("unknown estimator " + estimator);
      }
      return out;
    }

    private static double grpoOne(double r, List<Double> s, CompatMode mode, Knobs knobs) {
      int n = s.size();
      return switch (mode) {
        case LODESTAR, VERL -> {
          double mean = n == 1 ? 0.0 : mean(s);
          double std = n == 1 ? 1.0 : std(s, 1);
          yield knobs.normaliseByStd() ? (r - mean) / (std + knobs.eps()) : r - mean;
        }
        case TRL ->
            "group".equals(knobs.scale()) ? (r - mean(s)) / (std(s, 1) + knobs.eps()) : r - mean(s);
        case TRL_ASYNC -> (r - mean(s)) / (std(s, 0) + knobs.eps());
        case OPENRLHF -> (r - mean(s)) / (std(s, 1) + knobs.eps());
      };
    }

    /** Whitens in place; false where the trainer refuses. */
    private static boolean whiten(List<List<Double>> perGroup, CompatMode mode, double eps) {
      List<Double> all = new ArrayList<>();
      perGroup.forEach(all::addAll);
      int n = all.size();
      if (n == 0) {
        return true;
      }
      double sum = 0;
      for (double x : all) {
        sum += x;
      }
      UnaryOperator<Double> f;
      switch (mode) {
        case LODESTAR -> {
          double mean = sum / n;
          double scale = n > 1 ? std(all, 1) + eps : 1.0;
          f = x -> (x - mean) / scale;
        }
        case VERL -> {
          if (n == 1) {
            return false;
          }
          // Equal values have themselves as mean: in the trainer's float32, N + 1e-8 rounds to N.
          double mean = allEqual(all) ? all.get(0) : sum / (n + 1e-8);
          double squares = 0;
          for (double x : all) {
            squares += (x - mean) * (x - mean);
          }
          double variance = squares / (n + 1e-8) * n / (n - 1);
          f = x -> (x - mean) / Math.sqrt(variance + eps);
        }
        case OPENRLHF -> {
          double mean = sum / n;
          double squares = 0;
          for (double x : all) {
            squares += (x - mean) * (x - mean);
          }
          double variance = squares / n;
          f = x -> (x - mean) / Math.sqrt(Math.max(variance, eps));
        }
        default -> throw new AssertionError(mode);
      }
      for (List<Double> values : perGroup) {
        values.replaceAll(f);
      }
      return true;
    }

    /**
     * REINFORCE++-baseline with token-level whitening: each scored response contributes its centred
     * reward once per token. Null where the trainer refuses.
     */
    static List<double[]> tokenWhitened(
        List<Double[]> batch, List<int[]> tokens, CompatMode mode, Knobs knobs) {
      List<List<Double>> scoredGroups = new ArrayList<>();
      for (Double[] group : batch) {
        scoredGroups.add(scored(group));
      }
      for (int g = 0; g < batch.size(); g++) {
        if (scoredGroups.get(g).size() == 1
            && refusesLoneReward(mode, Estimator.REINFORCE_PP_BASELINE, batch.get(g).length)) {
          return null;
        }
      }
      List<List<Double>> perGroup = new ArrayList<>();
      for (List<Double> s : scoredGroups) {
        List<Double> values =
            s.isEmpty()
                ? new ArrayList<>()
                : groupPart(s, mode, Estimator.REINFORCE_PP_BASELINE, knobs);
        values.replaceAll(
            x ->
                x < knobs.clipLow()
                    ? knobs.clipLow()
                    : x > knobs.clipHigh() ? knobs.clipHigh() : x);
        perGroup.add(values);
      }
      if (mode == CompatMode.LODESTAR) {
        if (!whiten(perGroup, mode, knobs.whitenEps())) {
          return null;
        }
      } else {
        // (value, tokens) of every scored response: the response's value repeated once per token.
        // Sums over the tokens are taken as tokens * value, which is the same sum in exact
        // arithmetic and avoids rounding that repeated addition would add to an ill-conditioned
        // x - mean.
        List<double[]> tokenRuns = new ArrayList<>();
        for (int g = 0; g < batch.size(); g++) {
          int k = 0;
          for (int i = 0; i < batch.get(g).length; i++) {
            if (isScored(batch.get(g)[i])) {
              tokenRuns.add(new double[] {perGroup.get(g).get(k++), tokens.get(g)[i]});
            }
          }
        }
        if (!tokenRuns.isEmpty()) {
          double n = 0;
          double sum = 0;
          for (double[] run : tokenRuns) {
            n += run[1];
            sum += run[1] * run[0];
          }
          UnaryOperator<Double> f;
          if (mode == CompatMode.VERL) {
            if (n <= 1) {
              return null; // masked_var raises for a mask sum of 0 or 1
            }
            double mean =
                equalWhereWeighted(tokenRuns) ? weightedValue(tokenRuns) : sum / (n + 1e-8);
            double squares = 0;
            for (double[] run : tokenRuns) {
              squares += run[1] * (run[0] - mean) * (run[0] - mean);
            }
            double variance = squares / (n + 1e-8) * n / (n - 1);
            f = x -> (x - mean) / Math.sqrt(variance + knobs.whitenEps());
          } else {
            if (n == 0) {
              return null; // 0/0 in the trainer
            }
            double mean = sum / n;
            double squares = 0;
            for (double[] run : tokenRuns) {
              squares += run[1] * (run[0] - mean) * (run[0] - mean);
            }
            double variance = squares / n;
            f = x -> (x - mean) / Math.sqrt(Math.max(variance, knobs.whitenEps()));
          }
          for (List<Double> values : perGroup) {
            values.replaceAll(f);
          }
        }
      }
      List<double[]> out = new ArrayList<>();
      for (int g = 0; g < batch.size(); g++) {
        Double[] group = batch.get(g);
        double[] advantages = new double[group.length];
        int k = 0;
        for (int i = 0; i < group.length; i++) {
          if (isScored(group[i])) {
            advantages[i] = perGroup.get(g).get(k++);
          }
        }
        out.add(advantages);
      }
      return out;
    }

    static List<Double> scored(Double[] rewards) {
      List<Double> out = new ArrayList<>();
      for (Double r : rewards) {
        if (isScored(r)) {
          out.add(r);
        }
      }
      return out;
    }

    private static boolean isScored(Double r) {
      return r != null && !r.isNaN() && !r.isInfinite();
    }

    static boolean allEqual(List<Double> values) {
      return values.stream().distinct().count() == 1;
    }

    /** Whether every run with tokens has the same value. */
    static boolean equalWhereWeighted(List<double[]> runs) {
      return runs.stream().filter(r -> r[1] > 0).mapToDouble(r -> r[0]).distinct().count() == 1;
    }

    static double weightedValue(List<double[]> runs) {
      return runs.stream().filter(r -> r[1] > 0).findFirst().orElseThrow()[0];
    }

    static double mean(List<Double> values) {
      double sum = 0;
      for (double v : values) {
        sum += v;
      }
      return sum / values.size();
    }

    static double std(List<Double> values, int ddof) {
      double mean = mean(values);
      double squares = 0;
      for (double v : values) {
        squares += (v - mean) * (v - mean);
      }
      return Math.sqrt(squares / (values.size() - ddof));
    }
  }
}
