package io.lodestar.jobs;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.MetricNames;
import io.lodestar.connectors.ParseFunction;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.batch.BatchFunction;
import io.lodestar.operators.dedup.DeduplicateFunction;
import io.lodestar.operators.group.GroupFunction;
import io.lodestar.operators.preference.GenerationJoinFunction;
import io.lodestar.operators.preference.VoteHalvesFunction;
import io.lodestar.operators.preference.VoteJoin;
import io.lodestar.operators.preference.VotePairs;
import io.lodestar.operators.reward.compose.CombineRewardsFunction;
import io.lodestar.operators.reward.model.ModelStages;
import io.lodestar.operators.validate.FeedbackValidator;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.operators.verify.ScoreFunction;
import io.lodestar.operators.verify.code.CodeSandbox;
import io.lodestar.operators.verify.code.CodeTestFunction;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The pipeline graph, independent of where records come from and go to:
 *
 * <pre>
 * generations -> parse/validate -> dedup -> verify (rules, then code tests async) -> combine rewards -> scored
 *                                              \-> group -> advantages -> batches
 * feedback    -> parse/validate -> votes -> join A -> join B -> pairs
 * every rejected, late or unmatched record -> dead letters
 * </pre>
 *
 * Every operator has a stable uid (state survives upgrades) and a name (readable in the UI).
 */
public final class PipelineTopology {

  public static final String PIPELINE_VERSION = "lodestar-0.1.0";

  static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", avro(DeadLetter.class));

  private PipelineTopology() {}

  /** The streams the graph produces, before they reach the sinks; tests may tap them. */
  public record Streams(
      DataStream<ScoredGeneration> scored,
      DataStream<RLBatch> batches,
      DataStream<PreferencePair> pairs,
      DataStream<DeadLetter> deadLetters,
      DataStream<RLGroup> filteredGroups) {}

  /** Builds the graph and connects it to the outputs. {@code feedback} may be null. */
  public static Streams build(
      DataStream<RawRecord> generationsRaw, DataStream<RawRecord> feedbackRaw, LodestarOptions options, PipelineOutputs outputs) {
    return build(generationsRaw, feedbackRaw, null, options, outputs);
  }

  /**
   * Builds the graph and connects it to the outputs. {@code feedbackRaw} and {@code
   * policyUpdatesRaw} (the trainers' control topic) may be null.
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options,
      PipelineOutputs outputs) {
    Streams streams = build(generationsRaw, feedbackRaw, policyUpdatesRaw, options);
    streams.scored().sinkTo(outputs.scored()).uid("sink-scored").name("Scored generations sink");
    streams.batches().sinkTo(outputs.batches()).uid("sink-batches").name("RL batches sink");
    if (streams.pairs() != null) {
      streams.pairs().sinkTo(outputs.pairs()).uid("sink-pairs").name("Preference pairs sink");
    }
    streams.deadLetters().sinkTo(outputs.deadLetters()).uid("sink-dead-letters").name("Dead letters sink");
    if (outputs.filteredGroups() != null) {
      streams.filteredGroups().sinkTo(outputs.filteredGroups()).uid("sink-filtered-groups").name("Filtered groups sink");
    }
    return streams;
  }

  /** Builds the graph without sinks; {@code pairs} is null when there is no feedback input. */
  public static Streams build(DataStream<RawRecord> generationsRaw, DataStream<RawRecord> feedbackRaw, LodestarOptions options) {
    return build(generationsRaw, feedbackRaw, null, options);
  }

