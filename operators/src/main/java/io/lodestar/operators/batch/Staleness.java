package io.lodestar.operators.batch;

import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How far behind the newest policy version a group may be before it reaches a trainer. The lag of a
 * group is the newest version known for its model (seen among groups settled so far, in event-time
 * order, or announced by a trainer on the control topic; see {@link BatchFunction}) minus the
 * group's oldest sample version.
 *
 * @param maxLag the largest allowed lag; negative switches the check off
 * @param action what happens to a stale group
 * @param weight the factor on a stale group's advantages when the action is {@link
 *     Action#DOWNWEIGHT}
 */
public record Staleness(long maxLag, Action action, double weight) implements Serializable {

  /** What happens to a stale group. */
  public enum Action {
    /** Set aside (counted, to the filtered output). */
    DROP,
    /** Kept, with every advantage multiplied by the weight. */
    DOWNWEIGHT;

    public static Action fromId(String id) {
      try {
        return valueOf(id.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown staleness action '" + id + "'; use drop or downweight", e);
      }
    }
  }

  public Staleness {
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("staleness weight must be in (0, 1], was " + weight);
    }
  }

  /** No staleness check. */
  public static Staleness off() {
    return new Staleness(-1, Action.DROP, 1.0);
  }

  public boolean enabled() {
    return maxLag >= 0;
  }

  public boolean isStale(RLGroup group, long newestVersion) {
    return enabled() && newestVersion - group.getMinPolicyVersion() > maxLag;
  }

  /** Scales the group's advantages by the weight and records why, in place. */
  public void downweight(RLGroup group, long newestVersion) {
    for (RLSample sample : group.getSamples()) {
      sample.setAdvantage(sample.getAdvantage() * weight);
    }
    Map<String, String> params = new LinkedHashMap<>(group.getEstimatorParams());
    params.put("staleness_lag", Long.toString(newestVersion - group.getMinPolicyVersion()));
    params.put("staleness_weight", Double.toString(weight));
    group.setEstimatorParams(params);
  }
}
