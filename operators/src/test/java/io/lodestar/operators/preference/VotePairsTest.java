package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.policy;
import static io.lodestar.operators.TestRecords.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.preference.VotePairs.NoPair;
import io.lodestar.operators.preference.VotePairs.Outcome;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.VoteOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VotePairsTest {

  private static final String PIPELINE = "lodestar-test/1";

  private final Generation a = generation("g-a").setResponse("42").setPolicy(policy("model", 3)).build();
  private final Generation b = generation("g-b").setResponse("41").setPolicy(policy("model", 4)).build();

  private static Feedback voted(VoteOutcome outcome) {
    return vote("f-1", "g-a", "g-b", outcome).build();
  }

  private PreferencePair pairFor(VoteOutcome outcome) {
    Outcome result = VotePairs.toPair(voted(outcome), a, b, PIPELINE);
    assertThat(result.reason()).isEmpty();
    assertThat(result.pair()).isPresent();
    return result.pair().orElseThrow();
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
    Outcome result = VotePairs.toPair(voted(VoteOutcome.TIE), a, b, PIPELINE);
    assertThat(result.pair()).isEmpty();
    assertThat(result.reason()).contains(NoPair.TIE);
  }

  @Test
  void givesNoPairWhenBothAreBad() {
    Outcome result = VotePairs.toPair(voted(VoteOutcome.BOTH_BAD), a, b, PIPELINE);
    assertThat(result.pair()).isEmpty();
    assertThat(result.reason()).contains(NoPair.BOTH_BAD);
  }

  @ParameterizedTest
  @EnumSource(value = VoteOutcome.class, names = {"A", "B"})
  void givesNoPairWithoutConsentFromEitherSide(VoteOutcome outcome) {
    Generation noConsentA = Generation.newBuilder(a).setConsentToTrain(false).build();
    Generation noConsentB = Generation.newBuilder(b).setConsentToTrain(false).build();

    assertThat(VotePairs.toPair(voted(outcome), noConsentA, b, PIPELINE).reason()).contains(NoPair.NO_CONSENT);
    assertThat(VotePairs.toPair(voted(outcome), a, noConsentB, PIPELINE).reason()).contains(NoPair.NO_CONSENT);
    assertThat(VotePairs.toPair(voted(outcome), a, noConsentB, PIPELINE).pair()).isEmpty();
  }

  @Test
  void givesNoPairForAnswersToDifferentPrompts() {
    Generation otherPrompt = Generation.newBuilder(b).setPromptId("prompt-2").build();

    Outcome result = VotePairs.toPair(voted(VoteOutcome.A), a, otherPrompt, PIPELINE);

    assertThat(result.pair()).isEmpty();
    assertThat(result.reason()).contains(NoPair.DIFFERENT_PROMPTS);
  }

  @Test
  void derivesTheSamePairIdFromTheSameVerdict() {
    PreferencePair first = pairFor(VoteOutcome.A);
    Feedback secondVote = vote("f-2", "g-a", "g-b", VoteOutcome.A).setCreatedAtMs(99L).build();
    PreferencePair second = VotePairs.toPair(secondVote, a, b, PIPELINE).pair().orElseThrow();

    assertThat(second.getPairId()).isEqualTo(first.getPairId());
    assertThat(first.getPairId()).isEqualTo(VotePairs.pairId(PairSource.VOTE, "g-a", "g-b"));
    assertThat(first.getPairId()).matches("pair-[0-9a-f]{32}");
  }

  @Test
  void derivesADifferentPairIdWhenChosenAndRejectedSwap() {
    assertThat(pairFor(VoteOutcome.A).getPairId()).isNotEqualTo(pairFor(VoteOutcome.B).getPairId());
    assertThat(VotePairs.pairId(PairSource.VOTE, "g-a", "g-b"))
        .isNotEqualTo(VotePairs.pairId(PairSource.VOTE, "g-b", "g-a"))
        .isNotEqualTo(VotePairs.pairId(PairSource.THUMBS, "g-a", "g-b"));
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
}
