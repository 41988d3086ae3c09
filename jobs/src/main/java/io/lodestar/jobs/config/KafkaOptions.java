package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import io.lodestar.connectors.serde.WireFormat;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * How the streaming job reads and writes Kafka. Client settings (bootstrap servers, SASL, SSL) are
 * the {@code kafka.*} keys, passed to every client as they are.
 */
public final class KafkaOptions {

  private KafkaOptions() {}

  /** Where a fresh job starts reading ({@code source.starting-offsets}). */
  public enum StartingOffsets implements DescribedEnum {
    COMMITTED_OR_EARLIEST(
        "committed-or-earliest",
        "The consumer group's committed offsets; the earliest where it has none."),
    EARLIEST("earliest", "The earliest offsets, ignoring committed ones."),
    LATEST("latest", "The latest offsets: only records written after the start.");

    private final String id;
    private final String description;

    StartingOffsets(String id, String description) {
      this.id = id;
      this.description = description;
    }

    @Override
    public String toString() {
      return id;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  /** Encoding of output records ({@code sink.format}). */
  public enum SinkFormat implements DescribedEnum {
    AVRO("avro", WireFormat.AVRO, "Avro single-object encoding: header, schema fingerprint, body."),
    JSON("json", WireFormat.JSON, "Plain UTF-8 JSON, for readers that cannot decode Avro.");

    private final String id;
    private final WireFormat wireFormat;
    private final String description;

    SinkFormat(String id, WireFormat wireFormat, String description) {
      this.id = id;
      this.wireFormat = wireFormat;
      this.description = description;
    }

    public WireFormat wireFormat() {
      return wireFormat;
    }

    @Override
    public String toString() {
      return id;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<String> SOURCE_GROUP_ID =
      ConfigOptions.key("source.group-id")
          .stringType()
          .defaultValue("lodestar-pipeline")
          .withDescription(
              "Kafka consumer group of the sources (offsets are committed on checkpoints).");
  public static final ConfigOption<StartingOffsets> SOURCE_STARTING_OFFSETS =
      ConfigOptions.key("source.starting-offsets")
          .enumType(StartingOffsets.class)
          .defaultValue(StartingOffsets.COMMITTED_OR_EARLIEST)
          .withDescription("Where a fresh job starts reading.");
  public static final ConfigOption<SinkFormat> SINK_FORMAT =
      ConfigOptions.key("sink.format")
          .enumType(SinkFormat.class)
          .defaultValue(SinkFormat.AVRO)
          .withDescription("Encoding of output records.");
  public static final ConfigOption<String> SINK_TRANSACTIONAL_ID_PREFIX =
      ConfigOptions.key("sink.transactional-id-prefix")
          .stringType()
          .defaultValue("lodestar")
          .withDescription(
              "Prefix of the Kafka transactional ids; each sink appends its own name. Must be unique per job.");
  public static final ConfigOption<Duration> SINK_TRANSACTION_TIMEOUT =
      ConfigOptions.key("sink.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Kafka transaction timeout of the exactly-once sinks; at least 2 x checkpoint.interval"
                  + " + restart.attempts x restart.delay, and at most the brokers' maximum.");
  public static final ConfigOption<Duration> BROKER_TRANSACTION_MAX_TIMEOUT =
      ConfigOptions.key("sink.broker-transaction-max-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(15))
          .withDescription(
              "The brokers' transaction.max.timeout.ms, used when it cannot be read from the brokers.");
  public static final ConfigOption<Integer> SINK_MAX_MESSAGE_BYTES =
      ConfigOptions.key("sink.max-message-bytes")
          .intType()
          .defaultValue(1_048_588)
          .withDescription(
              "The output topics' max.message.bytes, used for a topic whose settings cannot be read"
                  + " from the brokers; kafka.max.request.size raises the producer's side.");

  static void validate(Configuration config) {
    OptionChecks.requireAtLeastOne(config, SINK_MAX_MESSAGE_BYTES);
    OptionChecks.requirePositive(config, SINK_TRANSACTION_TIMEOUT);
  }
}
