package io.lodestar.operators.batch;

import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.util.List;

/**
 * Tokens of a group as the token budget counts them: for each sample, prompt plus response. Token
 * ids are counted when present; where they are missing the count is estimated as one token per
 * {@value #CHARS_PER_TOKEN} characters (rounded up), a common rule of thumb for English text with
 * BPE tokenizers. Pure and deterministic, so a replay packs the same batches.
 */
public final class TokenCounts {

  /** Characters per token of the fallback estimate. */
  public static final int CHARS_PER_TOKEN = 4;

  private TokenCounts() {}

  /** Prompt plus response tokens of every sample of the group. */
  public static long group(RLGroup group) {
    long prompt = prompt(group);
    long total = 0;
    for (RLSample sample : group.getSamples()) {
      total += prompt + response(sample);
    }
    return total;
  }

  /** Tokens of the prompt: its token ids, else the estimate over every message's content. */
  public static long prompt(RLGroup group) {
    if (group.getPromptTokenIds() != null) {
      return group.getPromptTokenIds().size();
    }
    long chars = 0;
    List<ChatMessage> messages = group.getPrompt();
    for (ChatMessage m : messages) {
      chars += m.getContent().length();
    }
    return estimate(chars);
  }

  /** Tokens of the response: its token ids, else the estimate. */
  public static long response(RLSample sample) {
    if (sample.getResponseTokenIds() != null) {
      return sample.getResponseTokenIds().size();
    }
    return estimate(sample.getResponse().length());
  }

  /** Whether every token count of the group comes from token ids. */
  public static boolean exact(RLGroup group) {
    if (group.getPromptTokenIds() == null) {
      return false;
    }
    for (RLSample sample : group.getSamples()) {
      if (sample.getResponseTokenIds() == null) {
        return false;
      }
    }
    return true;
  }

  static long estimate(long chars) {
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }
}
