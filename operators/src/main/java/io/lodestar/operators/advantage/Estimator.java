package io.lodestar.operators.advantage;

import java.util.Locale;

/** How a group's rewards become advantages; see {@code docs/advantages.md}. */
public enum Estimator {
  /** {@code (r - mean) / (std + eps)} within the group. */
  GRPO("grpo"),
  /** {@code r - mean}: GRPO without the division by std. */
  DR_GRPO("dr_grpo"),
  /** {@code r - mean of the other members}. */
  RLOO("rloo"),
  /** Group mean subtracted, then whitened over the whole batch. */
  REINFORCE_PP_BASELINE("reinforce_pp_baseline"),
  /** Only the best member gets an advantage: its margin over the runner-up. */
  GRPO_PASS_AT_K("grpo_pass_at_k");

  private final String id;

  Estimator(String id) {
    this.id = id;
  }

  /** The name written to {@code RLGroup.estimator}. */
  public String id() {
    return id;
  }

  /** Parses {@link #id()} (case-insensitive). */
  public static Estimator fromId(String id) {
    String wanted = id.trim().toLowerCase(Locale.ROOT);
    for (Estimator e : values()) {
      if (e.id.equals(wanted)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown advantage estimator '" + id + "'");
  }
}
