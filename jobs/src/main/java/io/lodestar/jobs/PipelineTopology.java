package io.lodestar.jobs;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.EventTimeCheck;
import io.lodestar.connectors.ParseFunction;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.openai.OpenAiChatRecords;
import io.lodestar.connectors.openai.SimpleFeedback;
import io.lodestar.connectors.serde.HandedOverTypeInfo;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.FeedbackFormat;
import io.lodestar.jobs.config.GenerationsFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.batch.BatchFunction;
import io.lodestar.operators.dedup.DeduplicateFunction;
import io.lodestar.operators.group.GroupFunction;
import io.lodestar.operators.group.SetAsideGroups;
import io.lodestar.operators.group.TrainingConsentFunction;
import io.lodestar.operators.reward.compose.CombineRewardsFunction;
import io.lodestar.operators.validate.FeedbackValidator;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.operators.verify.ScoreFunction;
import io.lodestar.operators.verify.code.CodeSandbox;
import io.lodestar.operators.verify.code.CodeTestFunction;
import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.SetAsideReason;
import io.lodestar.schema.UnpairedExample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The pipeline graph, independent of where records come from and go to:
 *
 * <pre>
 * generations -> parse/validate -> dedup -> verify (rules, then code tests async)
 *             -> [reward model] [embedding similarity] [remote reward model] [judge] -> combine rewards -> scored
 *                                              \-> group -> advantages -> [diversity] -> batches
 * feedback    -> parse/validate -> dedup -> join generations -> votes, edits, regenerations; thumbs, ratings per prompt
 *             -> pairs, unpaired examples (redacted); closed groups -> [reward-margin pairs] (PreferenceStages)
 * scored, groups, batches, pairs, feedback -> health windows -> alarms -> [gate before the batch (and pair) sinks] (HealthStages)
 * every rejected, late or unmatched record -> dead letters
 * </pre>
 *
 * Every operator has a stable uid (state survives upgrades) and a name (readable in the UI).
 */
public final class PipelineTopology {

  public static final String PIPELINE_VERSION = "lodestar-0.1.0";

  static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", avro(DeadLetter.class));

  private PipelineTopology() {}

  /** Where the inputs' event time comes from. */
  public enum EventTime {
    /**
     * The sources stamp records and generate watermarks per partition (Kafka, see {@link
     * SourceEventTime}); the graph keeps them.
     */
    FROM_SOURCES,
    /**
     * The sources carry none (files, collections): the graph stamps each input after parsing, with
     * one watermark per input stream, {@code watermark.out-of-orderness} behind its newest record
     * and moved by the records themselves ({@link ParsedEventTime}).
     */
    AFTER_PARSING
  }

  /** The streams the graph produces, before they reach the sinks; tests may tap them. */
  public record Streams(
      DataStream<ScoredGeneration> scored,
      DataStream<RLBatch> batches,
      DataStream<PreferencePair> pairs,
      DataStream<UnpairedExample> unpaired,
      DataStream<DeadLetter> deadLetters,
      DataStream<RLGroup> filteredGroups,
      DataStream<HealthMetrics> healthMetrics,
      DataStream<Alert> alerts) {}

