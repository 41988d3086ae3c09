package io.lodestar.jobs.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How producers write the generations topic ({@code topics.generations.format}). */
public enum GenerationsFormat {
  /** Lodestar's own {@code Generation}, in Avro single-object encoding or plain JSON. */
  LODESTAR("lodestar"),
  /** Logged OpenAI Chat Completions records: request, response and metadata (docs/inputs.md). */
  OPENAI_CHAT("openai-chat");

  private final String id;

  GenerationsFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static GenerationsFormat fromId(String id) {
    for (GenerationsFormat format : values()) {
      if (format.id.equals(id.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '"
            + id
            + "'; use "
            + Arrays.stream(values())
                .map(GenerationsFormat::id)
                .collect(Collectors.joining(" or ")));
  }
}
