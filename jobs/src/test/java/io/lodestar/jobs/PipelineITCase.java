package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.kafka.EmbeddedKafka;
import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.jobs.demo.TrafficSimulator;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.ScoredGeneration;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The streaming pipeline end to end through a real (in-process) Kafka broker and a Flink MiniCluster. */
class PipelineITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static EmbeddedKafka kafka;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  @Test
  void everyOutputIsSeenExactlyOnceByReadCommittedReadersAcrossAnInjectedTaskFailure() throws Exception {
    Topics topics = Topics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(7L, 0.0));
    LodestarOptions options = options(topics, 3);
    FailOnceAfterCheckpoint.reset();

    JobClient job = start(options, topics, true);
    List<SimulatedTraffic.Message> messages = traffic.messages;
    int half = messages.size() / 2;
    publish(topics, messages.subList(0, half));
    waitFor("a completed checkpoint", FailOnceAfterCheckpoint.CHECKPOINTED::get);
    publish(topics, messages.subList(half, messages.size()));
    waitFor("the injected failure", FailOnceAfterCheckpoint.FAILED::get);
    waitFor(
        "all scored generations to be committed",
        () -> read(topics.scored, ScoredGeneration.class).size() >= traffic.generationIds.size());
    drain(job);

    assertExactlyOnce(traffic, topics);
    assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();
  }

  @Test
  void corruptAndInvalidRecordsGoToDeadLettersWithoutRestartingTheJob() throws Exception {
    Topics topics = Topics.fresh();
    SimulatedTraffic traffic = new SimulatedTraffic(settings(11L, 0.5));
    traffic.addInvalidGeneration(traffic.anyGeneration(), " ", 4);
    traffic.addInvalidGeneration(traffic.anyGeneration(), "invalid-group-size", 0);
    // No restarts allowed: any exception would fail the job and the drain below with it.
    LodestarOptions options = options(topics, 0);

    JobClient job = start(options, topics, false);
    publish(topics, traffic.messages);
    waitFor(
        "all dead letters to be committed",
        () -> read(topics.deadLetters, DeadLetter.class).size() >= traffic.rejectedPayloads.size());
    waitFor(
        "all scored generations to be committed",
        () -> read(topics.scored, ScoredGeneration.class).size() >= traffic.generationIds.size());
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    drain(job);

    List<DeadLetter> deadLetters = read(topics.deadLetters, DeadLetter.class);
    assertThat(deadLetters).hasSize(traffic.rejectedPayloads.size());
    assertThat(deadLetters)
        .allSatisfy(
            d -> {
              assertThat(d.getTopic()).isIn(topics.generations, topics.feedback);
              assertThat(d.getPartition()).isNotNull();
              assertThat(d.getOffset()).isNotNull();
              assertThat(d.getReason()).isNotBlank();
            });
    List<ByteBuffer> expectedPayloads = new ArrayList<>();
    traffic.rejectedPayloads.forEach(p -> expectedPayloads.add(ByteBuffer.wrap(p)));
    assertThat(deadLetters).extracting(DeadLetter::getPayload).containsExactlyInAnyOrderElementsOf(expectedPayloads);
    assertThat(deadLetters).extracting(DeadLetter::getErrorKind).contains("INVALID");
    assertExactlyOnce(traffic, topics);
  }

  @Test
  void startUpFailsWhenTheTransactionTimeoutExceedsTheBrokersMaximumNamingBothValues() {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    // The configured fallback allows it; the brokers' own limit (15 min) must win.
    values.put(LodestarOptions.BROKER_TRANSACTION_MAX_TIMEOUT.key(), "1 h");
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "20 min");
    LodestarOptions options = LodestarOptions.fromMap(values, name -> null);
    StreamExecutionEnvironment env = PipelineEnvironment.create(PipelineEnvironment.streaming(options));

    assertThatThrownBy(() -> PipelineJob.build(env, options))
        .hasMessageContaining("sink.transaction-timeout=1200000 ms")
        .hasMessageContaining("transaction.max.timeout.ms=900000 ms");
  }

  private void assertExactlyOnce(SimulatedTraffic traffic, Topics topics) {
    List<String> scoredIds = new ArrayList<>();
    read(topics.scored, ScoredGeneration.class).forEach(s -> scoredIds.add(s.getGeneration().getGenerationId()));
    assertThat(scoredIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.generationIds);

    List<RLBatch> batches = read(topics.batches, RLBatch.class);
    List<String> groupIds = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    for (RLBatch batch : batches) {
      sequences.add(batch.getSequence());
      assertThat(batch.getGroups()).hasSizeLessThanOrEqualTo(3);
      for (RLGroup group : batch.getGroups()) {
        groupIds.add(group.getGroupId());
        assertThat(group.getSamples()).hasSize(4);
      }
    }
    assertThat(groupIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.groupIds);
    assertThat(sequences).doesNotHaveDuplicates();

    List<String> pairIds = new ArrayList<>();
    read(topics.pairs, PreferencePair.class).forEach(p -> pairIds.add(p.getPairId()));
    assertThat(pairIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(traffic.expectedPairIds);
    assertThat(pairIds).isNotEmpty();
  }

  private JobClient start(LodestarOptions options, Topics topics, boolean injectFailure) throws Exception {
    kafka.createTopics(2, topics.all());
    StreamExecutionEnvironment env = PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    KafkaSettings settings = options.kafka();
    PipelineJob.checkTransactionTimeout(options, settings);
    DataStream<RawRecord> generations =
        PipelineJob.rawSource(env, options, settings, topics.generations, "source-generations");
    if (injectFailure) {
      generations =
          generations
              .map(new FailOnceAfterCheckpoint(), TypeInformation.of(RawRecord.class))
              .uid("inject-failure")
              .name("Fail once after a checkpoint");
    }
    DataStream<RawRecord> feedback = PipelineJob.rawSource(env, options, settings, topics.feedback, "source-feedback");
    PipelineTopology.build(generations, feedback, options, PipelineJob.kafkaOutputs(options, settings));
    JobClient job = env.executeAsync("pipeline-it");
    waitFor("the job to run", () -> status(job) == JobStatus.RUNNING);
    return job;
  }

  private void drain(JobClient job) throws Exception {
    job.stopWithSavepoint(true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(2, TimeUnit.MINUTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
  }

  private LodestarOptions options(Topics topics, int restartAttempts) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    values.put(LodestarOptions.TOPIC_GENERATIONS.key(), topics.generations);
    values.put(LodestarOptions.TOPIC_FEEDBACK.key(), topics.feedback);
    values.put(LodestarOptions.TOPIC_SCORED.key(), topics.scored);
    values.put(LodestarOptions.TOPIC_BATCHES.key(), topics.batches);
    values.put(LodestarOptions.TOPIC_PAIRS.key(), topics.pairs);
    values.put(LodestarOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters);
    values.put(LodestarOptions.SOURCE_GROUP_ID.key(), "it-" + topics.suffix);
    values.put(LodestarOptions.SINK_TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.suffix);
    values.put(LodestarOptions.SINK_TRANSACTION_TIMEOUT.key(), "1 min");
    values.put(LodestarOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
    values.put(LodestarOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
    values.put(LodestarOptions.RESTART_ATTEMPTS.key(), Integer.toString(restartAttempts));
    values.put(LodestarOptions.RESTART_DELAY.key(), "500 ms");
    values.put(LodestarOptions.PARALLELISM.key(), "2");
    values.put(LodestarOptions.BATCH_GROUPS.key(), "3");
    values.put(LodestarOptions.BATCH_MAX_WAIT.key(), "1 h");
    values.put(LodestarOptions.GROUP_TIMEOUT.key(), "10 min");
    values.put(LodestarOptions.FEEDBACK_MAX_WAIT.key(), "1 h");
    return LodestarOptions.fromMap(values, name -> null);
  }

  private static TrafficSimulator.Settings settings(long seed, double corruptRate) {
    TrafficSimulator.Settings d = TrafficSimulator.Settings.defaults();
    return new TrafficSimulator.Settings(
        seed, 40, 4, 0.05, corruptRate, d.noAnswerRate(), 0.6, 0.3, d.startTimeMs(), d.meanGapMs(), d.modelId());
  }

  private static void publish(Topics topics, List<SimulatedTraffic.Message> messages) {
    Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers(), "enable.idempotence", "true");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SimulatedTraffic.Message m : messages) {
        producer.send(new ProducerRecord<>(m.feedback() ? topics.feedback : topics.generations, m.key(), m.value()));
      }
      producer.flush();
    }
  }

  private static <T extends SpecificRecordBase> List<T> read(String topic, Class<T> type) {
    RecordCodec<T> codec = RecordCodec.of(type);
    List<T> records = new ArrayList<>();
    for (byte[] value : CommittedReader.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(30))) {
      records.add(codec.decodeOrThrow(value));
    }
    return records;
  }

  private static JobStatus status(JobClient job) {
    try {
      return job.getJobStatus().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  /** Fresh topic names per test, so tests never see each other's records. */
  private record Topics(
      String suffix, String generations, String feedback, String scored, String batches, String pairs, String deadLetters) {
    static Topics fresh() {
      String s = UUID.randomUUID().toString().substring(0, 8);
      return new Topics(s, "generations-" + s, "feedback-" + s, "scored-" + s, "batches-" + s, "pairs-" + s, "dead-" + s);
    }

    String[] all() {
      return new String[] {generations, feedback, scored, batches, pairs, deadLetters};
    }
  }

  /** Throws once, on the first record after any checkpoint has completed. */
  static final class FailOnceAfterCheckpoint extends RichMapFunction<RawRecord, RawRecord> implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static void reset() {
      CHECKPOINTED.set(false);
      FAILED.set(false);
    }

    @Override
    public RawRecord map(RawRecord record) {
      if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after a completed checkpoint");
      }
      return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }
}
