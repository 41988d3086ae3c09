package io.lodestar.operators.reward.model;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/** The one place model results become reward components (source MODEL). */
public final class ModelComponents {

  private ModelComponents() {}

  public static RewardComponent ok(String name, String version, double value, String detail) {
    return component(name, version, value, RewardStatus.OK, detail);
  }

  public static RewardComponent unscorable(String name, String version, String reason) {
    return component(name, version, null, RewardStatus.UNSCORABLE, reason);
  }

  /** A failed model call: no value (never 0), a short reason without any payload text. */
  public static RewardComponent error(String name, String version, String reason) {
    return component(name, version, null, RewardStatus.ERROR, reason);
  }

  private static RewardComponent component(
      String name, String version, Double value, RewardStatus status, String detail) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.MODEL)
        .setVersion(version)
        .setDetail(detail)
        .build();
  }
}
