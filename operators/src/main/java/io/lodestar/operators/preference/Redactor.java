package io.lodestar.operators.preference;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites the text of a training example before anything is written (prompt messages, chosen,
 * rejected, completion); ids and provenance are left alone. Implementations must be serializable
 * and may be stateful only per instance: each parallel subtask gets its own copy.
 */
@FunctionalInterface
public interface Redactor extends Serializable {

  /** Leaves text as it is. */
  Redactor NONE = text -> text;

  String redact(String text);

  /**
   * {@code none}, {@code pii} ({@link PiiRedactor}), or {@code class:<name>} for a class with a
   * public no-argument constructor implementing this interface.
   */
  static Redactor parse(String spec) {
    String s = spec.trim();
    switch (s.toLowerCase(Locale.ROOT)) {
      case "none":
      case "":
        return NONE;
      case "pii":
        return new PiiRedactor();
      default:
        break;
    }
    if (!s.startsWith("class:")) {
      throw new IllegalArgumentException("must be none, pii or class:<name>, was " + spec);
    }
    String name = s.substring("class:".length()).trim();
    try {
      Class<?> type = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
      if (!Redactor.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(
            name + " does not implement " + Redactor.class.getName());
      }
      return (Redactor) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot create redactor " + name + ": " + e, e);
    }
  }

  default PreferencePair redact(PreferencePair pair) {
    return PreferencePair.newBuilder(pair)
        .setPrompt(redact(pair.getPrompt()))
        .setChosen(redact(pair.getChosen()))
        .setRejected(redact(pair.getRejected()))
        .build();
  }

  default UnpairedExample redact(UnpairedExample example) {
    return UnpairedExample.newBuilder(example)
        .setPrompt(redact(example.getPrompt()))
        .setCompletion(redact(example.getCompletion()))
        .build();
  }

  private List<ChatMessage> redact(List<ChatMessage> messages) {
    List<ChatMessage> out = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      out.add(ChatMessage.newBuilder(m).setContent(redact(m.getContent())).build());
    }
    return out;
  }
}
