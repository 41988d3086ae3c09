package io.lodestar.operators.preference;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.ScoredGeneration;

/**
 * One feedback event on its way to meeting the scored generations it is about (the generation for
 * the training example, its reward components for health's human-agreement signal): first as one
 * request per generation it names (each routed to its generation), then, for feedback about two
 * generations, as two halves, then whole. Flink POJO; its Avro fields are serialized with Avro, not
 * Kryo.
 */
public class FeedbackJoin {
  public Feedback feedback;

  /** The side this request or half is about. */
  public GenerationJoinFunction.Side side;

  /** The scored generation named by {@code feedback.generationId}, once joined. */
  public ScoredGeneration a;

  /**
   * The scored generation named by {@code feedback.otherGenerationId}, once joined (two-sided
   * feedback only).
   */
  public ScoredGeneration b;

  public FeedbackJoin() {}

  public FeedbackJoin(
      Feedback feedback, ScoredGeneration a, ScoredGeneration b, GenerationJoinFunction.Side side) {
    this.feedback = feedback;
    this.a = a;
    this.b = b;
    this.side = side;
  }

  /** A request for one side's generation. */
  public static FeedbackJoin request(Feedback feedback, GenerationJoinFunction.Side side) {
    return new FeedbackJoin(feedback, null, null, side);
  }

  /**
   * Whether the feedback needs both of the generations it names: a pairwise vote always, a
   * regeneration when it names its replacement and regeneration pairs are on.
   */
  public static boolean twoSided(Feedback f, boolean regenerationPairs) {
    if (f.getKind() == FeedbackKind.PAIRWISE) {
      return true;
    }
    return regenerationPairs
        && f.getKind() == FeedbackKind.REGENERATE
        && f.getOtherGenerationId() != null;
  }

  /** The id of the generation this request asks for. */
  public String wantedGenerationId() {
    return side == GenerationJoinFunction.Side.A
        ? feedback.getGenerationId()
        : feedback.getOtherGenerationId();
  }
}
