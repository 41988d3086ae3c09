package io.lodestar.operators.reward.remote;

import io.lodestar.schema.Generation;
import java.util.List;

/**
 * Token counts for the tokens-per-minute budget: the generation's own token ids where it carries
 * them, otherwise one token per four characters, rounded up (a common rule of thumb for English BPE
 * vocabularies; it overestimates code and underestimates CJK text, which the budget's margin must
 * absorb).
 */
public final class TokenEstimates {

  private TokenEstimates() {}

  public static long ofText(String text) {
    return text == null ? 0 : (text.length() + 3) / 4;
  }

  public static long ofResponse(Generation g) {
    List<Integer> ids = g.getResponseTokenIds();
    return ids != null ? ids.size() : ofText(g.getResponse());
  }

  /** The prompt's tokens: its ids when present, else the estimate of its rendered text. */
  public static long ofPrompt(Generation g, String renderedPrompt) {
    List<Integer> ids = g.getPromptTokenIds();
    return ids != null ? ids.size() : ofText(renderedPrompt);
  }
}
