package io.lodestar.operators.health;

/**
 * What a reward component measures, for health: a verifier is FORMAT when its name is one of the
 * configured format components ({@link HealthSettings#formatComponents()}, by default the verifiers
 * whose catalogue role is FORMAT), else ACCURACY; other sources map one to one.
 */
public enum ComponentRole {
  FORMAT,
  ACCURACY,
  MODEL,
  JUDGE,
  HUMAN,
  SHAPING
}
