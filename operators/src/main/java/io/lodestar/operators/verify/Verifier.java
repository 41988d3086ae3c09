package io.lodestar.operators.verify;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.io.Serializable;

/**
 * One rule-based reward signal, as {@link VerifierRegistry} runs it. Every verifier a rule may name
 * implements it and is listed in {@link VerifierCatalogue}. Implementations never throw: a failure
 * is a non-OK component.
 */
public interface Verifier extends Serializable {

  /** The component name this verifier writes, e.g. {@code numeric_answer}. */
  String name();

  /**
   * Scores one generation, reading what the verifier needs from it (the response, the task's ground
   * truth or {@code extra}). Named apart from the verifiers' own {@code verify} methods so that
   * {@code verify(null)} on a text stays unambiguous.
   */
  RewardComponent score(Generation generation);
}
