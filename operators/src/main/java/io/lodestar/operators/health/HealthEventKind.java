package io.lodestar.operators.health;

/** What a {@link HealthEvent} stands for. */
public enum HealthEventKind {
  GENERATION,
  GROUP,
  BATCH,
  PAIR,
  FEEDBACK
}
