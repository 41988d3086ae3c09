package io.lodestar.operators.verify.format;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/** Builds the reward components that the format verifiers return. */
final class FormatRewards {

  private FormatRewards() {}

  static RewardComponent component(
      String name, String version, Double value, RewardStatus status, String detail) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.VERIFIER)
        .setVersion(version)
        .setDetail(detail)
        .build();
  }

  static RewardComponent binary(String name, String version, boolean passed, String detail) {
    return component(name, version, passed ? 1.0 : 0.0, RewardStatus.OK, detail);
  }
}
