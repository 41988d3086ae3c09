package io.lodestar.connectors.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one output topic accepts, so that no record the job writes can be refused: a refused send
 * puts the sink's transaction into an error state that only an abort (and so a restart) clears.
 *
 * <ul>
 *   <li>Size: the producer refuses a record whose size, as its own upper-bound estimate computes
 *       it, exceeds {@code max.request.size}; the broker refuses a batch larger than the topic's
 *       {@code max.message.bytes}. A record is written only when that estimate fits both ({@link
 *       #fits}).
 *   <li>Timestamps: the broker refuses a timestamp more than {@code message.timestamp.after.max.ms}
 *       ahead of its clock (1 h by default since Kafka 4.0) or more than {@code
 *       message.timestamp.before.max.ms} behind. {@link #timestampFor} keeps a record's timestamp
 *       within both.
 * </ul>
 *
 * @param maxRequestSize the producer's {@code max.request.size}
 * @param maxMessageBytes the topic's {@code max.message.bytes}
 * @param timestampBeforeMaxMs the topic's {@code message.timestamp.before.max.ms} ({@link
 *     Long#MAX_VALUE}: no bound)
 */
public record OutputLimits(int maxRequestSize, int maxMessageBytes, long timestampBeforeMaxMs)
    implements Serializable {

  private static final Logger LOG = LoggerFactory.getLogger(OutputLimits.class);

  public static final String MAX_REQUEST_SIZE = "max.request.size";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final String TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";

  /** The producer's default {@code max.request.size}. */
  public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  /**
   * The smallest limit the job runs with: a dead letter cut down to its bare facts always fits it.
   */
  public static final int MIN_RECORD_BYTES = 4096;

  /**
   * Margin kept inside a finite before-bound, for the time between encoding and the broker's
   * append.
   */
  private static final long BEFORE_MARGIN_MS = Duration.ofMinutes(10).toMillis();

  /**
   * The largest record, as the producer estimates it, that both the producer and the broker accept.
   */
  public int maxRecordBytes() {
    return Math.min(maxRequestSize, maxMessageBytes);
  }

  /**
   * The size the producer checks against {@code max.request.size}: an upper bound of the batch
   * holding only this record.
   */
  public static int recordBytes(byte[] key, byte[] value) {
    return AbstractRecords.estimateSizeInBytesUpperBound(
        RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, value, Record.EMPTY_HEADERS);
  }

  public boolean fits(int recordBytes) {
    return recordBytes <= maxRecordBytes();
  }

  /**
   * The timestamp to write for a record whose event time is {@code eventTimeMs}, at wall-clock time
   * {@code nowMs}: the event time, but never after now (the broker refuses timestamps too far ahead
   * of its clock, and event times may legitimately run a little ahead of ours), never before the
   * topic's before-bound (with a margin), and null (the producer's clock) when there is none or it
   * is negative.
   */
  public Long timestampFor(Long eventTimeMs, long nowMs) {
    if (eventTimeMs == null || eventTimeMs < 0) {
      return null;
    }
    long timestamp = Math.min(eventTimeMs, nowMs);
    if (timestampBeforeMaxMs < Long.MAX_VALUE / 2) {
      long margin = Math.min(BEFORE_MARGIN_MS, timestampBeforeMaxMs / 2);
      timestamp = Math.max(timestamp, nowMs - timestampBeforeMaxMs + margin);
    }
    return timestamp;
  }

  /** Empty when the limit is usable, else why not (naming the topic and both values). */
  public Optional<String> problem(String topic) {
    if (maxRecordBytes() < MIN_RECORD_BYTES) {
      return Optional.of(
          "topic "
              + topic
              + " accepts records of at most "
              + maxRecordBytes()
              + " bytes ("
              + MAX_REQUEST_SIZE
              + "="
              + maxRequestSize
              + ", "
              + MAX_MESSAGE_BYTES
              + "="
              + maxMessageBytes
              + "); the job needs at least "
              + MIN_RECORD_BYTES);
    }
    return Optional.empty();
  }

  /**
   * The limits of each topic: {@code max.request.size} from the client settings (Kafka's default
   * when unset), the topic settings as the brokers report them. A topic whose settings cannot be
   * read gets {@code fallbackMaxMessageBytes} and no before-bound, with a warning.
   */
  public static Map<String, OutputLimits> read(
      KafkaSettings settings,
      Collection<String> topics,
      int fallbackMaxMessageBytes,
      Duration waitAtMost) {
    Properties client = settings.clientProperties();
    int maxRequestSize =
        client.containsKey(MAX_REQUEST_SIZE)
            ? Integer.parseInt(client.getProperty(MAX_REQUEST_SIZE).trim())
            : DEFAULT_MAX_REQUEST_SIZE;
    Map<String, Config> described = describe(settings, new LinkedHashSet<>(topics), waitAtMost);
    Map<String, OutputLimits> limits = new HashMap<>();
    for (String topic : topics) {
      Config config = described.get(topic);
      int maxMessageBytes = fallbackMaxMessageBytes;
      long beforeMaxMs = Long.MAX_VALUE;
      if (config == null) {
        LOG.warn(
            "Could not read the settings of topic {}; assuming {}={}",
            topic,
            MAX_MESSAGE_BYTES,
            fallbackMaxMessageBytes);
      } else {
        ConfigEntry size = config.get(MAX_MESSAGE_BYTES);
        if (size != null && size.value() != null) {
          maxMessageBytes = Integer.parseInt(size.value());
        }
        ConfigEntry before = config.get(TIMESTAMP_BEFORE_MAX_MS);
        if (before != null && before.value() != null) {
          beforeMaxMs = Long.parseLong(before.value());
        }
      }
      limits.put(topic, new OutputLimits(maxRequestSize, maxMessageBytes, beforeMaxMs));
    }
    return limits;
  }

  private static Map<String, Config> describe(
      KafkaSettings settings, Collection<String> topics, Duration waitAtMost) {
    Properties props = settings.clientProperties();
    props.put("default.api.timeout.ms", Long.toString(waitAtMost.toMillis()));
    props.put("request.timeout.ms", Long.toString(waitAtMost.toMillis()));
    Map<String, Config> byTopic = new HashMap<>();
    try (Admin admin = Admin.create(props)) {
      List<ConfigResource> resources = new ArrayList<>();
      topics.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
      // Topics one by one: a missing topic must not hide the settings of the others.
      admin
          .describeConfigs(resources)
          .values()
          .forEach(
              (resource, future) -> {
                try {
                  byTopic.put(
                      resource.name(), future.get(waitAtMost.toMillis(), TimeUnit.MILLISECONDS));
                } catch (Exception e) {
                  if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                  }
                  LOG.warn(
                      "Could not describe topic {} ({})",
                      resource.name(),
                      e.getClass().getSimpleName());
                }
              });
    } catch (RuntimeException e) {
      LOG.warn("Could not ask the brokers for topic settings ({})", e.getClass().getSimpleName());
    }
    return byTopic;
  }
}
