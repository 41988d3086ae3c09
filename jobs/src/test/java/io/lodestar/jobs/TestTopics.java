package io.lodestar.jobs;

import java.util.UUID;

/** One test's topics, named with a suffix of its own so tests never see each other's records. */
record TestTopics(
    String suffix,
    String generations,
    String feedback,
    String scored,
    String batches,
    String pairs,
    String unpaired,
    String deadLetters,
    String healthMetrics,
    String alerts,
    String filteredGroups) {

  TestTopics(String suffix) {
    this(
        suffix,
        "generations-" + suffix,
        "feedback-" + suffix,
        "scored-" + suffix,
        "batches-" + suffix,
        "pairs-" + suffix,
        "unpaired-" + suffix,
        "dead-" + suffix,
        "health-" + suffix,
        "alerts-" + suffix,
        "filtered-" + suffix);
  }

  static TestTopics fresh() {
    return new TestTopics(UUID.randomUUID().toString().substring(0, 8));
  }

  /** Inputs and outputs. */
  String[] all() {
    return new String[] {
      generations,
      feedback,
      scored,
      batches,
      pairs,
      unpaired,
      deadLetters,
      healthMetrics,
      alerts,
      filteredGroups
    };
  }

  String[] outputs() {
    return new String[] {
      scored, batches, pairs, unpaired, deadLetters, healthMetrics, alerts, filteredGroups
    };
  }
}
