package io.lodestar.operators.preference;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.VoteOutcome;

/**
 * Feedback that becomes training data on its own, without waiting for the rest of its prompt:
 * pairwise votes, edits and regenerations. Pure, no Flink types. Thumbs and ratings are compared
 * within their prompt instead ({@link PromptSignals}).
 */
public final class FeedbackSignals {

  private FeedbackSignals() {}

  /** Whether this kind is mined here (true) or within its prompt (false for thumbs and ratings). */
  public static boolean minedAlone(FeedbackKind kind) {
    return kind != FeedbackKind.THUMB && kind != FeedbackKind.RATING;
  }

  /**
   * Adds what one feedback event yields to {@code out}. {@code a} is the generation the feedback
   * names, {@code b} the other one (votes; regenerations with their replacement) or null.
   */
  public static void mine(
      Feedback f, Generation a, Generation b, PreferenceSettings settings, PreferenceExamples out) {
    switch (f.getKind()) {
      case PAIRWISE -> vote(f, a, b, settings, out);
      case EDIT -> edit(f, a, settings, out);
      case REGENERATE -> regenerate(f, a, b, settings, out);
      default -> out.none(NoExample.UNUSED_KIND, 1);
    }
  }

  private static void vote(
      Feedback vote,
      Generation a,
      Generation b,
      PreferenceSettings settings,
      PreferenceExamples out) {
    if (!a.getPromptId().equals(b.getPromptId())) {
      // A preference only means something between answers to the same prompt.
      out.none(NoExample.DIFFERENT_PROMPTS, 1);
      return;
    }
    if (!a.getConsentToTrain() || !b.getConsentToTrain()) {
      out.none(NoExample.NO_CONSENT, 1);
      return;
    }
    double weight = settings.weights().vote();
    String id = vote.getFeedbackId();
    if (vote.getOutcome() == VoteOutcome.TIE) {
      out.none(NoExample.TIE, 1);
    } else if (vote.getOutcome() == VoteOutcome.BOTH_BAD) {
      if (settings.bothBadUnpaired()) {
        out.eventUnpaired(PairSource.VOTE, id, a, false, weight, vote.getCreatedAtMs());
        out.eventUnpaired(PairSource.VOTE, id, b, false, weight, vote.getCreatedAtMs());
      } else {
        out.none(NoExample.BOTH_BAD, 1);
      }
    } else {
      Generation chosen = vote.getOutcome() == VoteOutcome.A ? a : b;
      Generation rejected = chosen == a ? b : a;
      out.eventPair(PairSource.VOTE, id, chosen, rejected, weight, vote.getCreatedAtMs());
    }
  }

  private static void edit(
      Feedback f, Generation original, PreferenceSettings settings, PreferenceExamples out) {
    if (!original.getConsentToTrain()) {
      out.none(NoExample.NO_CONSENT, 1);
      return;
    }
    String edited = f.getEditedText();
    if (edited.isBlank() || edited.strip().equals(original.getResponse().strip())) {
      out.none(NoExample.EDIT_UNCHANGED, 1);
      return;
    }
    out.editPair(
        f.getFeedbackId(), edited, original, settings.weights().edit(), f.getCreatedAtMs());
  }

  private static void regenerate(
      Feedback f,
      Generation discarded,
      Generation replacement,
      PreferenceSettings settings,
      PreferenceExamples out) {
    if (!discarded.getConsentToTrain()) {
      out.none(NoExample.NO_CONSENT, 1);
      return;
    }
    double weight = settings.weights().regenerate();
    String id = f.getFeedbackId();
    // The user asked for another answer: a weak vote against the one they discarded.
    out.eventUnpaired(PairSource.REGENERATE, id, discarded, false, weight, f.getCreatedAtMs());
    if (replacement != null
        && settings.regenerationPairs()
        && replacement.getConsentToTrain()
        && replacement.getPromptId().equals(discarded.getPromptId())) {
      out.eventPair(PairSource.REGENERATE, id, replacement, discarded, weight, f.getCreatedAtMs());
    }
  }
}
