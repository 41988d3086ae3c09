package io.lodestar.operators.health;

import static io.lodestar.operators.health.HealthFixtures.accuracy;
import static io.lodestar.operators.health.HealthFixtures.failed;
import static io.lodestar.operators.health.HealthFixtures.format;
import static io.lodestar.operators.health.HealthFixtures.judge;
import static io.lodestar.operators.health.HealthFixtures.model;
import static io.lodestar.operators.health.HealthFixtures.scored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.ComponentHealth;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.VoteOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class HealthAccumulatorTest {

  private static final HealthSettings SETTINGS = HealthSettings.defaults();
  private static final HealthEvents EVENTS = new HealthEvents(false);
  private static final long T = 1_000L;

  // g1: accuracy pass, format 1, model 0.8 (agrees)          reward 0.9, length 10
  // g2: accuracy fail, format 1, model 0.7 (disagrees)       reward 0.5, length 20
  // g3: accuracy timed out, format 0, model 0.2, judge 1     unscored,   length 30
  // g4: accuracy pass, format 1, judge 0 (disagrees)         reward 1.0, length 40
  private static final ScoredGeneration G1 =
      scored("g1", T, 0.9, 10, accuracy(1), format(1), model(0.8));
  private static final ScoredGeneration G2 =
      scored("g2", T, 0.5, 20, accuracy(0), format(1), model(0.7));
  private static final ScoredGeneration G3 =
      scored(
          "g3",
          T,
          null,
          30,
          failed("math_equivalence", RewardSource.VERIFIER, RewardStatus.TIMEOUT),
          format(0),
          model(0.2),
          judge(1));
  private static final ScoredGeneration G4 =
      scored("g4", T, 1.0, 40, accuracy(1), format(1), judge(0));

  private static List<HealthEvent> allEvents() {
    List<HealthEvent> events = new ArrayList<>();
    for (ScoredGeneration g : List.of(G1, G2, G3, G4)) {
      events.addAll(EVENTS.generation(g));
    }
    events.addAll(EVENTS.group(HealthFixtures.group("zero", T, 1.0, 1.0)));
    events.addAll(EVENTS.group(HealthFixtures.group("spread", T, 1.0, 0.0)));
    events.addAll(EVENTS.group(HealthFixtures.group("single", T, 1.0, null)));
    events.addAll(
        EVENTS.batch(
            HealthFixtures.batch(
                "b",
                0,
                T,
                9,
                HealthFixtures.groupOfVersions("old", T, 7, 7),
                HealthFixtures.groupOfVersions("new", T, 9, 9))));
    events.addAll(EVENTS.feedback(HealthFixtures.thumb("f1", "g1", true, T), G1, null));
    events.addAll(EVENTS.feedback(HealthFixtures.thumb("f2", "g1", false, T), G1, null));
    events.addAll(
        EVENTS.feedback(
            TestRecords.vote("f3", "g1", "g3", VoteOutcome.A).setCreatedAtMs(T).build(), G1, G3));
    events.addAll(
        EVENTS.feedback(
            TestRecords.vote("f4", "g1", "g3", VoteOutcome.TIE).setCreatedAtMs(T).build(), G1, G3));
    events.addAll(EVENTS.feedback(HealthFixtures.rating("f5", "g3", 4.0, T), G3, null));
    events.addAll(
        EVENTS.pair(HealthFixtures.pair("p1", PairSource.VOTE, 7, T), HealthFixtures.SOURCE));
    events.addAll(
        EVENTS.pair(HealthFixtures.pair("p2", PairSource.VOTE, 7, T), HealthFixtures.SOURCE));
    events.addAll(
        EVENTS.pair(HealthFixtures.pair("p3", PairSource.EDIT, 7, T), HealthFixtures.SOURCE));
    return events;
  }

  private static HealthMetrics aggregate(List<HealthEvent> events) {
    HealthAccumulator acc = new HealthAccumulator();
    for (HealthEvent e : events) {
      acc.add(e, SETTINGS);
    }
    return acc.toMetrics(0, 60_000, 0);
  }

  @Test
  void countsAndRatesOfScoredGenerations() {
    HealthMetrics m = aggregate(allEvents());
    assertThat(m.getGenerations()).isEqualTo(4);
    assertThat(m.getScored()).isEqualTo(3);
    assertThat(m.getUnscored()).isEqualTo(1);
    assertThat(m.getTimeouts()).isEqualTo(1);
    assertThat(m.getUnscoredRate()).isEqualTo(0.25);
    assertThat(m.getTimeoutRate()).isEqualTo(0.25);
  }

  @Test
  void combinedRewardStatistics() {
    // Rewards 0.9, 0.5, 1.0: mean 0.8, deviations 0.1 -0.3 0.2, population variance 0.14 / 3.
    HealthMetrics m = aggregate(allEvents());
    assertThat(m.getReward().getCount()).isEqualTo(3);
    assertThat(m.getReward().getMean()).isCloseTo(0.8, within(1e-12));
    assertThat(m.getReward().getStd()).isCloseTo(Math.sqrt(0.14 / 3), within(1e-12));
    assertThat(m.getReward().getMin()).isEqualTo(0.5);
    assertThat(m.getReward().getMax()).isEqualTo(1.0);
    assertThat(m.getReward().getP50()).isCloseTo(0.9, Percentage.withPercentage(1));
  }

  @Test
  void verifierPassFormatFailureAndFormatRewardMean() {
    HealthMetrics m = aggregate(allEvents());
    // g3 has no accuracy verdict (timed out): 2 of 3 pass.
    assertThat(m.getVerifierJudged()).isEqualTo(3);
    assertThat(m.getVerifierPassRate()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.getFormatJudged()).isEqualTo(4);
    assertThat(m.getFormatFailureRate()).isEqualTo(0.25);
    assertThat(m.getFormatRewardMean()).isEqualTo(0.75);
  }

  @Test
  void perComponentHealthIsClassifiedBySourceAndName() {
    HealthMetrics m = aggregate(allEvents());
    assertThat(m.getComponents())
        .extracting(ComponentHealth::getName)
        .containsExactly("format", "judge", "math_equivalence", "rm");
    ComponentHealth accuracy = m.getComponents().get(2);
    assertThat(accuracy.getRole()).isEqualTo("ACCURACY");
    assertThat(accuracy.getSource()).isEqualTo("VERIFIER");
    assertThat(accuracy.getScored()).isEqualTo(3);
    assertThat(accuracy.getUnscored()).isEqualTo(1);
    assertThat(accuracy.getTimeouts()).isEqualTo(1);
    assertThat(accuracy.getValue().getMean()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.getComponents().get(0).getRole()).isEqualTo("FORMAT");
    assertThat(m.getComponents().get(1).getRole()).isEqualTo("JUDGE");
    assertThat(m.getComponents().get(3).getRole()).isEqualTo("MODEL");
    assertThat(m.getComponents().get(3).getValue().getMean()).isCloseTo(1.7 / 3, within(1e-12));
  }

  @Test
  void responseLengthAndItsCorrelationWithReward() {
    HealthMetrics m = aggregate(allEvents());
    assertThat(m.getResponseLength().getMean()).isEqualTo(25.0);
    // Rank floor(0.9 * 3) = 2 of 10 20 30 40.
    assertThat(m.getResponseLength().getP90()).isCloseTo(30, Percentage.withPercentage(1));
    // Scored points (10, .9) (20, .5) (40, 1): Sxy = 3, Sxx = 1400 / 3, Syy = 0.14.
    assertThat(m.getLengthRewardPoints()).isEqualTo(3);
    assertThat(m.getLengthRewardCorrelation())
        .isCloseTo(3 / Math.sqrt(1400.0 / 3 * 0.14), within(1e-12));
  }

  @Test
  void disagreementBetweenVerifierModelAndJudge() {
    HealthMetrics m = aggregate(allEvents());
    // g1 agrees, g2 disagrees (verifier fails, model 0.7 >= 0.5); g3 and g4 lack one side.
    assertThat(m.getVerifierModelCompared()).isEqualTo(2);
    assertThat(m.getVerifierModelDisagreement()).isEqualTo(0.5);
    // Only g4 has both: verifier passes, judge 0 fails.
    assertThat(m.getJudgeVerifierCompared()).isEqualTo(1);
    assertThat(m.getJudgeVerifierDisagreement()).isEqualTo(1.0);
  }

  @Test
  void humanFeedbackAgreementWithTheRewardModel() {
    HealthMetrics m = aggregate(allEvents());
    // f1 up on model 0.8: agree. f2 down on 0.8: disagree. f3 vote A with margin 0.8 - 0.2: agree.
    // f4 tie: no verdict. f5 rating 4 of 1..5 (liked) on model 0.2: disagree.
    assertThat(m.getHumanModelCompared()).isEqualTo(4);
    assertThat(m.getHumanModelAgreement()).isEqualTo(0.5);
    assertThat(m.getFeedback()).isEqualTo(5);
    assertThat(m.getFeedbackByKind()).isEqualTo(Map.of("THUMB", 2L, "PAIRWISE", 2L, "RATING", 1L));
  }

  @Test
  void groupsBatchesStalenessAndPairs() {
    HealthMetrics m = aggregate(allEvents());
    // The group with one scored sample is not counted.
    assertThat(m.getGroups()).isEqualTo(2);
    assertThat(m.getZeroVarianceGroups()).isEqualTo(1);
    assertThat(m.getZeroVarianceFraction()).isEqualTo(0.5);
    // Batch at version 9 with groups from versions 7 and 9: lags 2 and 0.
    assertThat(m.getBatches()).isEqualTo(1);
    assertThat(m.getBatchSamples()).isEqualTo(4);
    assertThat(m.getStaleness().getMean()).isEqualTo(1.0);
    assertThat(m.getStaleness().getMax()).isEqualTo(2.0);
    assertThat(m.getPairs()).isEqualTo(3);
    assertThat(m.getPairsBySource()).isEqualTo(Map.of("VOTE", 2L, "EDIT", 1L));
  }

  @Test
  void undefinedAggregatesAreNullNotZero() {
    HealthMetrics m = aggregate(List.of());
    assertThat(m.getReward()).isNull();
    assertThat(m.getUnscoredRate()).isNull();
    assertThat(m.getVerifierPassRate()).isNull();
    assertThat(m.getLengthRewardCorrelation()).isNull();
    assertThat(m.getZeroVarianceFraction()).isNull();
    assertThat(m.getHumanModelAgreement()).isNull();
    assertThat(m.getStaleness()).isNull();
  }

  @Test
  void mergingPartialAccumulatorsGivesTheSameMetrics() {
    List<HealthEvent> events = allEvents();
    HealthAccumulator even = new HealthAccumulator();
    HealthAccumulator odd = new HealthAccumulator();
    for (int i = 0; i < events.size(); i++) {
      (i % 2 == 0 ? even : odd).add(events.get(i), SETTINGS);
    }
    odd.merge(even);
    HealthMetrics merged = odd.toMetrics(0, 60_000, 0);
    HealthMetrics whole = aggregate(events);
    assertThat(merged)
        .usingRecursiveComparison()
        .withComparatorForType(
            (a, b) -> Math.abs(a - b) < 1e-12 ? 0 : Double.compare(a, b), Double.class)
        .isEqualTo(whole);
  }

  @Test
  void rollUpCountsEveryRecordOnceMoreUnderAllSources() {
    HealthEvents rolling = new HealthEvents(true);
    assertThat(rolling.generation(G1))
        .extracting(e -> e.dataSource)
        .containsExactly(HealthFixtures.SOURCE, HealthEvent.ALL_SOURCES);
    // Two groups of two data sources: one event per source, and one for the whole batch.
    RLGroup other = HealthFixtures.groupOfVersions("o", T, 9, 9);
    other.getTask().setDataSource("math");
    List<HealthEvent> batch =
        rolling.batch(
            HealthFixtures.batch(
                "b", 0, T, 9, HealthFixtures.groupOfVersions("g", T, 9, 9), other));
    assertThat(batch)
        .extracting(e -> e.dataSource)
        .containsExactly("gsm8k", "math", HealthEvent.ALL_SOURCES);
    assertThat(batch.get(2).stalenessLags).hasSize(2);
  }

  @Test
  void responsesRepeatedWithinAGroupAreCountedWhitespaceAside() {
    RLGroup group = HealthFixtures.group("dup", T, 1.0, 1.0, 0.0, 1.0);
    List<String> responses = List.of("x = 4", " x  =\n4 ", "x = 5", "x = 4");
    for (int i = 0; i < responses.size(); i++) {
      group.getSamples().get(i).setResponse(responses.get(i));
    }
    RLGroup single = HealthFixtures.group("single", T, 1.0);
    List<HealthEvent> events = new ArrayList<>(EVENTS.group(group));
    events.addAll(EVENTS.group(single));

    HealthMetrics m = aggregate(events);

    assertThat(m.getGroupSamples()).isEqualTo(4);
    assertThat(m.getDuplicateResponses()).isEqualTo(2);
    assertThat(m.getDuplicateResponseRate()).isEqualTo(0.5);
    assertThat(aggregate(List.of()).getDuplicateResponseRate()).isNull();
    assertThat(HealthMetricValues.value(m, "duplicateResponseRate")).isEqualTo(0.5);
  }

  @Test
  void theSpreadOfSelfConsistencyOverVotedSamplesIsAHealthDistribution() {
    RLGroup voted = HealthFixtures.group("voted", T, 1.0, 1.0, 1.0, 0.0);
    double[] agreement = {0.75, 0.75, 0.75, 0.25};
    for (int i = 0; i < agreement.length; i++) {
      voted
          .getSamples()
          .get(i)
          .setComponents(
              List.of(HealthFixtures.ok("self_consistency", RewardSource.VERIFIER, agreement[i])));
    }
    // A member without an answer carries an UNSCORABLE self_consistency: not counted.
    RLGroup partly = HealthFixtures.group("partly", T, 1.0, null);
    partly
        .getSamples()
        .get(0)
        .setComponents(List.of(HealthFixtures.ok("self_consistency", RewardSource.VERIFIER, 0.5)));
    partly
        .getSamples()
        .get(1)
        .setComponents(
            List.of(
                HealthFixtures.failed(
                    "self_consistency", RewardSource.VERIFIER, RewardStatus.UNSCORABLE)));
    List<HealthEvent> events = new ArrayList<>(EVENTS.group(voted));
    events.addAll(EVENTS.group(partly));
    events.addAll(EVENTS.group(HealthFixtures.group("not-voted", T, 1.0, 0.0)));

    HealthMetrics m = aggregate(events);

    assertThat(m.getSelfConsistency().getCount()).isEqualTo(5);
    assertThat(m.getSelfConsistency().getMean()).isCloseTo(0.6, within(1e-12));
    assertThat(m.getSelfConsistency().getStd()).isCloseTo(0.2, within(1e-12));
    assertThat(HealthMetricValues.value(m, "selfConsistency.std")).isCloseTo(0.2, within(1e-12));
    assertThat(aggregate(List.of()).getSelfConsistency()).isNull();
    assertThat(
            aggregate(EVENTS.group(HealthFixtures.group("plain", T, 1.0, 0.0)))
                .getSelfConsistency())
        .isNull();
  }
}