  /** Builds the graph and connects it to the outputs. {@code feedback} may be null. */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      LodestarOptions options,
      PipelineOutputs outputs) {
    return build(generationsRaw, feedbackRaw, null, options, outputs);
  }

  /**
   * Builds the graph over inputs without event time and connects it to the outputs. {@code
   * feedbackRaw} and {@code policyUpdatesRaw} (the trainers' control topic) may be null.
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options,
      PipelineOutputs outputs) {
    return build(
        generationsRaw, feedbackRaw, policyUpdatesRaw, options, outputs, EventTime.AFTER_PARSING);
  }

  /**
   * Builds the graph and connects it to the outputs; {@code eventTime} says whether the inputs
   * carry their event time. {@code feedbackRaw} and {@code policyUpdatesRaw} may be null.
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options,
      PipelineOutputs outputs,
      EventTime eventTime) {
    Streams streams = build(generationsRaw, feedbackRaw, policyUpdatesRaw, options, eventTime);
    // Outputs may refuse records (a Kafka topic refuses one that is too large); those join the dead
    // letters, so the dead-letter output is connected last.
    List<DataStream<DeadLetter>> refused = new ArrayList<>();
    refused.add(
        outputs.scored().connect(streams.scored(), "sink-scored", "Scored generations sink"));
    refused.add(outputs.batches().connect(streams.batches(), "sink-batches", "RL batches sink"));
    if (streams.pairs() != null) {
      refused.add(outputs.pairs().connect(streams.pairs(), "sink-pairs", "Preference pairs sink"));
    }
    if (streams.unpaired() != null) {
      refused.add(
          outputs
              .unpaired()
              .connect(streams.unpaired(), "sink-unpaired", "Unpaired examples sink"));
    }
    if (streams.healthMetrics() != null && outputs.healthMetrics() != null) {
      refused.add(
          outputs
              .healthMetrics()
              .connect(streams.healthMetrics(), "sink-health-metrics", "Health metrics sink"));
    }
    if (streams.alerts() != null && outputs.alerts() != null) {
      refused.add(outputs.alerts().connect(streams.alerts(), "sink-alerts", "Alerts sink"));
    }
    if (outputs.filteredGroups() != null) {
      refused.add(
          outputs
              .filteredGroups()
              .connect(streams.filteredGroups(), "sink-filtered-groups", "Filtered groups sink"));
    }
    DataStream<DeadLetter> deadLetters = streams.deadLetters();
    for (DataStream<DeadLetter> r : refused) {
      if (r != null) {
        deadLetters = deadLetters.union(r);
      }
    }
    outputs.deadLetters().connect(deadLetters, "sink-dead-letters", "Dead letters sink");
    return new Streams(
        streams.scored(),
        streams.batches(),
        streams.pairs(),
        streams.unpaired(),
        deadLetters,
        streams.filteredGroups(),
        streams.healthMetrics(),
        streams.alerts());
  }

  /**
   * Builds the graph without sinks; {@code unpaired} is null when there is no feedback input,
   * {@code pairs} too unless group pairs are on.
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      LodestarOptions options) {
    return build(generationsRaw, feedbackRaw, null, options);
  }

  /**
   * Builds the graph without sinks over inputs without event time; {@code policyUpdatesRaw} may be
   * null (no control topic).
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options) {
    return build(generationsRaw, feedbackRaw, policyUpdatesRaw, options, EventTime.AFTER_PARSING);
  }

  /**
   * Builds the graph without sinks; {@code eventTime} says whether the inputs carry their event
   * time.
   */
  public static Streams build(
      DataStream<RawRecord> generationsRaw,
      DataStream<RawRecord> feedbackRaw,
      DataStream<RawRecord> policyUpdatesRaw,
      LodestarOptions options,
      EventTime eventTime) {
    WatermarkStrategy<Generation> generationTime =
        ParsedEventTime.strategy(
            (g, previous) -> g.getCreatedAtMs(),
            options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS));

    SingleOutputStreamOperator<Generation> parsedGenerations =
        parseGenerations(generationsRaw, options);

    DataStream<Generation> stamped =
        eventTime == EventTime.FROM_SOURCES
            ? parsedGenerations
            : parsedGenerations
                .assignTimestampsAndWatermarks(generationTime)
                .uid("event-time-generations")
                .name("Event time of generations");
    DataStream<Generation> generations =
        stamped
            .keyBy(Generation::getGenerationId, Types.STRING)
            .process(
                new DeduplicateFunction<Generation>(options.get(LodestarOptions.DEDUP_RETENTION)),
                avro(Generation.class))
            .uid("dedup-generations")
            .name("De-duplicate generations");

    DataStream<ScoredGeneration> ruleScored =
        generations
            .map(new ScoreFunction(options.verifierRegistry()), handedOver(ScoredGeneration.class))
            .uid("verify-numeric-answer")
            .name("Verify");
    CodeSandbox sandbox =
        new CodeSandbox(
            CodeSandbox.Limits.defaults().withWallClock(options.get(LodestarOptions.CODE_TIMEOUT)));
    int codeThreads = options.get(LodestarOptions.CODE_THREADS);
    int codeCapacity = options.get(LodestarOptions.CODE_CAPACITY);
    DataStream<ScoredGeneration> codeScored =
        AsyncDataStream.orderedWait(
                ruleScored,
                new CodeTestFunction(sandbox, codeThreads),
                // Each run's own deadline starts when it runs; this one starts when the record is
                // queued, so it covers the wait behind a full queue and only catches a stuck
                // runner.
                CodeTestFunction.operatorTimeout(sandbox.maxRunTime(), codeThreads, codeCapacity)
                    .toMillis(),
                TimeUnit.MILLISECONDS,
                codeCapacity)
            .returns(handedOver(ScoredGeneration.class))
            .uid("verify-code-tests")
            .name("Verify code tests (sandbox)");

    ScoringStages.Scored learned = ScoringStages.apply(codeScored, options);

    // Every scoring stage only adds components; the reward is combined once, here, from all of
    // them.
    DataStream<ScoredGeneration> scored =
        learned
            .scored()
            .map(
                new CombineRewardsFunction(options.rewardComposition()),
                avro(ScoredGeneration.class))
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
                    options.groupFilter(),
                    // Group-level scorers (majority vote) run inside: before the filter and the
                    // advantages, without a second copy of the members in state.
                    options.groupScoring()),
                avro(RLGroup.class))
            .uid("group-generations")
            .name("Group responses, GRPO advantages");

    SingleOutputStreamOperator<PolicyUpdate> parsedPolicyUpdates =
        policyUpdatesRaw == null ? null : parsePolicyUpdates(policyUpdatesRaw, options);
    DataStream<PolicyUpdate> policyUpdates =
        parsedPolicyUpdates == null
            ? noPolicyUpdates(groups)
            : eventTime == EventTime.FROM_SOURCES
                ? parsedPolicyUpdates
                : withPublishTime(parsedPolicyUpdates, options);
    DataStream<RLGroup> trainable = ScoringStages.withDiversity(groups, options);
    SingleOutputStreamOperator<RLGroup> consented = null;
    if (options.get(LodestarOptions.BATCH_REQUIRE_CONSENT)) {
      consented =
          trainable
              .process(new TrainingConsentFunction(), avro(RLGroup.class))
              .uid("training-consent")
              .name("Consent to train");
      trainable = consented;
    }
    SingleOutputStreamOperator<RLBatch> batches =
        trainable
            .keyBy(g -> g.getSamples().get(0).getPolicy().getModelId(), Types.STRING)
            .connect(policyUpdates.keyBy(PolicyUpdate::getModelId, Types.STRING))
            .process(
                new BatchFunction(
                    options.batchLimits(),
                    options.get(LodestarOptions.BATCH_MAX_WAIT),
                    options.staleness(),
                    options.advantageSpec(),
                    options.get(LodestarOptions.BATCH_MIX_POLICY_VERSIONS)),
                avro(RLBatch.class))
            .uid("pack-batches")
            .name("Pack RL batches");

    DataStream<DeadLetter> lateMembers =
        groups
            .getSideOutput(GroupFunction.LATE_MEMBERS)
            .map(
                late -> DeadLetters.lateGroupMember(late, System.currentTimeMillis()),
                avro(DeadLetter.class))
            .uid("late-members-to-dead-letters")
            .name("Late group members to dead letters");

    DataStream<DeadLetter> deadLetters =
        parsedGenerations
            .getSideOutput(DEAD_LETTERS)
            .union(lateMembers, groups.getSideOutput(GroupFunction.INCONSISTENT_MEMBERS));
    if (learned.deadLetters() != null) {
      deadLetters = deadLetters.union(learned.deadLetters());
    }
    if (parsedPolicyUpdates != null) {
      deadLetters = deadLetters.union(parsedPolicyUpdates.getSideOutput(DEAD_LETTERS));
    }
    SingleOutputStreamOperator<Feedback> feedback = null;
    if (feedbackRaw != null) {
      feedback =
          feedbackRaw
              .process(feedbackParser(options), avro(Feedback.class))
              .uid("parse-feedback")
              .name("Parse and validate feedback");
      deadLetters = deadLetters.union(feedback.getSideOutput(DEAD_LETTERS));
    }
    PreferenceStages.Streams preference =
        PreferenceStages.apply(scored, feedback, groups, options, eventTime);
    if (preference.unmatched() != null) {
      deadLetters = deadLetters.union(preference.unmatched());
    }
    DataStream<RLGroup> filteredGroups = groups.getSideOutput(GroupFunction.FILTERED_GROUPS);
    AdvantageSpec advantageSpec = options.advantageSpec();
    // The batch operator's side outputs say why here; the group and consent steps label their own.
    DataStream<RLGroup> staleGroups =
        batches
            .getSideOutput(BatchFunction.STALE_GROUPS)
            .map(g -> SetAsideGroups.because(g, SetAsideReason.STALE), avro(RLGroup.class))
            .uid("stale-groups-reason")
            .name("Stale groups: reason");
    DataStream<RLGroup> refusedBatchGroups =
        batches
            .getSideOutput(BatchFunction.REFUSED_GROUPS)
            .map(
                g ->
                    SetAsideGroups.refusedByTrainer(
                        g,
                        advantageSpec,
                        "the batch step has no result for the batch this group was packed in"),
                avro(RLGroup.class))
            .uid("refused-batch-groups-reason")
            .name("Groups of refused batches: reason");
    DataStream<RLGroup> setAside = filteredGroups.union(staleGroups, refusedBatchGroups);
    if (consented != null) {
      setAside = setAside.union(consented.getSideOutput(TrainingConsentFunction.NO_CONSENT));
    }
    HealthStages.Streams health =
        HealthStages.apply(
            scored,
            groups,
            filteredGroups,
            batches,
            preference.pairs(),
            preference.joinedFeedback(),
            options);
    if (health.discardedGroups() != null) {
      setAside = setAside.union(health.discardedGroups());
    }
    if (health.discardedPairs() != null) {
      deadLetters = deadLetters.union(health.discardedPairs());
    }
    return new Streams(
        scored,
        health.batches(),
        health.pairs(),
        preference.unpaired(),
        deadLetters,
        setAside,
        health.metrics(),
        health.alerts());
  }

  /**
   * Decodes and validates raw generations; rejected records go to the {@link #DEAD_LETTERS} side
   * output. The first operator of the pipeline, and the benchmark's decode-encode baseline.
   */
  public static SingleOutputStreamOperator<Generation> parseGenerations(
      DataStream<RawRecord> raw, LodestarOptions options) {
    return raw.process(generationParser(options), avro(Generation.class))
        .uid("parse-generations")
        .name("Parse and validate generations");
  }

  /**
   * Decodes and validates generations in the format {@code topics.generations.format} names; what
   * it cannot use goes to {@link #DEAD_LETTERS}.
   */
  static ParseFunction<Generation> generationParser(LodestarOptions options) {
    GenerationValidator validator = new GenerationValidator(options.generationLimits());
    int maxPayload = options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD);
    EventTimeCheck<Generation> clockSkew =
        clockSkewCheck("createdAtMs", Generation::getCreatedAtMs, options);
    if (options.generationsFormat() == GenerationsFormat.OPENAI_CHAT) {
      return new ParseFunction<>(
          "parse.generations",
          generationsFormat(options),
          validator,
          Generation::getGenerationId,
          DEAD_LETTERS,
          maxPayload,
          clockSkew,
          System::currentTimeMillis);
    }
    return new ParseFunction<>(
            "parse.generations",
            RecordCodec.of(Generation.class),
            validator,
            Generation::getGenerationId,
            DEAD_LETTERS,
            maxPayload,
            clockSkew)
        .withRawIdField("generationId");
  }

  /**
   * Decodes and validates feedback in the format {@code topics.feedback.format} names; what it
   * cannot use goes to {@link #DEAD_LETTERS}.
   */
  static ParseFunction<Feedback> feedbackParser(LodestarOptions options) {
    int maxPayload = options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD);
    EventTimeCheck<Feedback> clockSkew =
        clockSkewCheck("createdAtMs", Feedback::getCreatedAtMs, options);
    if (options.feedbackFormat() == FeedbackFormat.SIMPLE) {
      return new ParseFunction<>(
          "parse.feedback",
          feedbackFormat(options),
          new FeedbackValidator(),
          Feedback::getFeedbackId,
          DEAD_LETTERS,
          maxPayload,
          clockSkew,
          System::currentTimeMillis);
    }
    return new ParseFunction<>(
            "parse.feedback",
            RecordCodec.of(Feedback.class),
            new FeedbackValidator(),
            Feedback::getFeedbackId,
            DEAD_LETTERS,
            maxPayload,
            clockSkew)
        .withRawIdField("feedbackId");
  }

  /** How messages on the generations topic are read into generations. */
  static InputFormat<Generation> generationsFormat(LodestarOptions options) {
    return options.generationsFormat() == GenerationsFormat.OPENAI_CHAT
        ? new OpenAiChatRecords()
        : InputFormat.lodestar(RecordCodec.of(Generation.class), "generationId");
  }

  /** How messages on the feedback topic are read into feedback. */
  static InputFormat<Feedback> feedbackFormat(LodestarOptions options) {
    return options.feedbackFormat() == FeedbackFormat.SIMPLE
        ? new SimpleFeedback()
        : InputFormat.lodestar(RecordCodec.of(Feedback.class), "feedbackId");
  }

  /**
   * Decodes and validates trainer policy updates; what it cannot use goes to {@link #DEAD_LETTERS}.
   */
  static ParseFunction<PolicyUpdate> policyUpdateParser(LodestarOptions options) {
    return new ParseFunction<>(
            "parse.policy-updates",
            RecordCodec.of(PolicyUpdate.class),
            PipelineTopology::policyUpdateViolation,
            PolicyUpdate::getModelId,
            DEAD_LETTERS,
            options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD),
            clockSkewCheck("publishedAtMs", PolicyUpdate::getPublishedAtMs, options))
        .withRawIdField("modelId");
  }

  /**
   * The trainers' control topic, decoded and validated like every input; bad records are dead
   * letters.
   */
  private static SingleOutputStreamOperator<PolicyUpdate> parsePolicyUpdates(
      DataStream<RawRecord> raw, LodestarOptions options) {
    return raw.process(policyUpdateParser(options), avro(PolicyUpdate.class))
        .uid("parse-policy-updates")
        .name("Parse trainer policy updates");
  }

  /**
   * Every input's event time is checked against the wall clock before anything downstream sees it:
   * a time hours ahead (or in microseconds) would run the watermark ahead of every record behind
   * it.
   */
  private static <T> EventTimeCheck<T> clockSkewCheck(
      String field, EventTimeCheck.EventTimeOf<T> eventTimeOf, LodestarOptions options) {
    return new EventTimeCheck<>(
        field,
        eventTimeOf,
        options.get(LodestarOptions.MAX_CLOCK_SKEW).toMillis(),
        LodestarOptions.MAX_CLOCK_SKEW.key());
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
   * Event time of trainer announcements read without event time of their own (files, collections);
   * the Kafka control topic's idleness is the source's ({@link SourceEventTime}).
   */
  private static DataStream<PolicyUpdate> withPublishTime(
      DataStream<PolicyUpdate> updates, LodestarOptions options) {
    return updates
        .assignTimestampsAndWatermarks(
            ParsedEventTime.<PolicyUpdate>strategy(
                (u, previous) -> u.getPublishedAtMs(),
                options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS)))
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

  static <T extends org.apache.avro.specific.SpecificRecordBase> TypeInformation<T> avro(
      Class<T> type) {
    return new AvroTypeInfo<>(type);
  }

  /**
   * The Avro type of a stream whose every record is new, so the async and micro-batching operators
   * that read it hold the record itself instead of a deep copy (see {@link HandedOverTypeInfo}).
   */
  static <T extends org.apache.avro.specific.SpecificRecordBase> TypeInformation<T> handedOver(
      Class<T> type) {
    return new HandedOverTypeInfo<>(avro(type));
  }
}
