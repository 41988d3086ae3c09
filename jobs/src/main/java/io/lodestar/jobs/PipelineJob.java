package io.lodestar.jobs;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.KafkaIO;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.Alert;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.UnpairedExample;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
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
    StreamExecutionEnvironment env = PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    build(env, options);
    env.execute("lodestar-pipeline");
  }

  /**
   * Validates the Kafka settings against the brokers, then adds the pipeline between the
   * configured topics to {@code env}.
   */
  public static void build(StreamExecutionEnvironment env, LodestarOptions options) {
    KafkaSettings kafka = options.kafka();
    checkTransactionTimeout(options, kafka);
    LOG.info("Starting Lodestar pipeline with {}", options);
    String policyTopic = options.get(LodestarOptions.TOPIC_POLICY_UPDATES);
    PipelineTopology.Streams streams =
        PipelineTopology.build(
            rawSource(env, options, kafka, options.get(LodestarOptions.TOPIC_GENERATIONS), "source-generations",
                SourceEventTime.Input.GENERATIONS),
            rawSource(env, options, kafka, options.get(LodestarOptions.TOPIC_FEEDBACK), "source-feedback",
                SourceEventTime.Input.FEEDBACK),
            policyTopic.isBlank()
                ? null
                : rawSource(env, options, kafka, policyTopic, "source-policy-updates", SourceEventTime.Input.POLICY_UPDATES),
            options,
            kafkaOutputs(options, kafka),
            PipelineTopology.EventTime.FROM_SOURCES);
    attachTrainerFiles(streams, options);
  }

  /** Adds the trainer file exports under {@code export.dir}, when it is set. */
  static void attachTrainerFiles(PipelineTopology.Streams streams, LodestarOptions options) {
    String exportDir = options.get(LodestarOptions.EXPORT_DIR);
    if (!exportDir.isBlank()) {
      org.apache.flink.core.fs.Path dir = new org.apache.flink.core.fs.Path(exportDir);
      TrainerFiles.attach(streams.batches(), dir, options.exportFormats());
      if (streams.pairs() != null) {
        PreferenceFiles.attach(streams.pairs(), streams.unpaired(), dir, options.preferenceExportFormats());
      }
    }
  }

  /** Fails start-up when the sink transaction timeout does not fit the brokers' maximum. */
  static void checkTransactionTimeout(LodestarOptions options, KafkaSettings kafka) {
    Duration brokerMax =
        TransactionTimeouts.brokerMaximum(kafka, Duration.ofSeconds(10))
            .orElse(options.get(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT));
    options.transactionTimeoutProblem(brokerMax).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /**
   * A Kafka input whose records carry their event time, with watermarks per partition, aligned
   * with the other inputs (see {@link SourceEventTime}); build the graph over it with {@link
   * PipelineTopology.EventTime#FROM_SOURCES}.
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
                kafka, topic, options.get(LodestarOptions.SOURCE_GROUP_ID), startingOffsets(options), input.reader()),
            SourceEventTime.strategy(options),
            "Kafka " + topic)
        .uid(uid)
        .transform("Final watermark of " + topic, TypeInformation.of(RawRecord.class), new SourceEventTime.FinalWatermark())
        .uid(uid + "-final-watermark");
  }

  static OffsetsInitializer startingOffsets(LodestarOptions options) {
    switch (options.get(LodestarOptions.SOURCE_STARTING_OFFSETS)) {
      case "earliest":
        return OffsetsInitializer.earliest();
      case "latest":
        return OffsetsInitializer.latest();
      default:
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    }
  }

  /** The exactly-once sink of scored generations, keyed by generation id. */
  public static Sink<ScoredGeneration> scoredSink(LodestarOptions options, KafkaSettings kafka) {
    return KafkaIO.exactlyOnceSink(kafka, "scored", options.get(LodestarOptions.TOPIC_SCORED),
        RecordCodec.of(ScoredGeneration.class), options.sinkFormat(), s -> s.getGeneration().getGenerationId());
  }

  /** Exactly-once Kafka sinks, one transactional-id prefix each. */
  public static PipelineOutputs kafkaOutputs(LodestarOptions options, KafkaSettings kafka) {
    WireFormat format = options.sinkFormat();
    String filteredTopic = options.get(LodestarOptions.TOPIC_FILTERED_GROUPS);
    return new PipelineOutputs(
        scoredSink(options, kafka),
        KafkaIO.exactlyOnceSink(kafka, "batches", options.get(LodestarOptions.TOPIC_BATCHES),
            RecordCodec.of(RLBatch.class), format, RLBatch::getBatchId),
        KafkaIO.exactlyOnceSink(kafka, "pairs", options.get(LodestarOptions.TOPIC_PAIRS),
            RecordCodec.of(PreferencePair.class), format, PreferencePair::getPairId),
        KafkaIO.exactlyOnceSink(kafka, "unpaired", options.get(LodestarOptions.TOPIC_UNPAIRED),
            RecordCodec.of(UnpairedExample.class), format, UnpairedExample::getExampleId),
        KafkaIO.exactlyOnceSink(kafka, "dead-letters", options.get(LodestarOptions.TOPIC_DEAD_LETTERS),
            RecordCodec.of(DeadLetter.class), format, DeadLetter::getRecordId),
        filteredTopic.isBlank()
            ? null
            : KafkaIO.exactlyOnceSink(kafka, "filtered-groups", filteredTopic,
                RecordCodec.of(RLGroup.class), format, RLGroup::getGroupId),
        KafkaIO.exactlyOnceSink(kafka, "health-metrics", options.get(LodestarOptions.TOPIC_HEALTH_METRICS),
            RecordCodec.of(HealthMetrics.class), format, HealthMetrics::getMetricsId),
        KafkaIO.exactlyOnceSink(kafka, "alerts", options.get(LodestarOptions.TOPIC_ALERTS),
            RecordCodec.of(Alert.class), format, Alert::getAlertId));
  }
}
