package io.lodestar.jobs;

import static io.lodestar.jobs.Stages.PIPELINE_VERSION;
import static io.lodestar.jobs.Stages.avro;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.dedup.DeduplicateFunction;
import io.lodestar.operators.preference.FeedbackHalvesFunction;
import io.lodestar.operators.preference.FeedbackJoin;
import io.lodestar.operators.preference.FeedbackSignalFunction;
import io.lodestar.operators.preference.FeedbackSignals;
import io.lodestar.operators.preference.GenerationJoinFunction;
import io.lodestar.operators.preference.GroupPairsFunction;
import io.lodestar.operators.preference.PreferenceSettings;
import io.lodestar.operators.preference.PromptFeedbackFunction;
import io.lodestar.operators.preference.Redactor;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * Feedback and group rewards to preference data:
 *
 * <pre>
 * feedback -> event time -> de-duplicate by feedback id -> one request per generation named
 *          -> join with scored generations (keyed by generation id) -> [two-sided: join halves by feedback id]
 *          -> votes, edits, regenerations: mined alone
 *          -> thumbs, ratings: collected per prompt for preference.prompt-window, then compared
 * closed groups -> reward-margin pairs (preference.group-pairs)
 * pairs, unpaired examples -> redaction -> outputs
 * </pre>
 */
final class PreferenceStages {

  private PreferenceStages() {}

  /**
   * The outputs; {@code unpaired} and {@code joinedFeedback} (every feedback event with its scored
   * generations, for health) are empty without a feedback input, {@code pairs} too when group pairs
   * are off.
   */
  record Streams(
      Optional<DataStream<PreferencePair>> pairs,
      Optional<DataStream<UnpairedExample>> unpaired,
      Optional<DataStream<FeedbackJoin>> joinedFeedback) {}

  /**
   * Preference data from {@code feedback} (when there is any) and closed groups; feedback without
   * its generations is a dead letter.
   */
  static Streams apply(
      DataStream<ScoredGeneration> scored,
      Optional<DataStream<Feedback>> feedback,
      DataStream<RLGroup> groups,
      LodestarOptions options,
      PipelineInputs.EventTime eventTime,
      UnionCollector<DeadLetter> deadLetters) {
    PreferenceSettings settings = options.preferenceSettings();
    DataStream<PreferencePair> pairs = null;
    DataStream<UnpairedExample> unpaired = null;
    DataStream<FeedbackJoin> joinedFeedback = null;
    if (feedback.isPresent()) {
      FeedbackStreams mined = fromFeedback(scored, feedback.get(), settings, options, eventTime);
      pairs = mined.pairs;
      unpaired = mined.unpaired;
      deadLetters.add(mined.unmatched);
      joinedFeedback = mined.joined;
    }
    if (settings.groupPairs() != PreferenceSettings.GroupPairMode.OFF) {
      DataStream<PreferencePair> groupPairs =
          groups
              .process(
                  new GroupPairsFunction(settings, PIPELINE_VERSION), avro(PreferencePair.class))
              .uid("group-reward-pairs")
              .name("Group rewards to preference pairs");
      pairs = pairs == null ? groupPairs : pairs.union(groupPairs);
    }
    Redactor redactor = options.redactor();
    if (pairs != null) {
      pairs =
          pairs
              .map(redactor::redact, avro(PreferencePair.class))
              .uid("redact-pairs")
              .name("Redact preference pairs");
    }
    if (unpaired != null) {
      unpaired =
          unpaired
              .map(redactor::redact, avro(UnpairedExample.class))
              .uid("redact-unpaired")
              .name("Redact unpaired examples");
    }
    return new Streams(
        Optional.ofNullable(pairs),
        Optional.ofNullable(unpaired),
        Optional.ofNullable(joinedFeedback));
  }

  private record FeedbackStreams(
      DataStream<PreferencePair> pairs,
      DataStream<UnpairedExample> unpaired,
      DataStream<DeadLetter> unmatched,
      DataStream<FeedbackJoin> joined) {}

  private static FeedbackStreams fromFeedback(
      DataStream<ScoredGeneration> scored,
      DataStream<Feedback> feedback,
      PreferenceSettings settings,
      LodestarOptions options,
      PipelineInputs.EventTime eventTime) {
    WatermarkStrategy<Feedback> feedbackTime =
        ParsedEventTime.strategy(
            (f, previous) -> f.getCreatedAtMs(),
            options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS));
    Duration keep = options.get(LodestarOptions.FEEDBACK_KEEP_GENERATIONS);
    Duration wait = options.get(LodestarOptions.FEEDBACK_MAX_WAIT);
    boolean regenerationPairs = settings.regenerationPairs();
    TypeInformation<FeedbackJoin> joinType = TypeInformation.of(FeedbackJoin.class);

