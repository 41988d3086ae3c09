package io.lodestar.operators.health;

/**
 * What a reward component measures, for health: a verifier is FORMAT when its name is one of the
 * configured format components ({@link HealthSettings#formatComponents()}), else ACCURACY; other
 * sources map one to one.
 */
public enum ComponentRole {
  FORMAT,
  ACCURACY,
  MODEL,
  JUDGE,
  HUMAN,
  SHAPING
}
