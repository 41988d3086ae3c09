package io.lodestar.operators.reward.remote;

import io.lodestar.schema.RewardStatus;

/**
 * How a remote call ended: a 2xx body, or a failure with a stable detail such as {@code http-503},
 * {@code timeout}, {@code connection} or {@code rate-budget}. Details never carry URLs, headers or
 * exception text, so no credential can travel in them.
 */
public record CallResult(String body, RewardStatus failure, String detail, int attempts) {

  static CallResult ok(String body, int attempts) {
    return new CallResult(body, null, null, attempts);
  }

  static CallResult failed(RewardStatus status, String detail, int attempts) {
    return new CallResult(null, status, detail, attempts);
  }

  public boolean succeeded() {
    return failure == null;
  }
}
