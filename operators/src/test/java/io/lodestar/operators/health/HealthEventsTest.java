package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.MODEL;
import static io.lodestar.operators.health.HealthFixtures.SOURCE;
import static io.lodestar.operators.health.HealthFixtures.VERSION;
import static io.lodestar.operators.health.HealthFixtures.group;
import static io.lodestar.operators.health.HealthFixtures.model;
import static io.lodestar.operators.health.HealthFixtures.scored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.VoteOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How pipeline records become health events: keys, verdicts, margins and duplicate responses. */
class HealthEventsTest {

  private final HealthEvents events = new HealthEvents(false);

  @Test
  void theRollUpSettingDecidesWhetherAnEventAlsoCountsForEverySource() {
    HealthSettings withoutRollUp =
        new HealthSettings(
            Duration.ofMinutes(1), Duration.ZERO, List.of("format"), 0.5, 0.5, false);

    List<HealthEvent> plain = HealthEvents.of(withoutRollUp).pair(pair(List.of(MODEL)), SOURCE);
    List<HealthEvent> rolled =
        HealthEvents.of(HealthSettings.defaults()).pair(pair(List.of(MODEL)), SOURCE);

    assertThat(plain).extracting(e -> e.dataSource).containsExactly(SOURCE);
    assertThat(rolled)
        .extracting(e -> e.dataSource)
        .containsExactly(SOURCE, HealthEvent.ALL_SOURCES);
  }

  @Test
  void aGroupIsKeyedByTheModelOfItsFirstSampleOrUnknownWithoutSamples() {
    RLGroup filled = group("g", 100, 1.0, 0.0);
    RLGroup empty = TestRecords.group("e", 100).setSamples(new ArrayList<>()).build();

    assertThat(events.group(filled).get(0).modelId).isEqualTo(MODEL);
    HealthEvent none = events.group(empty).get(0);
    assertThat(none.modelId).isEqualTo(HealthEvents.UNKNOWN);
    assertThat(none.groupSize).isZero();
    assertThat(none.groupScored).isZero();
    assertThat(none.groupZeroVariance).isFalse();
  }

  @Test
  void zeroVarianceNeedsTwoScoredSamplesWithOneReward() {
    assertThat(events.group(group("same", 100, 1.0, 1.0)).get(0).groupZeroVariance).isTrue();
    assertThat(events.group(group("differ", 100, 1.0, 0.0)).get(0).groupZeroVariance).isFalse();
    assertThat(events.group(group("one", 100, 1.0, null)).get(0).groupZeroVariance).isFalse();
    assertThat(events.group(group("one", 100, 1.0, null)).get(0).groupScored).isEqualTo(1);
  }

  @Test
  void responsesDifferingOnlyInSurroundingOrRepeatedWhitespaceAreDuplicates() {
    assertThat(HealthEvents.duplicates(List.of("a b", "  a \t\n b  ", "a b\n"))).isEqualTo(2);
  }

  @Test
  void whitespaceBetweenWordsIsNotDroppedSoJoinedWordsDiffer() {
    assertThat(HealthEvents.duplicates(List.of("a b", "ab", " ab"))).isEqualTo(1);
    assertThat(HealthEvents.duplicates(List.of("a b c", "a bc", "ab c"))).isZero();
  }

  @Test
  void aPairIsKeyedByItsFirstModelAndNewestVersionOrUnknownWhenItDoesNotSay() {
    HealthEvent known = events.pair(pair(List.of("m1", "m2")), SOURCE).get(0);
    HealthEvent unknown = events.pair(pair(List.of()), null).get(0);

    assertThat(known.modelId).isEqualTo("m1");
    assertThat(known.policyVersion).isEqualTo(9);
    assertThat(known.dataSource).isEqualTo(SOURCE);
    assertThat(known.pairSource).isEqualTo("VOTE");
    assertThat(unknown.modelId).isEqualTo(HealthEvents.UNKNOWN);
    assertThat(unknown.dataSource).isEqualTo(HealthEvents.UNKNOWN);
  }

  @Test
  void feedbackWithoutItsGenerationIsKeyedAsUnknownAndHasNoModelScore() {
    HealthEvent event =
        events.feedback(HealthFixtures.thumb("f", "g", true, 50), null, null).get(0);

    assertThat(event.modelId).isEqualTo(HealthEvents.UNKNOWN);
    assertThat(event.policyVersion).isZero();
    assertThat(event.dataSource).isEqualTo(HealthEvents.UNKNOWN);
    assertThat(event.eventTimeMs).isEqualTo(50);
    assertThat(event.humanVerdict).isEqualTo(1);
    assertThat(event.modelScore).isNull();
  }

