package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.VoteOutcome;
import org.junit.jupiter.api.Test;

/**
 * Where a feedback event goes: mined alone or within its prompt, and whether it waits for two
 * generations.
 */
class FeedbackRoutingTest {

  @Test
  void thumbsAndRatingsWaitForTheirPromptAndEveryOtherKindIsMinedAlone() {
    assertThat(FeedbackSignals.minedAlone(FeedbackKind.THUMB)).isFalse();
    assertThat(FeedbackSignals.minedAlone(FeedbackKind.RATING)).isFalse();
    assertThat(FeedbackSignals.minedAlone(FeedbackKind.PAIRWISE)).isTrue();
    assertThat(FeedbackSignals.minedAlone(FeedbackKind.EDIT)).isTrue();
    assertThat(FeedbackSignals.minedAlone(FeedbackKind.REGENERATE)).isTrue();
  }

  @Test
  void aVoteAlwaysNeedsBothGenerations() {
    Feedback v = vote("v", "g-a", "g-b", VoteOutcome.A).build();

    assertThat(FeedbackJoin.twoSided(v, false)).isTrue();
    assertThat(FeedbackJoin.request(v, GenerationJoinFunction.Side.A).wantedGenerationId())
        .isEqualTo("g-a");
    assertThat(FeedbackJoin.request(v, GenerationJoinFunction.Side.B).wantedGenerationId())
        .isEqualTo("g-b");
  }

  @Test
  void aRegenerationNeedsItsReplacementOnlyWhenItNamesOneAndRegenerationPairsAreOn() {
    Feedback named =
        feedback("r", "g-old")
            .setKind(FeedbackKind.REGENERATE)
            .setThumbUp(null)
            .setOtherGenerationId("g-new")
            .build();
    Feedback unnamed =
        feedback("r", "g-old").setKind(FeedbackKind.REGENERATE).setThumbUp(null).build();

    assertThat(FeedbackJoin.twoSided(named, true)).isTrue();
    assertThat(FeedbackJoin.twoSided(named, false)).isFalse();
    assertThat(FeedbackJoin.twoSided(unnamed, true)).isFalse();
  }

  @Test
  void oneSidedKindsNeverWaitForASecondGeneration() {
    Feedback thumbNamingAnother = feedback("t", "g-a").setOtherGenerationId("g-b").build();

    assertThat(FeedbackJoin.twoSided(thumbNamingAnother, true)).isFalse();
    assertThat(
            FeedbackJoin.twoSided(
                feedback("e", "g-a").setKind(FeedbackKind.EDIT).setThumbUp(null).build(), true))
        .isFalse();
  }
}
