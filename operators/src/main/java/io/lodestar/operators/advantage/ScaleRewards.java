package io.lodestar.operators.advantage;

import java.util.Locale;

/** TRL's {@code scale_rewards}: what the group-centred reward is divided by. */
public enum ScaleRewards {
  /** The group's unbiased standard deviation (plus eps). */
  GROUP,
  /** The unbiased standard deviation of every scored reward in the batch (plus eps). */
  BATCH,
  /** Nothing: Dr.GRPO. */
  NONE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@link #id()} (case-insensitive). */
  public static ScaleRewards fromId(String id) {
    try {
      return valueOf(id.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown scale_rewards '" + id + "'; use group, batch or none", e);
    }
  }
}
