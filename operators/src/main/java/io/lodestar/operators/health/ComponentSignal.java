package io.lodestar.operators.health;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/** What health needs of one reward component: no detail text travels. A Flink POJO. */
public class ComponentSignal {

  public String name;
  public RewardSource source;

  /** The value when the status was OK and the value finite, else null. */
  public Double value;

  public boolean timedOut;

  public ComponentSignal() {}

  public static ComponentSignal of(RewardComponent component) {
    ComponentSignal signal = new ComponentSignal();
    signal.name = component.getName();
    signal.source = component.getSource();
    Double v = component.getValue();
    signal.value =
        component.getStatus() == RewardStatus.OK && v != null && Double.isFinite(v) ? v : null;
    signal.timedOut = component.getStatus() == RewardStatus.TIMEOUT;
    return signal;
  }
}
