package io.lodestar.operators.batch;

import java.io.Serializable;

/**
 * When a batch is full: at {@code groups} groups, or, with a token budget, when the next group
 * would take the batch's prompt plus response tokens ({@link TokenCounts}) above {@code maxTokens}.
 * A single group above the budget goes out as a batch of its own, never dropped.
 *
 * @param groups groups per batch, at least 1
 * @param maxTokens token budget per batch; 0 or less switches it off
 */
public record BatchLimits(int groups, long maxTokens) implements Serializable {

  public BatchLimits {
    if (groups < 1) {
      throw new IllegalArgumentException("groupsPerBatch must be at least 1, was " + groups);
    }
  }

  public static BatchLimits ofGroups(int groups) {
    return new BatchLimits(groups, 0);
  }

  public boolean hasTokenBudget() {
    return maxTokens > 0;
  }
}
