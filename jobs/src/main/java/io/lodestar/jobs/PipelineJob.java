package io.lodestar.jobs;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.KafkaIO;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.OutputLimits;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.KafkaOptions;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Alert;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streaming pipeline between Kafka topics. {@code main} is the entry point of a deployment. */
public final class PipelineJob {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineJob.class);

  private PipelineJob() {}

  public static void main(String[] args) throws Exception {
    LodestarOptions options = LodestarOptions.fromArgs(args);
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    build(env, options);
    env.execute("lodestar-pipeline");
  }

  /**
   * Checks that the job can work ({@link StartupChecks}: brokers, topics, checkpoint directory),
   * then adds the pipeline between the configured topics to {@code env}.
   */
  public static void build(StreamExecutionEnvironment env, LodestarOptions options) {
    KafkaSettings kafka = options.kafka();
    StartupChecks.run(options, env.getConfiguration());
    LOG.info("Starting Lodestar pipeline with {}", options);
    String policyTopic = options.get(LodestarOptions.TOPIC_POLICY_UPDATES);
    PipelineInputs inputs =
        PipelineInputs.generations(
                rawSource(
                    env,
                    options,
                    kafka,
                    options.get(LodestarOptions.TOPIC_GENERATIONS),
                    "source-generations",
                    SourceEventTime.Input.GENERATIONS))
            .withFeedback(
                rawSource(
                    env,
                    options,
                    kafka,
                    options.get(LodestarOptions.TOPIC_FEEDBACK),
                    "source-feedback",
                    SourceEventTime.Input.FEEDBACK))
            .withEventTimeFromSources();
    if (!policyTopic.isBlank()) {
      inputs =
          inputs.withPolicyUpdates(
              rawSource(
                  env,
                  options,
                  kafka,
                  policyTopic,
                  "source-policy-updates",
                  SourceEventTime.Input.POLICY_UPDATES));
    }
    PipelineOutputs outputs = kafkaOutputs(options, kafka);
    PipelineTopology.Streams streams = outputs.connect(PipelineTopology.build(inputs, options));
    attachTrainerFiles(streams, options);
  }

  /** Adds the trainer file exports under {@code export.dir}, when it is set. */
  static void attachTrainerFiles(PipelineTopology.Streams streams, LodestarOptions options) {
    String exportDir = options.get(LodestarOptions.EXPORT_DIR);
    if (!exportDir.isBlank()) {
      attachFiles(streams, new Path(exportDir), options);
    }
  }

  /** The trainer files of the batches and the preference files of the pairs, under {@code dir}. */
  static void attachFiles(PipelineTopology.Streams streams, Path dir, LodestarOptions options) {
    TrainerFiles.attach(streams.batches(), dir, options.exportFormats());
    streams
        .pairs()
        .ifPresent(
            pairs ->
                PreferenceFiles.attach(
                    pairs,
                    streams.unpaired().orElse(null),
                    dir,
                    options.preferenceExportFormats()));
  }

  /** Fails start-up when the sink transaction timeout does not fit the brokers' maximum. */
  static void checkTransactionTimeout(LodestarOptions options, KafkaSettings kafka) {
    StartupChecks.checkTransactionTimeout(options, kafka);
  }

  /**
   * A Kafka input whose records carry their event time, with watermarks per partition, aligned with
   * the other inputs (see {@link SourceEventTime}); build the graph over it with {@link
   * PipelineInputs#withEventTimeFromSources}.
   */
  static DataStream<RawRecord> rawSource(
      StreamExecutionEnvironment env,
      LodestarOptions options,
      KafkaSettings kafka,
      String topic,
      String uid,
      SourceEventTime.Input input) {
    return env.fromSource(
            KafkaIO.rawSource(
                kafka,
                topic,
                options.get(LodestarOptions.SOURCE_GROUP_ID),
                startingOffsets(options),
                input.reader(options)),
            SourceEventTime.strategy(options),
            "Kafka " + topic)
        .uid(uid)
        .transform(
            "Final watermark of " + topic,
            TypeInformation.of(RawRecord.class),
            new SourceEventTime.FinalWatermark())
        .uid(uid + "-final-watermark");
  }

  static OffsetsInitializer startingOffsets(LodestarOptions options) {
    KafkaOptions.StartingOffsets offsets = options.get(LodestarOptions.SOURCE_STARTING_OFFSETS);
    switch (offsets) {
      case EARLIEST:
        return OffsetsInitializer.earliest();
      case LATEST:
        return OffsetsInitializer.latest();
      case COMMITTED_OR_EARLIEST:
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      default:
        throw new IllegalStateException("unknown starting offsets " + offsets);
    }
  }

  /**
   * The scored generations' output, keyed by generation id: size-checked against the topic's
   * limits, then an exactly-once sink.
   */
  public static PipelineOutput<ScoredGeneration> scoredOutput(
      LodestarOptions options, KafkaSettings kafka) {
    String topic = options.get(LodestarOptions.TOPIC_SCORED);
    return KafkaOutput.of(
        kafka,
        "scored",
        topic,
        RecordCodec.of(ScoredGeneration.class),
        options.sinkFormat(),
        s -> s.getGeneration().getGenerationId(),
        outputLimits(options, kafka, List.of(topic)).get(topic),
        options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD));
  }

  /**
   * Exactly-once Kafka outputs, one transactional-id prefix each. Each is size-checked against its
   * topic's limits, read from the brokers now (see {@link KafkaOutput}); start-up fails, naming the
   * topic, when a topic's limit is too small for any dead letter, and when the gate is on without a
   * topic for what it sets aside.
   */
  public static PipelineOutputs kafkaOutputs(LodestarOptions options, KafkaSettings kafka) {
    WireFormat format = options.sinkFormat();
    int maxPayload = options.get(LodestarOptions.DEAD_LETTER_MAX_PAYLOAD);
    String filteredTopic = options.get(LodestarOptions.TOPIC_FILTERED_GROUPS);
    if (options.get(LodestarOptions.GATE_ENABLED) && filteredTopic.isBlank()) {
      // What the gate discards or still holds at a drain goes there; without it, it would only be
      // counted.
      throw new IllegalArgumentException(
          LodestarOptions.GATE_ENABLED.key()
              + " needs "
              + LodestarOptions.TOPIC_FILTERED_GROUPS.key()
              + ": the groups the gate discards or still holds at a drain are written there");
    }
    String scored = options.get(LodestarOptions.TOPIC_SCORED);
    String batches = options.get(LodestarOptions.TOPIC_BATCHES);
    String pairs = options.get(LodestarOptions.TOPIC_PAIRS);
    String unpaired = options.get(LodestarOptions.TOPIC_UNPAIRED);
    String deadLetters = options.get(LodestarOptions.TOPIC_DEAD_LETTERS);
    String health = options.get(LodestarOptions.TOPIC_HEALTH_METRICS);
    String alerts = options.get(LodestarOptions.TOPIC_ALERTS);
    List<String> topics =
        new ArrayList<>(List.of(scored, batches, pairs, unpaired, deadLetters, health, alerts));
    if (!filteredTopic.isBlank()) {
      topics.add(filteredTopic);
    }
    Map<String, OutputLimits> limits = outputLimits(options, kafka, topics);
    return new PipelineOutputs(
        KafkaOutput.of(
            kafka,
            "scored",
            scored,
            RecordCodec.of(ScoredGeneration.class),
            format,
            s -> s.getGeneration().getGenerationId(),
            limits.get(scored),
            maxPayload),
        KafkaOutput.of(
            kafka,
            "batches",
            batches,
            RecordCodec.of(RLBatch.class),
            format,
            RLBatch::getBatchId,
            limits.get(batches),
            maxPayload),
        KafkaOutput.of(
            kafka,
            "pairs",
            pairs,
            RecordCodec.of(PreferencePair.class),
            format,
            PreferencePair::getPairId,
            limits.get(pairs),
            maxPayload),
        KafkaOutput.of(
            kafka,
            "unpaired",
            unpaired,
            RecordCodec.of(UnpairedExample.class),
            format,
            UnpairedExample::getExampleId,
            limits.get(unpaired),
            maxPayload),
        KafkaOutput.deadLetters(
            kafka, "dead-letters", deadLetters, format, limits.get(deadLetters)),
        filteredTopic.isBlank()
            ? null
            : KafkaOutput.of(
                kafka,
                "filtered-groups",
                filteredTopic,
                RecordCodec.of(RLGroup.class),
                format,
                RLGroup::getGroupId,
                limits.get(filteredTopic),
                maxPayload),
        KafkaOutput.of(
            kafka,
            "health-metrics",
            health,
            RecordCodec.of(HealthMetrics.class),
            format,
            HealthMetrics::getMetricsId,
            limits.get(health),
            maxPayload),
        KafkaOutput.of(
            kafka,
            "alerts",
            alerts,
            RecordCodec.of(Alert.class),
            format,
            Alert::getAlertId,
            limits.get(alerts),
            maxPayload));
  }

  /**
   * The limits of each output topic, from the brokers (the producer's {@code max.request.size} from
   * {@code kafka.max.request.size}); {@code sink.max-message-bytes} for a topic that cannot be
   * described. Fails when a topic accepts too little for the job to work.
   */
  static Map<String, OutputLimits> outputLimits(
      LodestarOptions options, KafkaSettings kafka, List<String> topics) {
    Map<String, OutputLimits> limits =
        OutputLimits.read(
            kafka,
            topics,
            options.get(LodestarOptions.SINK_MAX_MESSAGE_BYTES),
            Duration.ofSeconds(10));
    for (String topic : topics) {
      limits
          .get(topic)
          .problem(topic)
          .ifPresent(
              problem -> {
                throw new IllegalArgumentException(problem);
              });
      LOG.info(
          "Output topic {}: records up to {} bytes", topic, limits.get(topic).maxRecordBytes());
    }
    return limits;
  }
}
