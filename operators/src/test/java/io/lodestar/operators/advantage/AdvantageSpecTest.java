package io.lodestar.operators.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class AdvantageSpecTest {

  @Test
  void fillsInEachTrainersDefaults() {
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.LODESTAR).eps()).isEqualTo(1e-6);
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL).eps()).isEqualTo(1e-6);
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).eps()).isEqualTo(1e-4);
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL_ASYNC).eps()).isEqualTo(1e-8);
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.OPENRLHF).eps()).isEqualTo(1e-9);

    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL_ASYNC).ddof()).isZero();
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).ddof()).isOne();
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).scaleRewards())
        .isEqualTo(ScaleRewards.GROUP);
    assertThat(AdvantageSpec.of(Estimator.DR_GRPO, CompatMode.TRL).scaleRewards())
        .isEqualTo(ScaleRewards.NONE);
    assertThat(AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.VERL).whitenEps())
        .isEqualTo(1e-8);
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL).normaliseByStd()).isTrue();
  }

  @Test
  void describesLodestarGrpoWithTheKeysTheExistingOperatorWrites() {
    assertThat(AdvantageSpec.lodestarGrpo().describe())
        .containsEntry("estimator", "grpo")
        .containsEntry("compat", "lodestar")
        .containsEntry("formula", "(r-mean)/(std+eps)")
        .containsEntry("eps", "1.0E-6")
        .containsEntry("std", "unbiased")
        .containsEntry("singleton", "mean=0,std=1")
        .containsEntry("unscored", "excluded,advantage=0")
        .containsEntry("incomplete", "members present");
  }

  @Test
  void describesOnlyTheSettingsAnEstimatorUses() {
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).describe())
        .containsEntry("scale_rewards", "group")
        .containsEntry("eps", "1.0E-4")
        .containsEntry("singleton", "group_of_one=refused,lone_scored=advantage=0");
    assertThat(AdvantageSpec.of(Estimator.DR_GRPO, CompatMode.OPENRLHF).describe())
        .containsEntry("singleton", "refused");
    assertThat(AdvantageSpec.of(Estimator.RLOO, CompatMode.VERL).describe())
        .containsEntry("formula", "(r-mean)*n/(n-1)")
        .doesNotContainKeys("eps", "std", "scale_rewards");
    assertThat(AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.OPENRLHF).describe())
        .containsEntry("whiten", "(x-mean)/sqrt(max(var,eps)),ddof=0")
        .containsEntry("whiten_eps", "1.0E-8")
        .containsEntry("reward_clip", "-10.0,10.0");
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL_ASYNC).describe())
        .containsEntry("std", "biased")
        .containsEntry("ddof", "0")
        .containsEntry("singleton", "advantage=0");
    assertThat(
            AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL).withNormaliseByStd(false).describe())
        .containsEntry("formula", "r-mean")
        .containsEntry("norm_adv_by_std", "false")
        .doesNotContainKey("eps");
  }

  @Test
  void refusesSettingsThatTheEstimatorAndModeDoNotUse() {
    assertThatThrownBy(
            () ->
                AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL)
                    .withScaleRewards(ScaleRewards.BATCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scaleRewards")
        .hasMessageContaining("verl");
    assertThatThrownBy(
            () -> AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withNormaliseByStd(false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AdvantageSpec.of(Estimator.RLOO, CompatMode.LODESTAR).withEps(1e-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rloo");
    assertThatThrownBy(
            () -> AdvantageSpec.of(Estimator.GRPO, CompatMode.LODESTAR).withWhitenEps(1e-3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                AdvantageSpec.of(Estimator.DR_GRPO, CompatMode.TRL)
                    .withScaleRewards(ScaleRewards.GROUP))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> AdvantageSpec.of(Estimator.RLOO, CompatMode.VERL).withRewardClip(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rewardClip");
    assertThatThrownBy(
            () -> AdvantageSpec.of(Estimator.RLOO, CompatMode.OPENRLHF).withRewardClip(1, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesANegativeOrNonFiniteEps() {
    AdvantageSpec spec = AdvantageSpec.lodestarGrpo();
    assertThatThrownBy(() -> spec.withEps(-1e-6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> spec.withEps(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> spec.withEps(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(spec.withEps(0.0).eps()).isZero();
  }

  @Test
  void knowsWhichSpecsNeedTheWholeBatch() {
    assertThat(
            AdvantageSpec.of(Estimator.REINFORCE_PP_BASELINE, CompatMode.LODESTAR)
                .needsWholeBatch())
        .isTrue();
    assertThat(
            AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL)
                .withScaleRewards(ScaleRewards.BATCH)
                .needsWholeBatch())
        .isTrue();
    assertThat(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).needsWholeBatch()).isFalse();
  }

  @Test
  void parsesEstimatorAndModeNames() {
    assertThat(Estimator.fromId("REINFORCE_PP_BASELINE"))
        .isEqualTo(Estimator.REINFORCE_PP_BASELINE);
    assertThat(CompatMode.fromId("trl-async")).isEqualTo(CompatMode.TRL_ASYNC);
    assertThatThrownBy(() -> CompatMode.fromId("deepspeed-chat"))
        .hasMessageContaining("deepspeed-chat");
  }

  @Test
  void isAValueThatSurvivesJavaSerialization() throws Exception {
    AdvantageSpec spec =
        AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL).withScaleRewards(ScaleRewards.BATCH);
    spec.describe(); // built before it travels, as in a job
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      AdvantageSpec copy = (AdvantageSpec) in.readObject();
      assertThat(copy).isEqualTo(spec).hasSameHashCodeAs(spec);
      assertThat(copy.describe()).isEqualTo(spec.describe());
    }
    assertThat(spec).isNotEqualTo(AdvantageSpec.of(Estimator.GRPO, CompatMode.TRL));
  }

  @Test
  void describesItselfOnceAndHandsOutTheSameUnmodifiableMap() {
    AdvantageSpec spec = AdvantageSpec.of(Estimator.GRPO, CompatMode.VERL);

    assertThat(spec.describe()).isSameAs(spec.describe());
    assertThatThrownBy(() -> spec.describe().put("eps", "0"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
