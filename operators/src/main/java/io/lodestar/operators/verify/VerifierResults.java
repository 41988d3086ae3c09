package io.lodestar.operators.verify;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/** The one place verifier results become reward components. */
public final class VerifierResults {

  private VerifierResults() {}

  /** A component from a verifier; {@code value} is null unless the status is OK. */
  public static RewardComponent component(
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
}
