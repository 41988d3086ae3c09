package io.lodestar.operators.preference;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;

/**
 * A pairwise vote on its way to meeting both generations it compares: first as two requests (one
 * per side, each routed to its generation), then as two halves, then whole. Flink POJO; its Avro
 * fields are serialized with Avro, not Kryo.
 */
public class VoteJoin {
  public Feedback vote;
  /** The side this request or half is about. */
  public GenerationJoinFunction.Side side;
  /** The generation named by {@code vote.generationId}, once joined. */
  public Generation a;
  /** The generation named by {@code vote.otherGenerationId}, once joined. */
  public Generation b;

  public VoteJoin() {}

  public VoteJoin(Feedback vote, Generation a, Generation b, GenerationJoinFunction.Side side) {
    this.vote = vote;
    this.a = a;
    this.b = b;
    this.side = side;
  }

  /** A request for one side's generation. */
  public static VoteJoin request(Feedback vote, GenerationJoinFunction.Side side) {
    return new VoteJoin(vote, null, null, side);
  }

  /** The id of the generation this request asks for. */
  public String wantedGenerationId() {
    return side == GenerationJoinFunction.Side.A ? vote.getGenerationId() : vote.getOtherGenerationId();
  }
}
