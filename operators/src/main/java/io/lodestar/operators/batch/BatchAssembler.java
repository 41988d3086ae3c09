package io.lodestar.operators.batch;

import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packs settled groups into batches; pure, no Flink types. Groups are ordered by (closedAtMs,
 * groupId) before packing, so the same input always yields the same batches, whatever order the
 * groups arrived in.
 *
 * <p>A batch's id is derived from its content ({@link #batchId(String, List, Long)}), never from a
 * counter: a job that starts again without its state counts from 0 again, and a counter would then
 * name a second, different batch with an id a trainer has already seen.
 */
public final class BatchAssembler {

  public static final Comparator<RLGroup> SETTLE_ORDER =
      Comparator.comparingLong(RLGroup::getClosedAtMs).thenComparing(RLGroup::getGroupId);

  private BatchAssembler() {}

  /** Sorts groups into settle order, in place. */
  public static void sortForPacking(List<RLGroup> groups) {
    groups.sort(SETTLE_ORDER);
  }

  /**
   * Which open batch a group joins. With mixing off (the default) a batch holds one policy version:
   * {@code v<version>}, or {@code v<min>-<max>} for a group whose own samples span versions (such a
   * group only ever shares a batch with groups of the same span). With mixing on, every group of a
   * model goes to the one open batch.
   */
  public static String packingKey(RLGroup group, boolean mixPolicyVersions) {
    if (mixPolicyVersions) {
      return "";
    }
    long min = group.getMinPolicyVersion();
    long max = group.getMaxPolicyVersion();
    return min == max ? "v" + min : "v" + min + "-" + max;
  }

  /**
   * Whether {@code groupTokens} more would take an open batch of {@code batchTokens} over the
   * budget; never for an empty batch, so a group above the budget still goes out, alone.
   */
  public static boolean overflows(
      BatchLimits limits, int batchGroups, long batchTokens, long groupTokens) {
    return limits.hasTokenBudget()
        && batchGroups > 0
        && batchTokens + groupTokens > limits.maxTokens();
  }

  /** Whether a batch of {@code batchGroups} groups and {@code batchTokens} tokens is full. */
  public static boolean isFull(BatchLimits limits, int batchGroups, long batchTokens) {
    return batchGroups >= limits.groups()
        || (limits.hasTokenBudget() && batchTokens >= limits.maxTokens());
  }

  /** Hashed first: a change to what the id covers gets a new tag, so old and new ids never meet. */
  static final String ID_SCHEME = "lodestar-rlbatch-v1";

  /** Hex digits of the content hash in an id (the first 128 bits of SHA-256). */
  static final int ID_HASH_HEX_DIGITS = 32;

  /**
   * The batch id: {@code <modelId>-} and the first 128 bits (32 hex digits) of SHA-256 over the
   * batch's content, so one id always names one content, whichever run of the job (restored from a
   * checkpoint, or started again without state) packed it, and packing the same groups again yields
   * the same id. The hash covers, length-prefixed and in batch order: the model id, the trainer's
   * announced policy version, and for each group its id, estimator and estimator parameters (sorted
   * by name), and for each sample its generation id, policy version, reward and advantage. Call it
   * on the packed groups before the batch-wide advantage step, which is a function of exactly
   * these.
   *
   * @param trainerPolicyVersion the newest version a trainer had announced, or null
   */
  public static String batchId(String modelId, List<RLGroup> groups, Long trainerPolicyVersion) {
    ContentHash hash = new ContentHash();
    hash.string(ID_SCHEME);
    hash.string(modelId);
    hash.nullableLong(trainerPolicyVersion);
    hash.count(groups.size());
    for (RLGroup group : groups) {
      hash.string(group.getGroupId());
      hash.string(group.getEstimator());
      Map<String, String> params = new TreeMap<>(group.getEstimatorParams());
      hash.count(params.size());
      params.forEach(
          (name, value) -> {
            hash.string(name);
            hash.string(value);
          });
      hash.count(group.getSamples().size());
      for (RLSample sample : group.getSamples()) {
        hash.string(sample.getGenerationId());
        hash.number(sample.getPolicy().getPolicyVersion());
        hash.nullableDouble(sample.getReward());
        hash.number(Double.doubleToLongBits(sample.getAdvantage()));
      }
    }
    return modelId + "-" + hash.hex(ID_HASH_HEX_DIGITS / 2);
  }

  /**
   * A batch of {@code groups} with its id derived from them ({@link #batchId}) and no trainer
   * version.
   */
  public static RLBatch build(String modelId, long sequence, List<RLGroup> groups) {
    long tokens = 0;
    for (RLGroup g : groups) {
      tokens += TokenCounts.group(g);
    }
    return build(batchId(modelId, groups, null), modelId, sequence, groups, tokens, null);
  }

  /**
   * @param batchId the id {@link #batchId} gave the groups as packed
   * @param sequence the batch's position among the model's batches, as this job's state counts them
   * @param tokenCount prompt plus response tokens of the batch ({@link TokenCounts})
   * @param trainerPolicyVersion the newest version a trainer had announced, or null
   */
  public static RLBatch build(
      String batchId,
      String modelId,
      long sequence,
      List<RLGroup> groups,
      long tokenCount,
      Long trainerPolicyVersion) {
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
        .setBatchId(batchId)
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

  /** SHA-256 over length-prefixed fields, so no two different field lists hash the same bytes. */
  private static final class ContentHash {
    private final MessageDigest digest;
    private final byte[] buffer = new byte[8];

    ContentHash() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }

    void string(String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      count(bytes.length);
      digest.update(bytes);
    }

    void count(int n) {
      number(n);
    }

    void number(long value) {
      for (int i = 7; i >= 0; i--) {
        buffer[i] = (byte) value;
        value >>>= 8;
      }
      digest.update(buffer);
    }

    void nullableLong(Long value) {
      digest.update((byte) (value == null ? 0 : 1));
      if (value != null) {
        number(value);
      }
    }

    void nullableDouble(Double value) {
      nullableLong(value == null ? null : Double.doubleToLongBits(value));
    }

    String hex(int bytes) {
      byte[] full = digest.digest();
      return HexFormat.of().formatHex(full, 0, bytes);
    }
  }
}
