package io.lodestar.operators.verify;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.io.Serializable;

/** One rule-based reward signal. Implementations never throw: a failure is a non-OK component. */
public interface Verifier extends Serializable {

  /** The component name this verifier writes, e.g. {@code numeric_answer}. */
  String name();

  RewardComponent verify(Generation generation);
}