  @Test
  void feedbackIsKeyedByThePolicyAndSourceOfItsGeneration() {
    ScoredGeneration target = scored("g", 12, 10, 0.5, 3, model(0.8));

    HealthEvent event =
        events.feedback(HealthFixtures.thumb("f", "g", false, 50), target, null).get(0);

    assertThat(event.modelId).isEqualTo(MODEL);
    assertThat(event.policyVersion).isEqualTo(12);
    assertThat(event.dataSource).isEqualTo(SOURCE);
    assertThat(event.feedbackKind).isEqualTo("THUMB");
    assertThat(event.humanVerdict).isEqualTo(-1);
    assertThat(event.modelScore).isEqualTo(0.8);
    assertThat(event.modelScoreIsMargin).isFalse();
  }

  @Test
  void aThumbWithoutADirectionHasNoVerdict() {
    Feedback noDirection = TestRecords.feedback("f", "g").setThumbUp(null).build();

    assertThat(events.feedback(noDirection, null, null).get(0).humanVerdict).isNull();
  }

  @Test
  void theModelScoreIsTheMeanOfTheScoredRewardModelComponentsOnly() {
    ScoredGeneration target =
        scored(
            "g",
            10,
            0.5,
            3,
            model(0.2),
            HealthFixtures.ok("rm2", RewardSource.MODEL, 0.6),
            HealthFixtures.failed("rm3", RewardSource.MODEL, RewardStatus.ERROR),
            HealthFixtures.accuracy(1.0));
    ScoredGeneration noModel = scored("h", 10, 0.5, 3, HealthFixtures.accuracy(1.0));

    assertThat(HealthEvents.modelScore(target)).isEqualTo(0.4, within(1e-12));
    assertThat(HealthEvents.modelScore(noModel)).isNull();
  }

  @Test
  void aVoteComparesTheMarginOfTheTwoModelScoresWithTheWinner() {
    ScoredGeneration a = scored("a", 10, 0.5, 3, model(0.75));
    ScoredGeneration b = scored("b", 10, 0.5, 3, model(0.25));

    HealthEvent forA = events.feedback(vote(VoteOutcome.A), a, b).get(0);
    HealthEvent forB = events.feedback(vote(VoteOutcome.B), b, a).get(0);
    HealthEvent tie = events.feedback(vote(VoteOutcome.TIE), a, b).get(0);
    HealthEvent withoutOther = events.feedback(vote(VoteOutcome.A), a, null).get(0);

    assertThat(forA.humanVerdict).isEqualTo(1);
    assertThat(forA.modelScore).isEqualTo(0.5);
    assertThat(forA.modelScoreIsMargin).isTrue();
    assertThat(forB.humanVerdict).isEqualTo(-1);
    assertThat(forB.modelScore).isEqualTo(-0.5);
    assertThat(tie.humanVerdict).isNull();
    assertThat(withoutOther.modelScore).isNull();
    assertThat(withoutOther.modelScoreIsMargin).isFalse();
  }

  @Test
  void aRatingAboveTheMiddleOfItsScaleIsLikedBelowDislikedAndAtTheMiddleUndecided() {
    assertThat(ratingVerdict(3.01, 1.0, 5.0)).isEqualTo(1);
    assertThat(ratingVerdict(2.99, 1.0, 5.0)).isEqualTo(-1);
    assertThat(ratingVerdict(3.0, 1.0, 5.0)).isNull();
    // The middle of 2..4 is 3, not (4 - 2) / 2 = 1 or 2 + 4 * 2.
    assertThat(ratingVerdict(2.5, 2.0, 4.0)).isEqualTo(-1);
    assertThat(ratingVerdict(3.5, 2.0, 4.0)).isEqualTo(1);
  }

  @Test
  void aRatingWithoutAUsableScaleHasNoVerdict() {
    assertThat(ratingVerdict(5.0, 3.0, 3.0)).isNull();
    assertThat(ratingVerdict(5.0, 4.0, 3.0)).isNull();
    assertThat(ratingVerdict(5.0, null, 3.0)).isNull();
    assertThat(ratingVerdict(5.0, 1.0, null)).isNull();
    assertThat(ratingVerdict(null, 1.0, 5.0)).isNull();
  }

  private Integer ratingVerdict(Double rating, Double min, Double max) {
    Feedback feedback =
        TestRecords.feedback("f", "g")
            .setKind(FeedbackKind.RATING)
            .setThumbUp(null)
            .setRating(rating)
            .setRatingMin(min)
            .setRatingMax(max)
            .build();
    return events.feedback(feedback, null, null).get(0).humanVerdict;
  }

  private static Feedback vote(VoteOutcome outcome) {
    return TestRecords.vote("v", "a", "b", outcome).build();
  }

  private static PreferencePair pair(List<String> models) {
    return PreferencePair.newBuilder(HealthFixtures.pair("p", PairSource.VOTE, VERSION, 10))
        .setProvenance(
            Provenance.newBuilder()
                .setModelIds(new ArrayList<>(models))
                .setPolicyVersions(new ArrayList<>(List.of(3L, 9L, 5L)))
                .build())
        .build();
  }
}
