package io.lodestar.operators.advantage;

import java.util.Locale;

/**
 * Whose arithmetic to follow. {@link #LODESTAR} is Lodestar's own specification; the others
 * reproduce a trainer's formulas, ddof, eps placement and edge cases on the same rewards.
 */
public enum CompatMode {
  LODESTAR("lodestar"),
  VERL("verl"),
  TRL("trl"),
  /** TRL's experimental asynchronous GRPO rollout worker. */
  TRL_ASYNC("trl-async"),
  OPENRLHF("openrlhf");

  private final String id;

  CompatMode(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** Parses {@link #id()} (case-insensitive). */
  public static CompatMode fromId(String id) {
    String wanted = id.trim().toLowerCase(Locale.ROOT);
    for (CompatMode m : values()) {
      if (m.id.equals(wanted)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown advantage compat mode '" + id + "'");
  }
}
