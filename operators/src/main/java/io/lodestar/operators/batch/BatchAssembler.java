package io.lodestar.operators.batch;

import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Packs settled groups into batches; pure, no Flink types. Groups are ordered by (closedAtMs,
 * groupId) before packing, so the same input always yields the same batches, whatever order the
 * groups arrived in.
 */
public final class BatchAssembler {

  public static final Comparator<RLGroup> SETTLE_ORDER =
      Comparator.comparingLong(RLGroup::getClosedAtMs).thenComparing(RLGroup::getGroupId);

  private BatchAssembler() {}

  /** Sorts groups into settle order, in place. */
  public static void sortForPacking(List<RLGroup> groups) {
    groups.sort(SETTLE_ORDER);
  }

  /** The batch id: model and sequence, both deterministic. */
  public static String batchId(String modelId, long sequence) {
    return modelId + "-" + String.format("%010d", sequence);
  }

  public static RLBatch build(String modelId, long sequence, List<RLGroup> groups) {
    long tokens = 0;
    for (RLGroup g : groups) {
      tokens += TokenCounts.group(g);
    }
    return build(modelId, sequence, groups, tokens, null);
  }

  /**
   * @param tokenCount prompt plus response tokens of the batch ({@link TokenCounts})
   * @param trainerPolicyVersion the newest version a trainer had announced, or null
   */
  public static RLBatch build(
      String modelId, long sequence, List<RLGroup> groups, long tokenCount, Long trainerPolicyVersion) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one group");
    }
    int samples = 0;
    long minVersion = Long.MAX_VALUE;
    long maxVersion = Long.MIN_VALUE;
    long closedAt = Long.MIN_VALUE;
    for (RLGroup g : groups) {
      samples += g.getSamples().size();
      minVersion = Math.min(minVersion, g.getMinPolicyVersion());
      maxVersion = Math.max(maxVersion, g.getMaxPolicyVersion());
      closedAt = Math.max(closedAt, g.getClosedAtMs());
    }
    return RLBatch.newBuilder()
        .setBatchId(batchId(modelId, sequence))
        .setModelId(modelId)
        .setSequence(sequence)
        .setGroups(new ArrayList<>(groups))
        .setSampleCount(samples)
        .setMinPolicyVersion(minVersion)
        .setMaxPolicyVersion(maxVersion)
        .setClosedAtMs(closedAt)
        .setTokenCount(tokenCount)
        .setTrainerPolicyVersion(trainerPolicyVersion)
        .build();
  }
}
