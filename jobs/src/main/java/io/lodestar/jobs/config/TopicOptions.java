package io.lodestar.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Kafka topics the jobs read and write, and how producers write the input topics. */
public final class TopicOptions {

  private TopicOptions() {}

  public static final ConfigOption<String> TOPIC_GENERATIONS =
      topic("generations", "Input: generations.");
  public static final ConfigOption<String> TOPIC_FEEDBACK = topic("feedback", "Input: feedback.");
  public static final ConfigOption<String> TOPIC_SCORED =
      topic("scored", "Output: scored generations.");
  public static final ConfigOption<String> TOPIC_BATCHES = topic("batches", "Output: RL batches.");
  public static final ConfigOption<String> TOPIC_PAIRS =
      topic("pairs", "Output: preference pairs.");
  public static final ConfigOption<String> TOPIC_HEALTH_METRICS =
      topic(
          "health-metrics",
          "Output: windowed health aggregates per policy version and data source.");
  public static final ConfigOption<String> TOPIC_ALERTS =
      topic("alerts", "Output: health alerts when rules fire and clear.");
  public static final ConfigOption<String> TOPIC_UNPAIRED =
      topic("unpaired", "Output: unpaired examples labelled desirable or not (KTO).");
  public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
      topic("dead-letters", "Output: dead letters.");

  public static final ConfigOption<String> TOPIC_FILTERED_GROUPS =
      ConfigOptions.key("topics.filtered-groups")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Output for set-aside groups, each with its reason (filtered, refused, stale, no"
                  + " consent, gate discarded or held at the end); empty: counted, not written.");
  public static final ConfigOption<String> TOPIC_POLICY_UPDATES =
      ConfigOptions.key("topics.policy-updates")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Control input: PolicyUpdate records in which trainers announce their policy version; empty: none.");

  public static final ConfigOption<GenerationsFormat> GENERATIONS_FORMAT =
      ConfigOptions.key("topics.generations.format")
          .enumType(GenerationsFormat.class)
          .defaultValue(GenerationsFormat.LODESTAR)
          .withDescription("How producers write the generations topic.");
  public static final ConfigOption<FeedbackFormat> FEEDBACK_FORMAT =
      ConfigOptions.key("topics.feedback.format")
          .enumType(FeedbackFormat.class)
          .defaultValue(FeedbackFormat.LODESTAR)
          .withDescription("How producers write the feedback topic.");

  private static ConfigOption<String> topic(String name, String description) {
    return ConfigOptions.key("topics." + name)
        .stringType()
        .defaultValue("lodestar." + name)
        .withDescription(description);
  }
}
