package io.lodestar.jobs;

import static io.lodestar.jobs.Stages.avro;
import static io.lodestar.jobs.Stages.handedOver;

import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.reward.compose.CombineRewardsFunction;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import io.lodestar.operators.reward.model.ModelStages;
import io.lodestar.operators.reward.remote.JudgeClient;
import io.lodestar.operators.reward.remote.OpenRlhfRewardClient;
import io.lodestar.operators.reward.remote.RemoteRewardStages;
import io.lodestar.operators.verify.ScoreFunction;
import io.lodestar.operators.verify.code.CodeSandbox;
import io.lodestar.operators.verify.code.CodeTestFunction;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Every scoring step, in a fixed order: the rule verifiers, the code tests (sandboxed, async), then
 * the optional learned scorers (local reward model, embedding similarity, remote reward model, LLM
 * judge), and last the combine step. Each scorer only adds a component; the reward is combined
 * once, from all of them. A learned scorer is in the graph only when its options are set, so
 * enabling one later adds operators with new uids and restores every existing one from a savepoint.
 */
final class ScoringStages {

  private ScoringStages() {}

  /**
   * Generations scored and their reward combined; records a remote scorer gives up on are dead
   * letters.
   */
  static DataStream<ScoredGeneration> apply(
      DataStream<Generation> generations,
      LodestarOptions options,
      UnionCollector<DeadLetter> deadLetters) {
    DataStream<ScoredGeneration> verified = codeTests(ruleVerified(generations, options), options);
    return combined(learned(verified, options, deadLetters), options);
  }

  private static DataStream<ScoredGeneration> ruleVerified(
      DataStream<Generation> generations, LodestarOptions options) {
    return generations
        .map(new ScoreFunction(options.verifierRegistry()), handedOver(ScoredGeneration.class))
        .uid("verify-numeric-answer")
        .name("Verify");
  }

  private static DataStream<ScoredGeneration> codeTests(
      DataStream<ScoredGeneration> ruleVerified, LodestarOptions options) {
    CodeSandbox sandbox =
        new CodeSandbox(
            CodeSandbox.Limits.defaults().withWallClock(options.get(LodestarOptions.CODE_TIMEOUT)));
    int codeThreads = options.get(LodestarOptions.CODE_THREADS);
    int codeCapacity = options.get(LodestarOptions.CODE_CAPACITY);
    return AsyncDataStream.orderedWait(
            ruleVerified,
            new CodeTestFunction(sandbox, codeThreads),
            // Each run's own deadline starts when it runs; this one starts when the record is
            // queued, so it covers the wait behind a full queue and only catches a stuck runner.
            CodeTestFunction.operatorTimeout(sandbox.maxRunTime(), codeThreads, codeCapacity)
                .toMillis(),
            TimeUnit.MILLISECONDS,
            codeCapacity)
        .returns(handedOver(ScoredGeneration.class))
        .uid("verify-code-tests")
        .name("Verify code tests (sandbox)");
  }

  private static DataStream<ScoredGeneration> learned(
      DataStream<ScoredGeneration> verified,
      LodestarOptions options,
      UnionCollector<DeadLetter> deadLetters) {
    DataStream<ScoredGeneration> scored = verified;
    if (options.rewardModel().isPresent()) {
      scored = ModelStages.rewardModel(scored, options.rewardModel().get());
    }
    if (options.embeddings().isPresent() && options.get(LodestarOptions.EMBEDDING_SIMILARITY)) {
      scored = ModelStages.embeddingSimilarity(scored, options.embeddings().get());
    }
    if (options.remoteReward().isPresent()) {
      RemoteRewardStages.Scored remote =
          RemoteRewardStages.apply(scored, new OpenRlhfRewardClient(options.remoteReward().get()));
      deadLetters.add(remote.deadLetters());
      scored = remote.scored();
    }
    if (options.judge().isPresent()) {
      RemoteRewardStages.Scored judged =
          RemoteRewardStages.apply(scored, new JudgeClient(options.judge().get()));
      deadLetters.add(judged.deadLetters());
      scored = judged.scored();
    }
    return scored;
  }

  private static DataStream<ScoredGeneration> combined(
      DataStream<ScoredGeneration> scored, LodestarOptions options) {
    return scored
        .map(new CombineRewardsFunction(options.rewardComposition()), avro(ScoredGeneration.class))
        .uid("combine-rewards")
        .name("Combine rewards");
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
