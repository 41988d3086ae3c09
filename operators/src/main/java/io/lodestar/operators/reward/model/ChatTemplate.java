package io.lodestar.operators.reward.model;

import io.lodestar.schema.ChatMessage;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How a (prompt messages, response) pair becomes model text. Either one sequence, each message
 * formatted with {@code messageFormat} ({role}, {content}) followed by {@code responseFormat}
 * ({response}); or, for cross-encoders, a text pair whose first text is the rendered prompt (or
 * only the last user message) and whose second is the response.
 */
public record ChatTemplate(String messageFormat, String responseFormat, Pairing pairing)
    implements Serializable {

  /** How the prompt and the response are handed to the tokenizer. */
  public enum Pairing {
    /** One sequence: rendered messages then the rendered response. */
    SINGLE,
    /** A pair: (rendered messages, rendered response). */
    PAIR,
    /** A pair: (content of the last user message, response). */
    LAST_USER_PAIR
  }

  /**
   * {@code role: content} lines, then {@code assistant: response}; what the bundled tiny model was
   * trained on.
   */
  public static final ChatTemplate ROLE_PREFIXED =
      new ChatTemplate("{role}: {content}\n", "assistant: {response}", Pairing.SINGLE);

  public static final ChatTemplate TEXT_PAIR =
      new ChatTemplate("{role}: {content}\n", "{response}", Pairing.PAIR);
  public static final ChatTemplate LAST_USER_PAIR =
      new ChatTemplate("{content}", "{response}", Pairing.LAST_USER_PAIR);

  private static final String SEPARATOR = "||";

  public ChatTemplate {
    if (messageFormat == null || !messageFormat.contains("{content}")) {
      throw new IllegalArgumentException(
          "a message format must contain {content}, got '" + messageFormat + "'");
    }
    if (responseFormat == null || !responseFormat.contains("{response}")) {
      throw new IllegalArgumentException(
          "a response format must contain {response}, got '" + responseFormat + "'");
    }
  }

  /**
   * Parses {@code role-prefixed}, {@code text-pair}, {@code last-user-pair}, or {@code
   * format:<message format>||<response format>} (with {@code \n} for a line break), e.g. {@code
   * format:<|{role}|>{content}\n||<|assistant|>{response}}.
   */
  public static ChatTemplate parse(String text) {
    String value = text == null ? "" : text.trim();
    switch (value.toLowerCase(Locale.ROOT)) {
      case "role-prefixed":
        return ROLE_PREFIXED;
      case "text-pair":
        return TEXT_PAIR;
      case "last-user-pair":
        return LAST_USER_PAIR;
      default:
        break;
    }
    if (value.startsWith("format:")) {
      String body = value.substring("format:".length()).replace("\\n", "\n");
      int separator = body.indexOf(SEPARATOR);
      if (separator > 0) {
        return new ChatTemplate(
            body.substring(0, separator),
            body.substring(separator + SEPARATOR.length()),
            Pairing.SINGLE);
      }
    }
    throw new IllegalArgumentException(
        "template must be role-prefixed, text-pair, last-user-pair or format:<message>||<response>, got '"
            + text
            + "'");
  }

  public boolean paired() {
    return pairing != Pairing.SINGLE;
  }

  /** The single sequence, or the first text of a pair. */
  public String first(List<ChatMessage> prompt, String response) {
    return switch (pairing) {
      case SINGLE -> renderMessages(prompt) + renderResponse(response);
      case PAIR -> renderMessages(prompt);
      case LAST_USER_PAIR -> lastUser(prompt);
    };
  }

  /** The second text of a pair. */
  public String second(String response) {
    return renderResponse(response);
  }

  private String renderMessages(List<ChatMessage> prompt) {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : prompt) {
      sb.append(messageFormat.replace("{role}", m.getRole()).replace("{content}", m.getContent()));
    }
    return sb.toString();
  }

  private String renderResponse(String response) {
    return responseFormat.replace("{response}", response);
  }

  private String lastUser(List<ChatMessage> prompt) {
    for (int i = prompt.size() - 1; i >= 0; i--) {
      if ("user".equals(prompt.get(i).getRole())) {
        return messageFormat
            .replace("{role}", "user")
            .replace("{content}", prompt.get(i).getContent());
      }
    }
    return "";
  }
}
