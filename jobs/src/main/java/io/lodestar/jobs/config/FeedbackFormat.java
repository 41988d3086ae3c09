package io.lodestar.jobs.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How producers write the feedback topic ({@code topics.feedback.format}). */
public enum FeedbackFormat {
  /** Lodestar's own {@code Feedback}, in Avro single-object encoding or plain JSON. */
  LODESTAR("lodestar"),
  /** The plain form that names a generation by response id and choice index (docs/inputs.md). */
  SIMPLE("simple");

  private final String id;

  FeedbackFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static FeedbackFormat fromId(String id) {
    for (FeedbackFormat format : values()) {
      if (format.id.equals(id.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '"
            + id
            + "'; use "
            + Arrays.stream(values()).map(FeedbackFormat::id).collect(Collectors.joining(" or ")));
  }
}