  /** Builds the graph without sinks; {@code policyUpdatesRaw} may be null (no control topic). */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options) {
    int maxPayload = options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD);
    WatermarkStrategy<Generation> generationTime =
        WatermarkStrategy.<Generation>forBoundedOutOfOrderness(options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS))
            .withTimestampAssigner((g, previous) -> g.getCreatedAtMs())
            .withIdleness(options.get(LodestarOptions.WATERMARK_IDLENESS));

    SingleOutputStreamOperator<Generation> parsedGenerations =
        generationsRaw
            .process(
                new ParseFunction<>(
                    "parse.generations",
                    RecordCodec.of(Generation.class),
                    new GenerationValidator(options.generationLimits()),
                    Generation::getGenerationId,
                    DEAD_LETTERS,
                    maxPayload),
                avro(Generation.class))
            .uid("parse-generations")
            .name("Parse and validate generations");

    DataStream<Generation> generations =
        parsedGenerations
            .assignTimestampsAndWatermarks(generationTime)
            .uid("event-time-generations")
            .name("Event time of generations")
            .keyBy(Generation::getGenerationId, Types.STRING)
            .process(new DeduplicateFunction<Generation>(options.get(LodestarOptions.DEDUP_RETENTION)), avro(Generation.class))
            .uid("dedup-generations")
            .name("De-duplicate generations");

    DataStream<ScoredGeneration> ruleScored =
        generations
            .map(new ScoreFunction(options.verifierRegistry()), avro(ScoredGeneration.class))
            .uid("verify-numeric-answer")
            .name("Verify");
    Duration codeTimeout = options.get(LodestarOptions.CODE_TIMEOUT);
    DataStream<ScoredGeneration> codeScored =
        AsyncDataStream.orderedWait(
                ruleScored,
                new CodeTestFunction(
                    new CodeSandbox(CodeSandbox.Limits.defaults().withWallClock(codeTimeout)),
                    options.get(LodestarOptions.CODE_THREADS)),
                // The sandbox enforces its own deadline; this one only catches a stuck runner.
                codeTimeout.plusSeconds(5).toMillis(),
                TimeUnit.MILLISECONDS,
                options.get(LodestarOptions.CODE_CAPACITY))
            .uid("verify-code-tests")
            .name("Verify code tests (sandbox)");

    if (options.rewardModel().isPresent()) {
      codeScored = ModelStages.rewardModel(codeScored, options.rewardModel().get());
    }

    // Every scoring stage only adds components; the reward is combined once, here, from all of them.
    DataStream<ScoredGeneration> scored =
        codeScored
            .map(new CombineRewardsFunction(options.rewardComposition()), avro(ScoredGeneration.class))
            .uid("combine-rewards")
            .name("Combine rewards");

    SingleOutputStreamOperator<RLGroup> groups =
        scored
            .keyBy(s -> s.getGeneration().getGroupId(), Types.STRING)
            .process(
                new GroupFunction(
                    options.get(LodestarOptions.GROUP_TIMEOUT),
                    options.get(LodestarOptions.GROUP_LATE_RETENTION),
                    options.advantageSpec(),
                    options.groupFilter()),
                avro(RLGroup.class))
            .uid("group-generations")
            .name("Group responses, GRPO advantages");

    SingleOutputStreamOperator<PolicyUpdate> parsedPolicyUpdates =
        policyUpdatesRaw == null ? null : parsePolicyUpdates(policyUpdatesRaw, options);
    DataStream<PolicyUpdate> policyUpdates =
        parsedPolicyUpdates == null ? noPolicyUpdates(groups) : withPublishTime(parsedPolicyUpdates, options);
    SingleOutputStreamOperator<RLBatch> batches =
        groups
            .keyBy(g -> g.getSamples().get(0).getPolicy().getModelId(), Types.STRING)
            .connect(policyUpdates.keyBy(PolicyUpdate::getModelId, Types.STRING))
            .process(
                new BatchFunction(
                    options.batchLimits(),
                    options.get(LodestarOptions.BATCH_MAX_WAIT),
                    options.staleness(),
                    options.advantageSpec()),
                avro(RLBatch.class))
            .uid("pack-batches")
            .name("Pack RL batches");

    DataStream<DeadLetter> lateMembers =
        groups
            .getSideOutput(GroupFunction.LATE_MEMBERS)
            .map(
                late ->
                    DeadLetters.fromOperator(
                        "group.generations",
                        DeadLetters.LATE_GROUP_MEMBER,
                        "arrived after group " + late.getGeneration().getGroupId() + " closed",
                        late.getGeneration().getGenerationId(),
                        PlainJson.toJsonString(late).getBytes(StandardCharsets.UTF_8),
                        late.getGeneration().getCreatedAtMs(),
                        System.currentTimeMillis()),
                avro(DeadLetter.class))
            .uid("late-members-to-dead-letters")
            .name("Late group members to dead letters");

    DataStream<DeadLetter> deadLetters = parsedGenerations.getSideOutput(DEAD_LETTERS).union(lateMembers);
    if (parsedPolicyUpdates != null) {
      deadLetters = deadLetters.union(parsedPolicyUpdates.getSideOutput(DEAD_LETTERS));
    }
    DataStream<PreferencePair> pairs = null;
    if (feedbackRaw != null) {
      SingleOutputStreamOperator<Feedback> feedback =
          feedbackRaw
              .process(
                  new ParseFunction<>(
                      "parse.feedback",
                      RecordCodec.of(Feedback.class),
                      new FeedbackValidator(),
                      Feedback::getFeedbackId,
                      DEAD_LETTERS,
                      maxPayload),
                  avro(Feedback.class))
              .uid("parse-feedback")
              .name("Parse and validate feedback");
      VoteStreams votes = votePairs(generations, feedback, options);
      deadLetters = deadLetters.union(feedback.getSideOutput(DEAD_LETTERS), votes.unmatched());
      pairs = votes.pairs();
    }
    DataStream<RLGroup> setAside =
        groups
            .getSideOutput(GroupFunction.FILTERED_GROUPS)
            .union(batches.getSideOutput(BatchFunction.STALE_GROUPS), batches.getSideOutput(BatchFunction.REFUSED_GROUPS));
    return new Streams(scored, batches, pairs, deadLetters, setAside);
  }

  /** The trainers' control topic, decoded and validated like every input; bad records are dead letters. */
  private static SingleOutputStreamOperator<PolicyUpdate> parsePolicyUpdates(
      DataStream<RawRecord> raw, LodestarOptions options) {
    return raw.process(
            new ParseFunction<>(
                "parse.policy-updates",
                RecordCodec.of(PolicyUpdate.class),
                PipelineTopology::policyUpdateViolation,
                PolicyUpdate::getModelId,
                DEAD_LETTERS,
                options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD)),
            avro(PolicyUpdate.class))
        .uid("parse-policy-updates")
        .name("Parse trainer policy updates");
  }

  static java.util.Optional<String> policyUpdateViolation(PolicyUpdate u) {
    if (u.getModelId().isBlank()) {
      return java.util.Optional.of("modelId is blank");
    }
    if (u.getPolicyVersion() < 0) {
      return java.util.Optional.of("policyVersion is negative: " + u.getPolicyVersion());
    }
    if (u.getPublishedAtMs() < 0) {
      return java.util.Optional.of("publishedAtMs is negative: " + u.getPublishedAtMs());
    }
    return java.util.Optional.empty();
  }

  /**
   * Event time of trainer announcements. Trainers publish rarely, so an idle control topic must not
   * hold the batch operator's watermark back: idleness takes it out of the minimum.
   */
  private static DataStream<PolicyUpdate> withPublishTime(DataStream<PolicyUpdate> updates, LodestarOptions options) {
    return updates
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<PolicyUpdate>forBoundedOutOfOrderness(options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS))
                .withTimestampAssigner((u, previous) -> u.getPublishedAtMs())
                .withIdleness(options.get(LodestarOptions.WATERMARK_IDLENESS)))
        .uid("event-time-policy-updates")
        .name("Event time of trainer policy updates");
  }

  /**
   * Without a control topic the batch operator's second input carries nothing, but it is derived
   * from the groups so its watermark is theirs and never holds event time back.
   */
  private static DataStream<PolicyUpdate> noPolicyUpdates(DataStream<RLGroup> groups) {
    return groups
        .flatMap((RLGroup g, Collector<PolicyUpdate> out) -> {}, avro(PolicyUpdate.class))
        .uid("no-policy-updates")
        .name("No trainer control topic");
  }

  private record VoteStreams(DataStream<PreferencePair> pairs, DataStream<DeadLetter> unmatched) {}

  /**
   * Pairwise votes become preference pairs once both generations they compare are known: each vote
   * becomes two requests that meet their generation keyed by its id (generations are stored once),
   * then the two halves meet keyed by the feedback id.
   */
  private static VoteStreams votePairs(
      DataStream<Generation> generations, DataStream<Feedback> feedback, LodestarOptions options) {
    WatermarkStrategy<Feedback> feedbackTime =
        WatermarkStrategy.<Feedback>forBoundedOutOfOrderness(options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS))
            .withTimestampAssigner((f, previous) -> f.getCreatedAtMs())
            .withIdleness(options.get(LodestarOptions.WATERMARK_IDLENESS));
    Duration keep = options.get(LodestarOptions.FEEDBACK_KEEP_GENERATIONS);
    Duration wait = options.get(LodestarOptions.FEEDBACK_MAX_WAIT);
    TypeInformation<VoteJoin> voteType = TypeInformation.of(VoteJoin.class);

    DataStream<VoteJoin> requests =
        feedback
            .assignTimestampsAndWatermarks(feedbackTime)
            .uid("event-time-feedback")
            .name("Event time of feedback")
            .flatMap(
                (Feedback f, Collector<VoteJoin> out) -> {
                  if (f.getKind() == FeedbackKind.PAIRWISE) {
                    out.collect(VoteJoin.request(f, GenerationJoinFunction.Side.A));
                    out.collect(VoteJoin.request(f, GenerationJoinFunction.Side.B));
                  }
                },
                voteType)
            .uid("select-votes")
            .name("Select pairwise votes");

    SingleOutputStreamOperator<VoteJoin> halves =
        generations
            .keyBy(Generation::getGenerationId, Types.STRING)
            .connect(requests.keyBy(VoteJoin::wantedGenerationId, Types.STRING))
            .process(new GenerationJoinFunction(keep, wait), voteType)
            .uid("join-votes-with-generations")
            .name("Join votes with generations");
    DataStream<VoteJoin> joined =
        halves
            .keyBy(h -> h.vote.getFeedbackId(), Types.STRING)
            .process(new VoteHalvesFunction(wait), voteType)
            .uid("join-vote-halves")
            .name("Join vote halves");

    DataStream<PreferencePair> pairs =
        joined.flatMap(new VoteToPair(), avro(PreferencePair.class)).uid("vote-to-pair").name("Votes to preference pairs");
    DataStream<DeadLetter> unmatched =
        halves
            .getSideOutput(GenerationJoinFunction.UNMATCHED)
            .map(PipelineTopology::unmatchedVote, avro(DeadLetter.class))
            .uid("unmatched-votes-to-dead-letters")
            .name("Unmatched votes to dead letters");
    return new VoteStreams(pairs, unmatched);
  }

  private static DeadLetter unmatchedVote(VoteJoin v) {
    String missing = v.wantedGenerationId();
    return DeadLetters.fromOperator(
        "join.votes",
        DeadLetters.UNMATCHED_FEEDBACK,
        "generation " + missing + " did not arrive within the feedback wait",
        v.vote.getFeedbackId(),
        PlainJson.toJsonString(v.vote).getBytes(StandardCharsets.UTF_8),
        v.vote.getCreatedAtMs(),
        System.currentTimeMillis());
  }

  /** Votes with both generations become pairs; ties, both-bad and the like are counted. */
  static final class VoteToPair extends RichFlatMapFunction<VoteJoin, PreferencePair> {
    private static final long serialVersionUID = 1L;
    private transient Counter pairs;
    private transient Counter withoutPair;

    @Override
    public void open(OpenContext openContext) {
      pairs = getRuntimeContext().getMetricGroup().counter(MetricNames.PAIRS);
      withoutPair = getRuntimeContext().getMetricGroup().counter(MetricNames.VOTES_WITHOUT_PAIR);
    }

    @Override
    public void flatMap(VoteJoin v, Collector<PreferencePair> out) {
      VotePairs.Outcome outcome = VotePairs.toPair(v.vote, v.a, v.b, PIPELINE_VERSION);
      if (outcome.pair().isPresent()) {
        pairs.inc();
        out.collect(outcome.pair().get());
      } else {
        withoutPair.inc();
      }
    }
  }

  static <T extends org.apache.avro.specific.SpecificRecordBase> TypeInformation<T> avro(Class<T> type) {
    return new AvroTypeInfo<>(type);
  }
}
