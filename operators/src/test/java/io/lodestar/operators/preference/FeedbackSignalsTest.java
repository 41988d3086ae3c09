package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.policy;
import static io.lodestar.operators.TestRecords.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.VoteOutcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FeedbackSignalsTest {

  private static final String PIPELINE = "lodestar-test/1";
  private static final PreferenceSettings DEFAULTS = PreferenceSettings.defaults();

  private final Generation a =
      generation("g-a").setResponse("42").setPolicy(policy("model", 3)).build();
  private final Generation b =
      generation("g-b").setResponse("41").setPolicy(policy("model", 4)).build();

  private static Feedback voted(VoteOutcome outcome) {
    return vote("f-1", "g-a", "g-b", outcome).build();
  }

  private static PreferenceExamples mine(
      Feedback f, Generation a, Generation b, PreferenceSettings settings) {
    PreferenceExamples out = new PreferenceExamples(PIPELINE);
    FeedbackSignals.mine(f, a, b, settings, out);
    return out;
  }

  private static Feedback regeneration(String feedbackId) {
    return feedback(feedbackId, "g-a")
        .setKind(FeedbackKind.REGENERATE)
        .setThumbUp(null)
        .setOtherGenerationId("g-b")
        .build();
  }

  private PreferencePair pairFor(VoteOutcome outcome) {
    PreferenceExamples out = mine(voted(outcome), a, b, DEFAULTS);
    assertThat(out.withoutExample()).isEmpty();
    assertThat(out.unpaired()).isEmpty();
    assertThat(out.pairs()).hasSize(1);
    return out.pairs().get(0);
  }

  private static PreferenceSettings with(boolean regenerationPairs, boolean bothBadUnpaired) {
    PreferenceSettings d = DEFAULTS;
    return new PreferenceSettings(
        Duration.ofMinutes(1),
        d.maxPairsPerPrompt(),
        d.ratingGap(),
        regenerationPairs,
        bothBadUnpaired,
        d.groupPairs(),
        d.groupMargin(),
        d.weights());
  }

  @Test
  void choosesTheVotedGenerationWhenOutcomeIsA() {
    PreferencePair pair = pairFor(VoteOutcome.A);

    assertThat(pair.getChosenGenerationId()).isEqualTo("g-a");
    assertThat(pair.getRejectedGenerationId()).isEqualTo("g-b");
    assertThat(pair.getChosen()).isEqualTo("42");
    assertThat(pair.getRejected()).isEqualTo("41");
    assertThat(pair.getPromptId()).isEqualTo(a.getPromptId());
    assertThat(pair.getPrompt()).isEqualTo(a.getPrompt());
    assertThat(pair.getSource()).isEqualTo(PairSource.VOTE);
    assertThat(pair.getConfidence()).isEqualTo(1.0);
    assertThat(pair.getMargin()).isNull();
    assertThat(pair.getCreatedAtMs()).isEqualTo(voted(VoteOutcome.A).getCreatedAtMs());
  }

  @Test
  void choosesTheOtherGenerationWhenOutcomeIsB() {
    PreferencePair pair = pairFor(VoteOutcome.B);

    assertThat(pair.getChosenGenerationId()).isEqualTo("g-b");
    assertThat(pair.getRejectedGenerationId()).isEqualTo("g-a");
    assertThat(pair.getChosen()).isEqualTo("41");
    assertThat(pair.getRejected()).isEqualTo("42");
  }

  @Test
  void givesNoPairForATie() {
    PreferenceExamples out = mine(voted(VoteOutcome.TIE), a, b, DEFAULTS);
    assertThat(out.pairs()).isEmpty();
    assertThat(out.withoutExample()).containsEntry(NoExample.TIE, 1);
  }

  @Test
  void bothBadGivesNothingByDefaultAndTwoUndesirableExamplesWhenConfigured() {
    PreferenceExamples byDefault = mine(voted(VoteOutcome.BOTH_BAD), a, b, DEFAULTS);
    assertThat(byDefault.pairs()).isEmpty();
    assertThat(byDefault.unpaired()).isEmpty();
    assertThat(byDefault.withoutExample()).containsEntry(NoExample.BOTH_BAD, 1);

    PreferenceExamples configured = mine(voted(VoteOutcome.BOTH_BAD), a, b, with(false, true));
    assertThat(configured.pairs()).isEmpty();
    assertThat(configured.unpaired())
        .extracting(UnpairedExample::getGenerationId)
        .containsExactly("g-a", "g-b");
    assertThat(configured.unpaired())
        .allSatisfy(
            u -> {
              assertThat(u.getLabel()).isFalse();
              assertThat(u.getSource()).isEqualTo(PairSource.VOTE);
              assertThat(u.getProvenance().getFeedbackIds()).containsExactly("f-1");
            });
  }

  @ParameterizedTest
  @EnumSource(
      value = VoteOutcome.class,
      names = {"A", "B"})
  void givesNoPairWithoutConsentFromEitherSide(VoteOutcome outcome) {
    Generation noConsentA = Generation.newBuilder(a).setConsentToTrain(false).build();
    Generation noConsentB = Generation.newBuilder(b).setConsentToTrain(false).build();

    assertThat(mine(voted(outcome), noConsentA, b, DEFAULTS).withoutExample())
        .containsEntry(NoExample.NO_CONSENT, 1);
    PreferenceExamples out = mine(voted(outcome), a, noConsentB, DEFAULTS);
    assertThat(out.withoutExample()).containsEntry(NoExample.NO_CONSENT, 1);
    assertThat(out.pairs()).isEmpty();
  }

  @Test
  void givesNoPairForAnswersToDifferentPrompts() {
    Generation otherPrompt = Generation.newBuilder(b).setPromptId("prompt-2").build();

    PreferenceExamples out = mine(voted(VoteOutcome.A), a, otherPrompt, DEFAULTS);

    assertThat(out.pairs()).isEmpty();
    assertThat(out.withoutExample()).containsEntry(NoExample.DIFFERENT_PROMPTS, 1);
  }

  @Test
  void twoUsersVotingForTheSamePairMakeTwoPairsWithDistinctIds() {
    PreferencePair first = pairFor(VoteOutcome.A);
    Feedback secondVote = vote("f-2", "g-a", "g-b", VoteOutcome.A).setCreatedAtMs(99L).build();
    PreferencePair second = mine(secondVote, a, b, DEFAULTS).pairs().get(0);

    // De-duplicating by pair id must not drop the second user's vote.
    assertThat(second.getPairId()).isNotEqualTo(first.getPairId());
    assertThat(first.getPairId())
        .isEqualTo(PreferenceExamples.pairId(PairSource.VOTE, "g-a", "g-b", "f-1"));
    assertThat(second.getPairId())
        .isEqualTo(PreferenceExamples.pairId(PairSource.VOTE, "g-a", "g-b", "f-2"));
    assertThat(first.getPairId()).matches("pair-[0-9a-f]{32}");
  }

  @Test
  void aReplayedVoteKeepsItsPairId() {
    assertThat(pairFor(VoteOutcome.A).getPairId()).isEqualTo(pairFor(VoteOutcome.A).getPairId());
  }

  @Test
  void twoBothBadVotesAndTwoRegenerationsOfOneResponseMakeDistinctExamples() {
    PreferenceSettings bothBad = with(false, true);
    UnpairedExample first = mine(voted(VoteOutcome.BOTH_BAD), a, b, bothBad).unpaired().get(0);
    UnpairedExample second =
        mine(vote("f-2", "g-a", "g-b", VoteOutcome.BOTH_BAD).build(), a, b, bothBad)
            .unpaired()
            .get(0);
    assertThat(first.getGenerationId()).isEqualTo(second.getGenerationId());
    assertThat(first.getExampleId()).isNotEqualTo(second.getExampleId());

    PreferenceSettings pairs = with(true, false);
    Feedback regenerate = regeneration("f-3");
    Feedback again = regeneration("f-4");
    PreferenceExamples one = mine(regenerate, a, b, pairs);
    PreferenceExamples two = mine(again, a, b, pairs);
    assertThat(one.unpaired().get(0).getExampleId())
        .isNotEqualTo(two.unpaired().get(0).getExampleId());
    assertThat(one.pairs().get(0).getPairId()).isNotEqualTo(two.pairs().get(0).getPairId());
  }

  @Test
  void derivesADifferentPairIdWhenChosenAndRejectedSwap() {
    assertThat(pairFor(VoteOutcome.A).getPairId()).isNotEqualTo(pairFor(VoteOutcome.B).getPairId());
    assertThat(PreferenceExamples.pairId(PairSource.VOTE, "g-a", "g-b"))
        .isNotEqualTo(PreferenceExamples.pairId(PairSource.VOTE, "g-b", "g-a"))
        .isNotEqualTo(PreferenceExamples.pairId(PairSource.THUMBS, "g-a", "g-b"));
  }

  @Test
  void recordsBothGenerationsAndTheVoteInTheProvenance() {
    PreferencePair pair = pairFor(VoteOutcome.B);

    assertThat(pair.getProvenance().getGenerationIds()).containsExactly("g-b", "g-a");
    assertThat(pair.getProvenance().getFeedbackIds()).containsExactly("f-1");
    assertThat(pair.getProvenance().getModelIds()).containsExactly("model", "model");
    assertThat(pair.getProvenance().getPolicyVersions()).containsExactly(4L, 3L);
    assertThat(pair.getProvenance().getPipelineVersion()).isEqualTo(PIPELINE);
  }

  @Test
  void anEditIsPreferredOverTheResponseItCorrects() {
    Feedback edit =
        feedback("f-edit", "g-a")
            .setKind(FeedbackKind.EDIT)
            .setThumbUp(null)
            .setEditedText("6 * 7 = 42")
            .build();

    PreferenceExamples out = mine(edit, a, null, DEFAULTS);

    assertThat(out.pairs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getSource()).isEqualTo(PairSource.EDIT);
              assertThat(p.getChosen()).isEqualTo("6 * 7 = 42");
              assertThat(p.getChosenGenerationId()).isNull();
              assertThat(p.getRejected()).isEqualTo("42");
              assertThat(p.getRejectedGenerationId()).isEqualTo("g-a");
              assertThat(p.getPairId())
                  .isEqualTo(PreferenceExamples.pairId(PairSource.EDIT, "edit:f-edit", "g-a"));
              assertThat(p.getConfidence()).isEqualTo(DEFAULTS.weights().edit());
            });
  }

  @Test
  void anEditThatChangesNothingButWhitespaceYieldsNothing() {
    Feedback edit =
        feedback("f-edit", "g-a")
            .setKind(FeedbackKind.EDIT)
            .setThumbUp(null)
            .setEditedText("  42\n")
            .build();

    PreferenceExamples out = mine(edit, a, null, DEFAULTS);

    assertThat(out.pairs()).isEmpty();
    assertThat(out.withoutExample()).containsEntry(NoExample.EDIT_UNCHANGED, 1);
  }

  @Test
  void aRegenerationIsAWeakUndesirableLabelAndAPairOnlyWhenConfigured() {
    Feedback regenerate =
        feedback("f-regen", "g-a")
            .setKind(FeedbackKind.REGENERATE)
            .setThumbUp(null)
            .setOtherGenerationId("g-b")
            .build();

    PreferenceExamples byDefault = mine(regenerate, a, b, DEFAULTS);
    assertThat(byDefault.pairs()).isEmpty();
    assertThat(byDefault.unpaired())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.getGenerationId()).isEqualTo("g-a");
              assertThat(u.getLabel()).isFalse();
              assertThat(u.getConfidence()).isEqualTo(DEFAULTS.weights().regenerate());
              assertThat(u.getExampleId())
                  .isEqualTo(
                      PreferenceExamples.exampleId(PairSource.REGENERATE, "g-a", false, "f-regen"));
            });

    PreferenceExamples withPairs = mine(regenerate, a, b, with(true, false));
    assertThat(withPairs.pairs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("g-b");
              assertThat(p.getRejectedGenerationId()).isEqualTo("g-a");
              assertThat(p.getSource()).isEqualTo(PairSource.REGENERATE);
            });
  }

  @Test
  void feedbackWithoutConsentNeverBecomesAnExample() {
    Generation noConsent = Generation.newBuilder(a).setConsentToTrain(false).build();
    Feedback edit =
        feedback("f-edit", "g-a")
            .setKind(FeedbackKind.EDIT)
            .setThumbUp(null)
            .setEditedText("better")
            .build();
    Feedback regenerate =
        feedback("f-regen", "g-a").setKind(FeedbackKind.REGENERATE).setThumbUp(null).build();

    for (Feedback f : new Feedback[] {edit, regenerate}) {
      PreferenceExamples out = mine(f, noConsent, null, DEFAULTS);
      assertThat(out.pairs()).isEmpty();
      assertThat(out.unpaired()).isEmpty();
      assertThat(out.withoutExample()).containsEntry(NoExample.NO_CONSENT, 1);
    }
  }

  @Test
  void kindsWithoutATrainingMeaningAreCountedAsUnused() {
    Feedback copy = feedback("f-copy", "g-a").setKind(FeedbackKind.COPY).setThumbUp(null).build();
    assertThat(mine(copy, a, null, DEFAULTS).withoutExample())
        .containsEntry(NoExample.UNUSED_KIND, 1);
  }
}
