package io.lodestar.operators.reward.model;

import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The model stages as pieces of a job graph, each with a stable uid and a name. */
public final class ModelStages {

  public static final String REWARD_MODEL_UID = "reward-model";
  public static final String EMBEDDING_SIMILARITY_UID = "embedding-similarity";
  public static final String GROUP_DIVERSITY_UID = "group-diversity";

  private ModelStages() {}

  public static ModelComponentOperator rewardModelOperator(RewardModelSettings settings) {
    return new ModelComponentOperator(
        new RewardModelScorer(settings), settings.batchSize(), settings.maxWait().toMillis());
  }

  public static ModelComponentOperator embeddingSimilarityOperator(EmbeddingSettings settings) {
    return new ModelComponentOperator(
        new EmbeddingSimilarityScorer(settings),
        settings.batchSize(),
        settings.maxWait().toMillis());
  }

  /** Appends the reward model's component to each scored generation. */
  public static SingleOutputStreamOperator<ScoredGeneration> rewardModel(
      DataStream<ScoredGeneration> scored, RewardModelSettings settings) {
    return scored
        .transform(
            "Reward model " + settings.componentName(),
            new AvroTypeInfo<>(ScoredGeneration.class),
            rewardModelOperator(settings))
        .uid(REWARD_MODEL_UID + "-" + settings.componentName())
        .name("Reward model " + settings.componentName());
  }

  /** Appends the similarity of each response to its reference answer. */
  public static SingleOutputStreamOperator<ScoredGeneration> embeddingSimilarity(
      DataStream<ScoredGeneration> scored, EmbeddingSettings settings) {
    return scored
        .transform(
            "Embedding similarity",
            new AvroTypeInfo<>(ScoredGeneration.class),
            embeddingSimilarityOperator(settings))
        .uid(EMBEDDING_SIMILARITY_UID)
        .name("Embedding similarity");
  }

  /** Sets each group's response diversity. */
  public static SingleOutputStreamOperator<RLGroup> groupDiversity(
      DataStream<RLGroup> groups, EmbeddingSettings settings) {
    return groups
        .map(new GroupDiversityFunction(settings), new AvroTypeInfo<>(RLGroup.class))
        .uid(GROUP_DIVERSITY_UID)
        .name("Group diversity");
  }
}
