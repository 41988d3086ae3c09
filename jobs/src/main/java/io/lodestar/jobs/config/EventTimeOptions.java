package io.lodestar.jobs.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Watermarks at the Kafka sources, and how long input ids are remembered. */
public final class EventTimeOptions {

  private EventTimeOptions() {}

  public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
      ConfigOptions.key("watermark.out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("How far event times may run backwards before records count as late.");
  public static final ConfigOption<Duration> WATERMARK_IDLENESS =
      ConfigOptions.key("watermark.idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "A source split silent this long stops holding the watermark back (files have none).");
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_MAX_DRIFT =
      ConfigOptions.key("watermark.alignment.max-drift")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "How far in event time a Kafka partition may be read ahead of the slowest partition of the"
                  + " generation, feedback and policy-update topics before its reading pauses (bounds the state a backlog fills).");
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_UPDATE_INTERVAL =
      ConfigOptions.key("watermark.alignment.update-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "How often the Kafka sources compare their watermarks for alignment (processing time).");
  public static final ConfigOption<Duration> DEDUP_RETENTION =
      ConfigOptions.key("dedup.retention")
          .durationType()
          .defaultValue(Duration.ofHours(24))
          .withDescription(
              "How long a generation id is remembered for de-duplication (event time).");

  static void validate(Configuration config) {
    OptionChecks.requirePositive(config, WATERMARK_ALIGNMENT_MAX_DRIFT);
    OptionChecks.requirePositive(config, WATERMARK_ALIGNMENT_UPDATE_INTERVAL);
    OptionChecks.requirePositive(config, DEDUP_RETENTION);
  }
}