    DataStream<Feedback> stamped =
        eventTime == PipelineInputs.EventTime.FROM_SOURCES
            ? feedback
            : feedback
                .assignTimestampsAndWatermarks(feedbackTime)
                .uid("event-time-feedback")
                .name("Event time of feedback");
    DataStream<FeedbackJoin> requests =
        stamped
            .keyBy(Feedback::getFeedbackId, Types.STRING)
            // Repeated or re-sent feedback shares its id: the first one counts, later ones are
            // counted and dropped.
            .process(
                new DeduplicateFunction<Feedback>(options.get(LodestarOptions.DEDUP_RETENTION)),
                avro(Feedback.class))
            .uid("dedup-feedback")
            .name("De-duplicate feedback")
            .flatMap(
                (Feedback f, Collector<FeedbackJoin> out) -> {
                  out.collect(FeedbackJoin.request(f, GenerationJoinFunction.Side.A));
                  if (FeedbackJoin.twoSided(f, regenerationPairs)) {
                    out.collect(FeedbackJoin.request(f, GenerationJoinFunction.Side.B));
                  }
                },
                joinType)
            .uid("feedback-requests")
            .name("Feedback to generation requests");

    SingleOutputStreamOperator<FeedbackJoin> halves =
        scored
            // Before the exchange: the join keeps no token arrays, so they need not cross the
            // network either.
            .map(GenerationJoinFunction::slim, avro(ScoredGeneration.class))
            .uid("slim-generations-for-feedback")
            .name("Generations without token arrays, for feedback")
            .keyBy(s -> s.getGeneration().getGenerationId(), Types.STRING)
            .connect(requests.keyBy(FeedbackJoin::wantedGenerationId, Types.STRING))
            .process(new GenerationJoinFunction(keep, wait), joinType)
            .uid("join-feedback-with-generations")
            .name("Join feedback with generations");
    DataStream<FeedbackJoin> oneSided =
        halves
            .filter(h -> !FeedbackJoin.twoSided(h.feedback, regenerationPairs))
            .uid("one-sided-feedback")
            .name("One-sided feedback");
    DataStream<FeedbackJoin> joined =
        halves
            .filter(h -> FeedbackJoin.twoSided(h.feedback, regenerationPairs))
            .uid("two-sided-feedback")
            .name("Two-sided feedback")
            .keyBy(h -> h.feedback.getFeedbackId(), Types.STRING)
            .process(new FeedbackHalvesFunction(wait), joinType)
            .uid("join-feedback-halves")
            .name("Join feedback halves")
            .union(oneSided);

    SingleOutputStreamOperator<PreferencePair> alone =
        joined
            .filter(j -> FeedbackSignals.minedAlone(j.feedback.getKind()))
            .uid("feedback-mined-alone")
            .name("Votes, edits, regenerations")
            .process(
                new FeedbackSignalFunction(settings, PIPELINE_VERSION), avro(PreferencePair.class))
            .uid("feedback-to-examples")
            .name("Votes, edits, regenerations to examples");
    SingleOutputStreamOperator<PreferencePair> perPrompt =
        joined
            .filter(j -> !FeedbackSignals.minedAlone(j.feedback.getKind()))
            .uid("feedback-per-prompt")
            .name("Thumbs and ratings")
            .keyBy(j -> j.a.getGeneration().getPromptId(), Types.STRING)
            .process(
                new PromptFeedbackFunction(settings, PIPELINE_VERSION), avro(PreferencePair.class))
            .uid("prompt-feedback-to-examples")
            .name("Thumbs and ratings per prompt to examples");

    DataStream<PreferencePair> pairs = alone.union(perPrompt);
    DataStream<UnpairedExample> unpaired =
        alone
            .getSideOutput(FeedbackSignalFunction.UNPAIRED)
            .union(perPrompt.getSideOutput(PromptFeedbackFunction.UNPAIRED));
    DataStream<DeadLetter> unmatched =
        halves
            .getSideOutput(GenerationJoinFunction.UNMATCHED)
            .map(PreferenceStages::unmatched, avro(DeadLetter.class))
            .uid("unmatched-feedback-to-dead-letters")
            .name("Unmatched feedback to dead letters");
    return new FeedbackStreams(pairs, unpaired, unmatched, joined);
  }

  private static DeadLetter unmatched(FeedbackJoin request) {
    return DeadLetters.fromOperator(
        "join.feedback",
        DeadLetters.UNMATCHED_FEEDBACK,
        "generation "
            + request.wantedGenerationId()
            + " not within the feedback waits (created at most "
            + LodestarOptions.FEEDBACK_MAX_WAIT.key()
            + " after the feedback, kept "
            + LodestarOptions.FEEDBACK_KEEP_GENERATIONS.key()
            + " after its creation)",
        request.feedback.getFeedbackId(),
        PlainJson.toJsonString(request.feedback).getBytes(StandardCharsets.UTF_8),
        request.feedback.getCreatedAtMs(),
        System.currentTimeMillis());
  }
}
