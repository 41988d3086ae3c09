package io.lodestar.operators.reward.remote;

/** What happens to a record whose remote score timed out or failed (it is never scored 0). */
public enum FailurePolicy {
  /** The record goes on with a TIMEOUT or ERROR component (value null) and is counted. */
  UNSCORED,
  /** The record leaves the stream as a dead letter with the failure's reason, and is counted. */
  DEAD_LETTER
}
