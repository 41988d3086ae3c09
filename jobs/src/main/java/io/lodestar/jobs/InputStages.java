package io.lodestar.jobs;

import static io.lodestar.jobs.Stages.DEAD_LETTERS;
import static io.lodestar.jobs.Stages.avro;

import io.lodestar.connectors.EventTimeCheck;
import io.lodestar.connectors.ParseFunction;
import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.openai.OpenAiChatRecords;
import io.lodestar.connectors.openai.SimpleFeedback;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.FeedbackFormat;
import io.lodestar.jobs.config.GenerationsFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.dedup.DeduplicateFunction;
import io.lodestar.operators.validate.FeedbackValidator;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PolicyUpdate;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The pipeline's inputs decoded and validated, each record's event time checked against the wall
 * clock, stamped with event time when the sources carry none, and generations de-duplicated; what a
 * parser cannot use is a dead letter.
 */
public final class InputStages {

  private InputStages() {}

  /** Parsed, validated generations with their event time. */
  static DataStream<Generation> generations(
      PipelineInputs inputs, LodestarOptions options, UnionCollector<DeadLetter> deadLetters) {
    SingleOutputStreamOperator<Generation> parsed = parseGenerations(inputs.generations(), options);
    deadLetters.add(parsed.getSideOutput(DEAD_LETTERS));
    if (inputs.eventTime() == PipelineInputs.EventTime.FROM_SOURCES) {
      return parsed;
    }
    return parsed
        .assignTimestampsAndWatermarks(
            ParsedEventTime.<Generation>strategy(
                (g, previous) -> g.getCreatedAtMs(),
                options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS)))
        .uid("event-time-generations")
        .name("Event time of generations");
  }

  /** Each generation once, by generation id, for {@code dedup.retention}. */
  static DataStream<Generation> deduplicated(
      DataStream<Generation> generations, LodestarOptions options) {
    return generations
        .keyBy(Generation::getGenerationId, Types.STRING)
        .process(
            new DeduplicateFunction<Generation>(options.get(LodestarOptions.DEDUP_RETENTION)),
            avro(Generation.class))
        .uid("dedup-generations")
        .name("De-duplicate generations");
  }

  /**
   * Parsed, validated feedback when there is a feedback input; its event time and de-duplication
   * are the preference stages' ({@link PreferenceStages}).
   */
  static Optional<DataStream<Feedback>> feedback(
      PipelineInputs inputs, LodestarOptions options, UnionCollector<DeadLetter> deadLetters) {
    if (inputs.feedback().isEmpty()) {
      return Optional.empty();
    }
    SingleOutputStreamOperator<Feedback> parsed =
        inputs
            .feedback()
            .get()
            .process(feedbackParser(options), avro(Feedback.class))
            .uid("parse-feedback")
            .name("Parse and validate feedback");
    deadLetters.add(parsed.getSideOutput(DEAD_LETTERS));
    return Optional.of(parsed);
  }

  /**
   * The trainers' control topic, decoded and validated like every input, with its event time, when
   * there is one.
   */
  static Optional<DataStream<PolicyUpdate>> policyUpdates(
      PipelineInputs inputs, LodestarOptions options, UnionCollector<DeadLetter> deadLetters) {
    if (inputs.policyUpdates().isEmpty()) {
      return Optional.empty();
    }
    SingleOutputStreamOperator<PolicyUpdate> parsed =
        inputs
            .policyUpdates()
            .get()
            .process(policyUpdateParser(options), avro(PolicyUpdate.class))
            .uid("parse-policy-updates")
            .name("Parse trainer policy updates");
    deadLetters.add(parsed.getSideOutput(DEAD_LETTERS));
    if (inputs.eventTime() == PipelineInputs.EventTime.FROM_SOURCES) {
      return Optional.of(parsed);
    }
    // The Kafka control topic's idleness is the source's ({@link SourceEventTime}).
    return Optional.of(
        parsed
            .assignTimestampsAndWatermarks(
                ParsedEventTime.<PolicyUpdate>strategy(
                    (u, previous) -> u.getPublishedAtMs(),
                    options.get(LodestarOptions.WATERMARK_OUT_OF_ORDERNESS)))
            .uid("event-time-policy-updates")
            .name("Event time of trainer policy updates"));
  }

  /**
   * Decodes and validates raw generations; rejected records go to the {@link Stages#DEAD_LETTERS}
   * side output. The first operator of the pipeline, and the benchmark's decode-encode baseline.
   */
  public static SingleOutputStreamOperator<Generation> parseGenerations(
      DataStream<RawRecord> raw, LodestarOptions options) {
    return raw.process(generationParser(options), avro(Generation.class))
        .uid("parse-generations")
        .name("Parse and validate generations");
  }

  /**
   * Decodes and validates generations in the format {@code topics.generations.format} names; what
   * it cannot use goes to {@link Stages#DEAD_LETTERS}.
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
   * cannot use goes to {@link Stages#DEAD_LETTERS}.
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
   * Decodes and validates trainer policy updates; what it cannot use goes to {@link
   * Stages#DEAD_LETTERS}.
   */
  static ParseFunction<PolicyUpdate> policyUpdateParser(LodestarOptions options) {
    return new ParseFunction<>(
            "parse.policy-updates",
            RecordCodec.of(PolicyUpdate.class),
            InputStages::policyUpdateViolation,
            PolicyUpdate::getModelId,
            DEAD_LETTERS,
            options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD),
            clockSkewCheck("publishedAtMs", PolicyUpdate::getPublishedAtMs, options))
        .withRawIdField("modelId");
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

  private static Optional<String> policyUpdateViolation(PolicyUpdate u) {
    if (u.getModelId().isBlank()) {
      return Optional.of("modelId is blank");
    }
    if (u.getPolicyVersion() < 0) {
      return Optional.of("policyVersion is negative: " + u.getPolicyVersion());
    }
    if (u.getPublishedAtMs() < 0) {
      return Optional.of("publishedAtMs is negative: " + u.getPublishedAtMs());
    }
    return Optional.empty();
  }
}
