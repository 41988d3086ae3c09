package io.lodestar.operators.group;

import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.SetAsideReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labels the groups that go to the set-aside (filtered-groups) output instead of a batch with the
 * {@link SetAsideReason}; pure, no Flink types. Every copy is new, the input is left as it was.
 */
public final class SetAsideGroups {

  /**
   * Estimator of a group no advantages were computed for; its samples' advantages are 0 and mean
   * nothing.
   */
  public static final String NO_ESTIMATOR = "none";

  /** Estimator parameters of a refused group: the mode and estimator that refused it, and why. */
  public static final String REFUSED_BY_COMPAT = "refused_by_compat";

  public static final String REFUSED_ESTIMATOR = "refused_estimator";
  public static final String REFUSAL = "refusal";

  private SetAsideGroups() {}

  /** A copy of {@code group} that says why it was set aside. */
  public static RLGroup because(RLGroup group, SetAsideReason reason) {
    return RLGroup.newBuilder(group).setReason(reason).build();
  }

  /**
   * A copy of a group the chosen trainer arithmetic refused ({@link
   * SetAsideReason#TRAINER_REFUSED}), stripped of every number that depends on the estimator: since
   * that mode has no result for it, any advantage here would be another mode's. The estimator
   * becomes {@value #NO_ESTIMATOR}, every advantage 0 and the reward std (whose ddof is the mode's)
   * null; rewards, their mean and counts stay.
   */
  public static RLGroup refusedByTrainer(RLGroup group, AdvantageSpec refusedBy, String refusal) {
    List<RLSample> samples = new ArrayList<>(group.getSamples().size());
    for (RLSample sample : group.getSamples()) {
      samples.add(RLSample.newBuilder(sample).setAdvantage(0.0).build());
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put(REFUSED_BY_COMPAT, refusedBy.mode().id());
    params.put(REFUSED_ESTIMATOR, refusedBy.estimator().id());
    params.put(REFUSAL, refusal == null ? "refused" : refusal);
    return RLGroup.newBuilder(group)
        .setSamples(samples)
        .setEstimator(NO_ESTIMATOR)
        .setEstimatorParams(params)
        .setRewardStd(null)
        .setReason(SetAsideReason.TRAINER_REFUSED)
        .build();
  }
}
