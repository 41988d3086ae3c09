package io.lodestar.operators.group;

import io.lodestar.schema.Generation;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a generation belongs to the group its group id names. A group is one prompt sampled by
 * one policy a declared number of times, so a member must agree with the group's first member on
 * {@code promptId}, {@code policy.modelId} and {@code expectedGroupSize}; otherwise its reward
 * would be normalised against answers to another question, or trained into another model's batch.
 *
 * <p>The reason names each field that differs with both values. Those values are ids and sizes,
 * never prompt or response text, so the reason is safe in logs and dead letters.
 */
public final class GroupConsistency {

  /** Ids longer than this are cut in reasons; a dead letter's reason stays one short line. */
  static final int MAX_ID_CHARS = 128;

  private GroupConsistency() {}

  /**
   * Why {@code member} does not belong to a group whose first member had {@code promptId}, {@code
   * modelId} and {@code expectedSize} (null: declared none), or empty when it does.
   */
  public static Optional<String> disagreement(
      String promptId, String modelId, Integer expectedSize, Generation member) {
    StringBuilder reason = new StringBuilder();
    differs(reason, "promptId", quoted(promptId), quoted(member.getPromptId()));
    differs(reason, "policy.modelId", quoted(modelId), quoted(modelIdOf(member)));
    differs(
        reason, "expectedGroupSize", sizeOf(expectedSize), sizeOf(member.getExpectedGroupSize()));
    if (reason.length() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        "generation "
            + cut(member.getGenerationId())
            + " disagrees with the first member of group "
            + cut(member.getGroupId())
            + " on "
            + reason);
  }

  /** The member's model id, as the group keeps it. */
  static String modelIdOf(Generation member) {
    return member.getPolicy() == null ? null : member.getPolicy().getModelId();
  }

  private static void differs(StringBuilder reason, String field, String group, String member) {
    if (!Objects.equals(group, member)) {
      if (reason.length() > 0) {
        reason.append("; ");
      }
      reason
          .append(field)
          .append(' ')
          .append(member)
          .append(" (group has ")
          .append(group)
          .append(')');
    }
  }

  private static String quoted(String id) {
    return id == null ? "none" : "'" + cut(id) + "'";
  }

  private static String sizeOf(Integer size) {
    return size == null ? "none" : size.toString();
  }

  private static String cut(String id) {
    return id.length() <= MAX_ID_CHARS ? id : id.substring(0, MAX_ID_CHARS) + "...";
  }
}
