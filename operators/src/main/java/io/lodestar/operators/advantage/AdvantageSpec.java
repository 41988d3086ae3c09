package io.lodestar.operators.advantage;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which estimator, whose arithmetic, and the few numbers that arithmetic takes. Immutable; start
 * from {@link #of(Estimator, CompatMode)}, which fills in the mode's defaults, and adjust with the
 * {@code with...} methods. A setting that the chosen estimator and mode do not use is refused
 * rather than silently ignored.
 */
public final class AdvantageSpec implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Lodestar's and verl's epsilon, added to the group std. */
  public static final double LODESTAR_EPS = GroupAdvantages.VERL_EPS;

  public static final double VERL_EPS = GroupAdvantages.VERL_EPS;
  public static final double TRL_EPS = 1e-4;
  public static final double TRL_ASYNC_EPS = 1e-8;
  public static final double OPENRLHF_EPS = 1e-9;

  /** verl adds it to the batch variance inside the square root when whitening. */
  public static final double VERL_WHITEN_EPS = 1e-8;

  /** OpenRLHF floors the batch variance at it when whitening. */
  public static final double OPENRLHF_WHITEN_EPS = 1e-8;

  /** OpenRLHF's default {@code --reward.clip_range}, applied to the shaped reward. */
  public static final double OPENRLHF_CLIP_LOW = -10.0;

  public static final double OPENRLHF_CLIP_HIGH = 10.0;

  private final Estimator estimator;
  private final CompatMode mode;
  private final double eps;
  private final boolean normaliseByStd;
  private final ScaleRewards scaleRewards;
  private final double whitenEps;
  private final double clipLow;
  private final double clipHigh;

  /**
   * Every group carries it; formatting its numbers once per group showed in the grouping's profile.
   */
  private transient volatile Map<String, String> description;

  private AdvantageSpec(
      Estimator estimator,
      CompatMode mode,
      double eps,
      boolean normaliseByStd,
      ScaleRewards scaleRewards,
      double whitenEps,
      double clipLow,
      double clipHigh) {
    this.estimator = estimator;
    this.mode = mode;
    this.eps = eps;
    this.normaliseByStd = normaliseByStd;
    this.scaleRewards = scaleRewards;
    this.whitenEps = whitenEps;
    this.clipLow = clipLow;
    this.clipHigh = clipHigh;
  }

  /** Lodestar's default: GRPO with the numbers of {@link GroupAdvantages#grpo}. */
  public static AdvantageSpec lodestarGrpo() {
    return of(Estimator.GRPO, CompatMode.LODESTAR);
  }

  /**
   * The spec with the mode's defaults.
   *
   * @throws IllegalArgumentException when the trainer has no such estimator
   */
  public static AdvantageSpec of(Estimator estimator, CompatMode mode) {
    Objects.requireNonNull(estimator, "estimator");
    Objects.requireNonNull(mode, "mode");
    if (!supported(mode).contains(estimator)) {
      throw new IllegalArgumentException(
          "estimator "
              + estimator.id()
              + " is not available in compat mode "
              + mode.id()
              + " (it supports: "
              + supported(mode).stream().map(Estimator::id).collect(Collectors.joining(", "))
              + ")");
    }
    double eps =
        switch (mode) {
          case LODESTAR -> LODESTAR_EPS;
          case VERL -> VERL_EPS;
          case TRL -> TRL_EPS;
          case TRL_ASYNC -> TRL_ASYNC_EPS;
          case OPENRLHF -> OPENRLHF_EPS;
        };
    double whitenEps =
        switch (mode) {
          case LODESTAR -> LODESTAR_EPS;
          case VERL -> VERL_WHITEN_EPS;
          case OPENRLHF -> OPENRLHF_WHITEN_EPS;
          case TRL, TRL_ASYNC -> Double.NaN; // neither whitens; never read
        };
    ScaleRewards scale = null;
    if (mode == CompatMode.TRL && estimator == Estimator.GRPO) {
      scale = ScaleRewards.GROUP;
    } else if (mode == CompatMode.TRL && estimator == Estimator.DR_GRPO) {
      scale = ScaleRewards.NONE; // TRL's Dr.GRPO is GRPO with scale_rewards=none
    }
    // Only OpenRLHF clips; elsewhere the bounds are open and never applied.
    boolean clips = mode == CompatMode.OPENRLHF;
    return new AdvantageSpec(
        estimator,
        mode,
        eps,
        true,
        scale,
        whitenEps,
        clips ? OPENRLHF_CLIP_LOW : Double.NEGATIVE_INFINITY,
        clips ? OPENRLHF_CLIP_HIGH : Double.POSITIVE_INFINITY);
  }

  /** The estimators a mode has, in declaration order. */
  public static Set<Estimator> supported(CompatMode mode) {
    return switch (mode) {
      case LODESTAR, VERL -> Collections.unmodifiableSet(EnumSet.allOf(Estimator.class));
      case TRL ->
          Collections.unmodifiableSet(
              EnumSet.of(Estimator.GRPO, Estimator.DR_GRPO, Estimator.RLOO));
      case TRL_ASYNC -> Collections.unmodifiableSet(EnumSet.of(Estimator.GRPO));
      case OPENRLHF ->
          Collections.unmodifiableSet(
              EnumSet.of(
                  Estimator.GRPO,
                  Estimator.DR_GRPO,
                  Estimator.RLOO,
                  Estimator.REINFORCE_PP_BASELINE));
    };
  }

  /** The epsilon of the group-level division (GRPO, pass@k). */
  public AdvantageSpec withEps(double eps) {
    require(usesEps(), "eps");
    requireNonNegativeFinite(eps, "eps");
    return new AdvantageSpec(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, clipLow, clipHigh);
  }

  /**
   * verl's {@code norm_adv_by_std_in_grpo} (also honoured by Lodestar): false drops the division by
   * {@code std + eps}, which turns GRPO into Dr.GRPO and leaves pass@k with the raw margin.
   */
  public AdvantageSpec withNormaliseByStd(boolean normaliseByStd) {
    require(
        (mode == CompatMode.LODESTAR || mode == CompatMode.VERL)
            && (estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K),
        "normaliseByStd");
    return new AdvantageSpec(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, clipLow, clipHigh);
  }

  /** TRL's {@code scale_rewards}; {@link ScaleRewards#BATCH} needs {@link Advantages#batch}. */
  public AdvantageSpec withScaleRewards(ScaleRewards scaleRewards) {
    require(mode == CompatMode.TRL && estimator == Estimator.GRPO, "scaleRewards");
    Objects.requireNonNull(scaleRewards, "scaleRewards");
    return new AdvantageSpec(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, clipLow, clipHigh);
  }

  /** The epsilon of REINFORCE++-baseline's batch whitening (placement depends on the mode). */
  public AdvantageSpec withWhitenEps(double whitenEps) {
    require(estimator == Estimator.REINFORCE_PP_BASELINE, "whitenEps");
    requireNonNegativeFinite(whitenEps, "whitenEps");
    return new AdvantageSpec(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, clipLow, clipHigh);
  }

  /**
   * OpenRLHF's {@code reward_clip_range}: it clamps the shaped reward (the advantage before any
   * whitening) to {@code [low, high]}. Infinite bounds switch it off.
   */
  public AdvantageSpec withRewardClip(double low, double high) {
    require(mode == CompatMode.OPENRLHF, "rewardClip");
    if (Double.isNaN(low) || Double.isNaN(high) || low > high) {
      throw new IllegalArgumentException(
          "reward clip needs low <= high, got [" + low + ", " + high + "]");
    }
    return new AdvantageSpec(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, low, high);
  }

  public Estimator estimator() {
    return estimator;
  }

  public CompatMode mode() {
    return mode;
  }

  public double eps() {
    return eps;
  }

  /** Delta degrees of freedom of the group std: 1 (unbiased) everywhere but trl-async (0). */
  public int ddof() {
    return mode == CompatMode.TRL_ASYNC ? 0 : 1;
  }

  public boolean normaliseByStd() {
    return normaliseByStd;
  }

  /** TRL's scale_rewards; null where it does not apply (outside trl grpo and dr_grpo). */
  public ScaleRewards scaleRewards() {
    return scaleRewards;
  }

  public double whitenEps() {
    return whitenEps;
  }

  /** Lower bound the shaped reward is clamped to; -infinity outside openrlhf. */
  public double clipLow() {
    return clipLow;
  }

  public double clipHigh() {
    return clipHigh;
  }

  /**
   * Whether the advantages of one group depend on the other groups of the batch, so that {@link
   * Advantages#group} gives the result of a batch holding only that group.
   */
  public boolean needsWholeBatch() {
    return estimator == Estimator.REINFORCE_PP_BASELINE || scaleRewards == ScaleRewards.BATCH;
  }

  /**
   * Everything a trainer needs to reproduce the numbers, for {@code RLGroup.estimatorParams}. Only
   * settings the estimator actually uses are listed.
   */
  public Map<String, String> describe() {
    Map<String, String> d = description;
    if (d == null) {
      d = buildDescription();
      description = d; // immutable, so a race only builds it twice
    }
    return d;
  }

  private Map<String, String> buildDescription() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("estimator", estimator.id());
    d.put("compat", mode.id());
    d.put("formula", formula());
    if (usesGroupStd()) {
      d.put("std", ddof() == 1 ? "unbiased" : "biased");
      d.put("ddof", Integer.toString(ddof()));
    }
    if (usesEps() && dividesByGroupOrBatchStd()) {
      d.put("eps", Double.toString(eps));
    }
    if (scaleRewards != null) {
      d.put("scale_rewards", scaleRewards.id());
    }
    if ((mode == CompatMode.LODESTAR || mode == CompatMode.VERL)
        && (estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K)) {
      d.put("norm_adv_by_std", Boolean.toString(normaliseByStd));
    }
    if (estimator == Estimator.REINFORCE_PP_BASELINE) {
      d.put("whiten", whitenFormula());
      d.put("whiten_eps", Double.toString(whitenEps));
    }
    if (mode == CompatMode.OPENRLHF) {
      d.put("reward_clip", clipLow + "," + clipHigh);
    }
    d.put("singleton", singletonRule());
    d.put("unscored", "excluded,advantage=0");
    d.put("incomplete", "members present");
    d.put("precision", "float64");
    return Collections.unmodifiableMap(d);
  }

  private boolean usesEps() {
    return estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K;
  }

  private boolean dividesByGroupOrBatchStd() {
    return normaliseByStd && scaleRewards != ScaleRewards.NONE;
  }

  private boolean usesGroupStd() {
    return (estimator == Estimator.GRPO || estimator == Estimator.GRPO_PASS_AT_K)
        && dividesByGroupOrBatchStd();
  }

  private String formula() {
    return switch (estimator) {
      case GRPO -> {
        if (!dividesByGroupOrBatchStd()) {
          yield "r-mean";
        }
        yield scaleRewards == ScaleRewards.BATCH
            ? "(r-mean)/(std_batch+eps)"
            : "(r-mean)/(std+eps)";
      }
      case DR_GRPO -> "r-mean";
      case RLOO -> mode == CompatMode.VERL ? "(r-mean)*n/(n-1)" : "r-mean_of_others";
      case REINFORCE_PP_BASELINE -> "whiten_batch(r-mean)";
      case GRPO_PASS_AT_K ->
          normaliseByStd
              ? "best:(r_max-r_second)/(std+eps),others:0"
              : "best:r_max-r_second,others:0";
    };
  }

  private String whitenFormula() {
    return switch (mode) {
      case LODESTAR -> "(x-mean)/(std+eps),ddof=1";
      case VERL -> "(x-mean)/sqrt(var+eps),ddof=1,mean=sum/(n+1e-8),single_sample_batch=refused";
      case OPENRLHF -> "(x-mean)/sqrt(max(var,eps)),ddof=0";
      case TRL, TRL_ASYNC -> throw new IllegalStateException("no whitening in " + mode.id());
    };
  }

  private String singletonRule() {
    String keepsReward = estimator == Estimator.GRPO ? "mean=0,std=1" : "baseline=0";
    return switch (mode) {
      case LODESTAR -> estimator == Estimator.GRPO_PASS_AT_K ? "advantage=0" : keepsReward;
      case VERL -> estimator == Estimator.GRPO_PASS_AT_K ? "refused" : keepsReward;
      case TRL -> "group_of_one=refused,lone_scored=advantage=0";
      case TRL_ASYNC -> "advantage=0";
      case OPENRLHF -> "refused";
    };
  }

  private void require(boolean applies, String setting) {
    if (!applies) {
      throw new IllegalArgumentException(
          setting
              + " does not apply to estimator "
              + estimator.id()
              + " in compat mode "
              + mode.id());
    }
  }

  private static void requireNonNegativeFinite(double value, String name) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof AdvantageSpec other)) {
      return false;
    }
    return estimator == other.estimator
        && mode == other.mode
        && Double.compare(eps, other.eps) == 0
        && normaliseByStd == other.normaliseByStd
        && scaleRewards == other.scaleRewards
        && Double.compare(whitenEps, other.whitenEps) == 0
        && Double.compare(clipLow, other.clipLow) == 0
        && Double.compare(clipHigh, other.clipHigh) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        estimator, mode, eps, normaliseByStd, scaleRewards, whitenEps, clipLow, clipHigh);
  }

  @Override
  public String toString() {
    return "AdvantageSpec" + describe();
  }
}
