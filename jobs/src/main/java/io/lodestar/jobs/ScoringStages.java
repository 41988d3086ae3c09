package io.lodestar.jobs;

import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import io.lodestar.operators.reward.model.ModelStages;
import io.lodestar.operators.reward.remote.JudgeClient;
import io.lodestar.operators.reward.remote.OpenRlhfRewardClient;
import io.lodestar.operators.reward.remote.RemoteRewardStages;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The optional learned scorers between the verifiers and the combine step, in a fixed order: local
 * reward model, embedding similarity, remote reward model, LLM judge. Each one that is configured
 * adds a component; none is in the graph when its options are unset, so enabling one later adds
 * operators with new uids and restores every existing one from a savepoint.
 */
final class ScoringStages {

  private ScoringStages() {}

  /**
   * The stream with every configured component added, and the records a remote scorer dead-lettered
   * (or null).
   */
  record Scored(DataStream<ScoredGeneration> scored, DataStream<DeadLetter> deadLetters) {}

  static Scored apply(DataStream<ScoredGeneration> verified, LodestarOptions options) {
    DataStream<ScoredGeneration> scored = verified;
    DataStream<DeadLetter> deadLetters = null;
    if (options.rewardModel().isPresent()) {
      scored = ModelStages.rewardModel(scored, options.rewardModel().get());
    }
    if (options.embeddings().isPresent() && options.get(LodestarOptions.EMBEDDING_SIMILARITY)) {
      scored = ModelStages.embeddingSimilarity(scored, options.embeddings().get());
    }
    if (options.remoteReward().isPresent()) {
      RemoteRewardStages.Scored remote =
          RemoteRewardStages.apply(scored, new OpenRlhfRewardClient(options.remoteReward().get()));
      scored = remote.scored();
      deadLetters = remote.deadLetters();
    }
    if (options.judge().isPresent()) {
      RemoteRewardStages.Scored judged =
          RemoteRewardStages.apply(scored, new JudgeClient(options.judge().get()));
      scored = judged.scored();
      deadLetters =
          deadLetters == null ? judged.deadLetters() : deadLetters.union(judged.deadLetters());
    }
    return new Scored(scored, deadLetters);
  }

  /**
   * Closed groups with their response diversity set when {@code embedding-model.diversity} is on.
   */
  static DataStream<RLGroup> withDiversity(DataStream<RLGroup> groups, LodestarOptions options) {
    Optional<EmbeddingSettings> settings = options.embeddings();
    if (settings.isEmpty() || !options.get(LodestarOptions.EMBEDDING_DIVERSITY)) {
      return groups;
    }
    return ModelStages.groupDiversity(groups, settings.get());
  }
}
