package io.lodestar.operators.group;

import io.lodestar.operators.advantage.DynamicSamplingFilters;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.util.Locale;

/**
 * Dynamic sampling: which finished groups carry a learning signal. A group whose rewards do not
 * vary gives every member advantage 0 and only dilutes a batch.
 */
public enum GroupFilter {
  /** Keep every group. */
  NONE,
  /** verl / DAPO: keep a group whose reward std is above 0, or that has a single member. */
  VERL,
  /** OpenRLHF: keep a group whose mean reward lies strictly inside (0, 1). */
  OPENRLHF;

  /** True when {@code group} should reach the trainer. */
  public boolean keeps(RLGroup group) {
    if (this == NONE) {
      return true;
    }
    Double[] rewards = new Double[group.getSamples().size()];
    for (int i = 0; i < rewards.length; i++) {
      RLSample s = group.getSamples().get(i);
      rewards[i] = s.getScored() ? s.getReward() : null;
    }
    return this == VERL
        ? DynamicSamplingFilters.verlKeeps(rewards)
        : DynamicSamplingFilters.openRlhfKeeps(rewards);
  }

  /** Parses none, verl or openrlhf (case-insensitive). */
  public static GroupFilter fromId(String id) {
    try {
      return valueOf(id.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown group filter '" + id + "'; use none, verl or openrlhf", e);
    }
  }
}
