package io.lodestar.jobs.config;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** How producers write the generations topic ({@code topics.generations.format}). */
public enum GenerationsFormat implements DescribedEnum {
  LODESTAR("lodestar", "Lodestar's own Generation, in Avro single-object encoding or plain JSON."),
  OPENAI_CHAT(
      "openai-chat",
      "Logged OpenAI chat completions (request, response, metadata); one group per response"
          + " (docs/inputs.md).");

  private final String id;
  private final String description;

  GenerationsFormat(String id, String description) {
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
