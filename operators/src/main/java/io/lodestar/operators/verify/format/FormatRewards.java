package io.lodestar.operators.verify.format;

import io.lodestar.operators.verify.VerifierResults;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;

/** Builds the reward components that the format verifiers return. */
final class FormatRewards {

  private FormatRewards() {}

  static RewardComponent component(
      String name, String version, Double value, RewardStatus status, String detail) {
    return VerifierResults.component(name, version, value, status, detail);
  }

  static RewardComponent binary(String name, String version, boolean passed, String detail) {
    return component(name, version, passed ? 1.0 : 0.0, RewardStatus.OK, detail);
  }
}
