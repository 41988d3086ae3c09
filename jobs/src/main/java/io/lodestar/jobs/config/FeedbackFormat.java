package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How producers write the feedback topic ({@code topics.feedback.format}). */
public enum FeedbackFormat implements DescribedEnum {
  LODESTAR("lodestar", "Lodestar's own Feedback, in Avro single-object encoding or plain JSON."),
  SIMPLE(
      "simple",
      "A plain JSON form that names the generation by response id and choice index"
          + " (docs/inputs.md).");

  private final String id;
  private final String description;

  FeedbackFormat(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public String id() {
    return id;
  }

  /** The value users write; Flink matches it, ignoring case. */
  @Override
  public String toString() {
    return id;
  }

  @Override
  public InlineElement getDescription() {
    return text(description);
  }
}
