package io.lodestar.operators.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Everything the grouping keeps about one group besides its members, in one state value so each
 * member costs one read and one write: while open, the deadline, what the first member said the
 * group is (prompt id, model id, expected size) and the ids seen; once closed, only the end of the
 * late window.
 *
 * <p>Fields may be added (a savepoint of an earlier shape restores with the new ones null), never
 * renamed or removed: Flink's POJO serializer migrates by field name.
 */
public class GroupProgress {

  /** Event time the group times out; null once closed. */
  public Long deadline;

  /**
   * The size the first member declared (null if it declared none). Groups restored from a savepoint
   * of an earlier version keep the largest size declared before the restore.
   */
  public Integer expectedSize;

  /**
   * The first member's prompt id; null once closed, and in a group restored from a savepoint of a
   * version that did not keep it, until the grouping reads it from the stored members.
   */
  public String promptId;

  /** The first member's {@code policy.modelId}; null exactly when {@link #promptId} is. */
  public String modelId;

  /** Generation ids of the members so far, in arrival order; empty once closed. */
  public List<String> memberIds = new ArrayList<>();

  /** Event time the late window ends; null while open. */
  public Long closedUntil;

  public GroupProgress() {}

  static GroupProgress open(long deadline) {
    GroupProgress progress = new GroupProgress();
    progress.deadline = deadline;
    return progress;
  }

  static GroupProgress closed(long until) {
    GroupProgress progress = new GroupProgress();
    progress.closedUntil = until;
    return progress;
  }

  boolean isClosed() {
    return closedUntil != null;
  }

  /**
   * Explicit field types: a {@code List} field would otherwise fall back to Kryo, which the
   * pipeline disables.
   */
  static TypeInformation<GroupProgress> typeInfo() {
    return Types.POJO(
        GroupProgress.class,
        Map.of(
            "deadline", Types.LONG,
            "expectedSize", Types.INT,
            "memberIds", Types.LIST(Types.STRING),
            "closedUntil", Types.LONG,
            "promptId", Types.STRING,
            "modelId", Types.STRING));
  }
}
