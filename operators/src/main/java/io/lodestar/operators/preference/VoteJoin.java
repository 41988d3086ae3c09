package io.lodestar.operators.preference;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;

/**
 * A pairwise vote on its way to meeting both generations it compares. Flink POJO; its Avro fields
 * are serialized with Avro, not Kryo.
 */
public class VoteJoin {
  public Feedback vote;
  /** The generation named by {@code vote.generationId}, once joined. */
  public Generation a;
  /** The generation named by {@code vote.otherGenerationId}, once joined. */
  public Generation b;

  public VoteJoin() {}

  public VoteJoin(Feedback vote, Generation a, Generation b) {
    this.vote = vote;
    this.a = a;
    this.b = b;
  }
}
