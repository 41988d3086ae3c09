package io.lodestar.operators.reward.model;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import java.io.Serializable;
import java.util.List;

/**
 * Scores a batch of generations with a model, one reward component each. Created on the client,
 * shipped to each subtask, opened there (loading or sharing the model), closed with the subtask.
 */
public interface ComponentScorer extends Serializable {

  /** Acquires the model and a predictor. */
  void open() throws Exception;

  /** The component name written on every result, including errors. */
  String componentName();

  /** The version written on every result; valid after {@link #open()}. */
  String version();

  /**
   * One component per generation, in order. Throwing means the whole call failed (the model, not a
   * record); a record that cannot be scored gets an UNSCORABLE component instead.
   */
  List<RewardComponent> score(List<Generation> batch) throws Exception;

  /** Releases the predictor and the model. */
  void close() throws Exception;
}
