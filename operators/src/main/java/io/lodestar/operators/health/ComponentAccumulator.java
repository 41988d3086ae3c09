package io.lodestar.operators.health;

import io.lodestar.schema.ComponentHealth;

/** Health of one reward component in one window. A Flink POJO. */
public class ComponentAccumulator {

  public String source;
  public String role;
  public long scored;
  public long unscored;
  public long timeouts;
  public Distribution value = new Distribution();

  public ComponentAccumulator() {}

  public void merge(ComponentAccumulator other) {
    if (source == null) {
      source = other.source;
      role = other.role;
    }
    scored += other.scored;
    unscored += other.unscored;
    timeouts += other.timeouts;
    value.merge(other.value);
  }

  public ComponentHealth toHealth(String name) {
    return ComponentHealth.newBuilder()
        .setName(name)
        .setSource(source)
        .setRole(role)
        .setScored(scored)
        .setUnscored(unscored)
        .setTimeouts(timeouts)
        .setValue(value.summary())
        .build();
  }
}
