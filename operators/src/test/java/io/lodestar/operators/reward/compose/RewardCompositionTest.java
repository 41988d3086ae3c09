package io.lodestar.operators.reward.compose;

import static io.lodestar.operators.TestRecords.component;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.reward.compose.OverlongShaping.LengthFallback;
import io.lodestar.operators.reward.compose.RewardComposition.Composed;
import io.lodestar.operators.reward.compose.RewardComposition.MissingRules;
import io.lodestar.operators.reward.compose.RewardComposition.Outcome;
import io.lodestar.operators.reward.compose.RewardComposition.Weights;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RewardCompositionTest {

  private static final Generation PLAIN = generation("g-1").build();

  private static RewardComposition composition(
      String weights, String missing, String gates, OverlongShaping overlong) {
    return RewardComposition.of(
        Weights.parse(weights), MissingRules.parse(missing), Gate.parseAll(gates), overlong);
  }

  private static RewardComponent ok(String name, double value) {
    return component(name, value, RewardStatus.OK);
  }

  private static RewardComponent failed(String name, RewardStatus status) {
    return component(name, null, status);
  }

  private static Generation withTokens(int count) {
    return generation("g-1")
        .setResponseTokenIds(new ArrayList<>(Collections.nCopies(count, 3)))
        .setResponseLogprobs(null)
        .build();
  }

  private static RewardComponent upstream(String name, Double value, RewardStatus status) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.MODEL)
        .setVersion("serving-rm/3")
        .build();
  }

  @Nested
  class ByDefault {

    private final RewardComposition defaults = RewardComposition.defaults();

    private Double reward(RewardComponent... components) {
      return defaults.compose(PLAIN, List.of(components)).reward();
    }

    @Test
    void averagesTheComponentsThatScoredOk() {
      assertThat(reward(ok("numeric_answer", 1.0), ok("format", 0.5))).isEqualTo(0.75);
    }

    @Test
    void ignoresComponentsThatAreNotOk() {
      assertThat(
              reward(
                  ok("numeric_answer", 1.0),
                  component("judge", 0.0, RewardStatus.TIMEOUT),
                  component("code", 0.0, RewardStatus.ERROR),
                  failed("format", RewardStatus.UNSCORABLE)))
          .isEqualTo(1.0);
    }

    @Test
    void ignoresOkComponentsWithoutAFiniteValue() {
      assertThat(
              reward(
                  ok("numeric_answer", 0.0),
                  component("broken", null, RewardStatus.OK),
                  ok("nan", Double.NaN),
                  ok("inf", Double.POSITIVE_INFINITY),
                  ok("minus_inf", Double.NEGATIVE_INFINITY)))
          .isEqualTo(0.0);
    }

    @Test
    void isUnscoredNotZeroWithoutComponents() {
      Composed composed = defaults.compose(PLAIN, List.of());
      assertThat(composed.reward()).isNull();
      assertThat(composed.outcome()).isEqualTo(Outcome.UNSCORED);
      assertThat(composed.components()).isEmpty();
    }

    @Test
    void isUnscoredWhenEveryComponentFailed() {
      assertThat(reward(failed("a", RewardStatus.ERROR), failed("b", RewardStatus.ERROR))).isNull();
      assertThat(
              reward(
                  failed("numeric_answer", RewardStatus.UNSCORABLE),
                  component("judge", 1.0, RewardStatus.TIMEOUT)))
          .isNull();
    }

    @Test
    void keepsEveryComponentWithItsOwnValueStatusAndVersion() {
      List<RewardComponent> components =
          List.of(ok("a", 1.0), failed("b", RewardStatus.TIMEOUT), ok("nan", Double.NaN));
      assertThat(defaults.compose(PLAIN, components).components())
          .containsExactlyElementsOf(components);
    }

    @Test
    void namesTheRuleAndEveryComponentVersion() {
      // The hash is the first 4 bytes of SHA-256 over the readable part, here computed
      // independently
      // (Python hashlib), so the string is stable across JVMs and runs.
      assertThat(defaults.compose(PLAIN, List.of(ok("numeric_answer", 1.0))).rewardVersion())
          .isEqualTo("mean(numeric_answer@numeric_answer/1)#95928b89");
      assertThat(defaults.compose(PLAIN, List.of()).rewardVersion())
          .matches("mean\\(\\)#[0-9a-f]{8}");
    }
  }

  @Nested
  class Weighting {

    @Test
    void isAWeightedMean() {
      RewardComposition c =
          composition("numeric_answer:1,format:0.5", "", "", OverlongShaping.NONE);
      // (1 * 1.0 + 0.5 * 0.0) / 1.5
      assertThat(c.compose(PLAIN, List.of(ok("numeric_answer", 1.0), ok("format", 0.0))).reward())
          .isCloseTo(2.0 / 3.0, within(1e-15));
    }

    @Test
    void unlistedNamesTakeTheStarWeightAndZeroLeavesThemOut() {
      RewardComposition onlyAccuracy =
          composition("numeric_answer:1,*:0", "", "", OverlongShaping.NONE);
      assertThat(
              onlyAccuracy
                  .compose(PLAIN, List.of(ok("numeric_answer", 0.2), ok("style", 1.0)))
                  .reward())
          .isEqualTo(0.2);

      RewardComposition heavyOthers =
          composition("numeric_answer:1,*:3", "", "", OverlongShaping.NONE);
      // (0.2 + 3 * 1.0) / 4
      assertThat(
              heavyOthers
                  .compose(PLAIN, List.of(ok("numeric_answer", 0.2), ok("style", 1.0)))
                  .reward())
          .isEqualTo(0.8);
    }

    @Test
    void onlyZeroWeightedComponentsLeaveTheRecordUnscored() {
      RewardComposition c = composition("style:0", "", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, List.of(ok("style", 1.0))).reward()).isNull();
    }

    @Test
    void anOverflowingSumIsUnscoredNotInfinite() {
      RewardComposition c = RewardComposition.defaults();
      Composed composed =
          c.compose(PLAIN, List.of(ok("a", Double.MAX_VALUE), ok("b", Double.MAX_VALUE)));
      assertThat(composed.reward()).isNull();
      assertThat(composed.outcome()).isEqualTo(Outcome.UNSCORED);
    }

    @Test
    void equalWeightsAreThePlainMean() {
      assertThat(composition("a:1,b:1", "", "", OverlongShaping.NONE).rule()).isEqualTo("mean");
      assertThat(composition("a:2", "", "", OverlongShaping.NONE).rule())
          .isEqualTo("wmean[a:2.0,*:1.0]");
    }
  }

  @Nested
  class MissingComponents {

    private final List<RewardComponent> judgeTimedOut =
        List.of(ok("accuracy", 1.0), failed("judge", RewardStatus.TIMEOUT));

    @Test
    void skipRenormalisesOverThePresentOnes() {
      RewardComposition c = composition("accuracy:1,judge:3", "skip", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, judgeTimedOut).reward()).isEqualTo(1.0);
      assertThat(c.compose(PLAIN, List.of(ok("accuracy", 0.5))).reward())
          .as("judge absent")
          .isEqualTo(0.5);
    }

    @Test
    void unscoredMakesTheWholeRecordUnscored() {
      RewardComposition c = composition("accuracy:1,judge:3", "unscored", "", OverlongShaping.NONE);
      Composed composed = c.compose(PLAIN, judgeTimedOut);
      assertThat(composed.reward()).isNull();
      assertThat(composed.outcome()).isEqualTo(Outcome.UNSCORED);
      assertThat(c.compose(PLAIN, List.of(ok("accuracy", 1.0))).reward())
          .as("judge absent")
          .isNull();
    }

    @Test
    void substituteStandsInWithTheComponentsWeight() {
      RewardComposition c =
          composition("accuracy:1,judge:3", "substitute:0", "", OverlongShaping.NONE);
      // (1 * 1.0 + 3 * 0.0) / 4
      assertThat(c.compose(PLAIN, judgeTimedOut).reward()).isEqualTo(0.25);
      RewardComposition minusOne =
          composition("accuracy:1,judge:3", "substitute:-1", "", OverlongShaping.NONE);
      // (1 * 1.0 + 3 * -1.0) / 4, the judge absent altogether
      assertThat(minusOne.compose(PLAIN, List.of(ok("accuracy", 1.0))).reward()).isEqualTo(-0.5);
    }

    @Test
    void aPerComponentPolicyOverridesTheGlobalOne() {
      RewardComposition c = composition("", "unscored,judge=skip", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, judgeTimedOut).reward()).isEqualTo(1.0);
      assertThat(
              c.compose(PLAIN, List.of(ok("judge", 0.0), failed("accuracy", RewardStatus.ERROR)))
                  .reward())
          .isNull();

      RewardComposition substituteJudge =
          composition("", "judge=substitute:0.5", "", OverlongShaping.NONE);
      assertThat(substituteJudge.compose(PLAIN, List.of(ok("accuracy", 1.0))).reward())
          .as("named, so expected")
          .isEqualTo(0.75);
    }

    @Test
    void onlyNamedComponentsAreExpected() {
      // A component nobody named cannot be missing; a math record without code tests stays scored.
      RewardComposition c = composition("", "unscored", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, List.of(ok("accuracy", 1.0))).reward()).isEqualTo(1.0);
    }

    @Test
    void aZeroWeightedComponentIsNeverMissing() {
      RewardComposition c = composition("judge:0", "unscored", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, judgeTimedOut).reward()).isEqualTo(1.0);
    }

    @Test
    void nanWithStatusOkCountsAsMissing() {
      RewardComposition c = composition("", "substitute:0", "", OverlongShaping.NONE);
      assertThat(c.compose(PLAIN, List.of(ok("accuracy", 1.0), ok("judge", Double.NaN))).reward())
          .isEqualTo(0.5);
    }
  }

  @Nested
  class Gates {

    private final RewardComposition formatGate =
        composition("", "", "format>=1.0 else -1.0", OverlongShaping.NONE);

    @Test
    void aPassingGateLeavesTheMean() {
      Composed composed =
          formatGate.compose(PLAIN, List.of(ok("format", 1.0), ok("accuracy", 0.0)));
      assertThat(composed.reward()).isEqualTo(0.5);
      assertThat(composed.outcome()).isEqualTo(Outcome.SCORED);
      assertThat(composed.components())
          .extracting(RewardComponent::getName)
          .containsExactly("format", "accuracy");
    }

    @Test
    void aFailingGateSetsThePenaltyAndSaysWhy() {
      Composed composed =
          formatGate.compose(PLAIN, List.of(ok("format", 0.0), ok("accuracy", 1.0)));

      assertThat(composed.reward()).isEqualTo(-1.0);
      assertThat(composed.outcome()).isEqualTo(Outcome.GATED);
      RewardComponent gate = composed.components().get(2);
      assertThat(gate.getName()).isEqualTo(RewardComposition.GATE_COMPONENT);
      assertThat(gate.getSource()).isEqualTo(RewardSource.SHAPING);
      assertThat(gate.getValue()).isEqualTo(-1.0);
      assertThat(gate.getVersion()).isEqualTo("gate(format>=1.0 else -1.0)");
      assertThat(gate.getDetail()).isEqualTo("format 0.0 fails >=1.0");
    }

    @Test
    void aMissingOrUnscoredComponentFailsItsGate() {
      Composed missing = formatGate.compose(PLAIN, List.of(ok("accuracy", 1.0)));
      assertThat(missing.reward()).isEqualTo(-1.0);
      assertThat(missing.components().get(1).getDetail()).isEqualTo("format missing");

      Composed timedOut =
          formatGate.compose(
              PLAIN, List.of(failed("format", RewardStatus.TIMEOUT), ok("accuracy", 1.0)));
      assertThat(timedOut.reward()).isEqualTo(-1.0);
      assertThat(timedOut.components().get(2).getDetail()).isEqualTo("format status TIMEOUT");

      Composed nan = formatGate.compose(PLAIN, List.of(ok("format", Double.NaN)));
      assertThat(nan.reward()).isEqualTo(-1.0);
      assertThat(nan.components().get(1).getDetail()).isEqualTo("format has no finite value");
    }

    @Test
    void aFailingGateDecidesEvenWhenNothingElseScored() {
      assertThat(
              formatGate
                  .compose(
                      PLAIN, List.of(ok("format", 0.5), failed("accuracy", RewardStatus.ERROR)))
                  .reward())
          .isEqualTo(-1.0);
    }

    @Test
    void gatesAreEvaluatedInOrderAndTheFirstFailureWins() {
      RewardComposition two =
          composition("", "", "format>=1 else -1; length<0.75 else -2", OverlongShaping.NONE);
      assertThat(two.compose(PLAIN, List.of(ok("format", 0.0), ok("length", 0.9))).reward())
          .isEqualTo(-1.0);
      assertThat(two.compose(PLAIN, List.of(ok("format", 1.0), ok("length", 0.9))).reward())
          .isEqualTo(-2.0);
      assertThat(two.compose(PLAIN, List.of(ok("format", 1.0), ok("length", 0.5))).reward())
          .isEqualTo(0.75);
    }

    @Test
    void everyComparisonHoldsAtItsBoundaryAsWritten() {
      List<RewardComponent> atOne = List.of(ok("x", 1.0));
      assertThat(
              composition("", "", "x>=1 else -1", OverlongShaping.NONE)
                  .compose(PLAIN, atOne)
                  .reward())
          .isEqualTo(1.0);
      assertThat(
              composition("", "", "x<=1 else -1", OverlongShaping.NONE)
                  .compose(PLAIN, atOne)
                  .reward())
          .isEqualTo(1.0);
      assertThat(
              composition("", "", "x>1 else -1", OverlongShaping.NONE)
                  .compose(PLAIN, atOne)
                  .reward())
          .isEqualTo(-1.0);
      assertThat(
              composition("", "", "x<1 else -1", OverlongShaping.NONE)
                  .compose(PLAIN, atOne)
                  .reward())
          .isEqualTo(-1.0);
    }

    @Test
    void everyComponentOfTheGatedNameMustPass() {
      RewardComponent upstreamFormat = upstream("format", 0.0, RewardStatus.OK);
      Generation g =
          generation("g-1").setUpstreamRewards(new ArrayList<>(List.of(upstreamFormat))).build();
      assertThat(formatGate.compose(g, List.of(ok("format", 1.0))).reward()).isEqualTo(-1.0);
    }

    @Test
    void aGatedRewardIsNotShaped() {
      RewardComposition gatedAndShaped =
          composition(
              "", "", "format>=1 else -1", OverlongShaping.dapo(20, 4, LengthFallback.UNSCORABLE));
      Composed composed = gatedAndShaped.compose(withTokens(18), List.of(ok("format", 0.0)));
      assertThat(composed.reward()).isEqualTo(-1.0);
      assertThat(composed.components())
          .extracting(RewardComponent::getName)
          .containsExactly("format", "overlong", "gate");
    }
  }

  @Nested
  class OverlongShapingInTheReward {

    private final RewardComposition dapo =
        composition("", "", "", OverlongShaping.dapo(20, 4, LengthFallback.UNSCORABLE));
    private final RewardComposition verl =
        composition("", "", "", OverlongShaping.verl(20, 4, 1.0, LengthFallback.UNSCORABLE));

    @Test
    void isAddedAsItsOwnComponentAndToTheReward() {
      Composed composed = dapo.compose(withTokens(17), List.of(ok("accuracy", 1.0)));

      assertThat(composed.reward()).isEqualTo(0.75); // 1.0 + (16 - 17) / 4
      assertThat(composed.components()).hasSize(2);
      RewardComponent shaping = composed.components().get(1);
      assertThat(shaping.getName()).isEqualTo(OverlongShaping.COMPONENT);
      assertThat(shaping.getValue()).isEqualTo(-0.25);
    }

    @Test
    void isNotAveragedWithTheOtherComponents() {
      // mean(1.0, 0.0) + (-1.0), not mean(1.0, 0.0, -1.0)
      assertThat(dapo.compose(withTokens(20), List.of(ok("a", 1.0), ok("b", 0.0))).reward())
          .isEqualTo(-0.5);
    }

    @Test
    void paperAndVerlDifferOnlyBeyondTheLimit() {
      List<RewardComponent> right = List.of(ok("accuracy", 1.0));
      assertThat(dapo.compose(withTokens(19), right).reward()).isEqualTo(0.25);
      assertThat(verl.compose(withTokens(19), right).reward()).isEqualTo(0.25);
      assertThat(dapo.compose(withTokens(22), right).reward()).isEqualTo(0.0); // 1 - 1
      assertThat(verl.compose(withTokens(22), right).reward()).isEqualTo(-0.5); // 1 - 6/4
    }

    @Test
    void unscorableShapingLeavesTheRewardUnshaped() {
      Generation noTokens =
          generation("g-1").setResponseTokenIds(null).setResponseLogprobs(null).build();
      Composed composed = dapo.compose(noTokens, List.of(ok("accuracy", 1.0)));
      assertThat(composed.reward()).isEqualTo(1.0);
      assertThat(composed.components().get(1).getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    }

    @Test
    void aShapingValueThatOverflowsIsAnErrorAndUnscoresTheRecord() {
      RewardComposition absurd =
          composition("", "", "", OverlongShaping.verl(20, 4, 1e308, LengthFallback.UNSCORABLE));
      Composed composed = absurd.compose(withTokens(40), List.of(ok("accuracy", 1.0)));
      assertThat(composed.reward()).isNull();
      assertThat(composed.components().get(1).getStatus()).isEqualTo(RewardStatus.ERROR);
      assertThat(composed.components().get(1).getValue()).isNull();
    }

    @Test
    void anUnscoredRecordStaysUnscored() {
      Composed composed =
          dapo.compose(withTokens(18), List.of(failed("accuracy", RewardStatus.ERROR)));
      assertThat(composed.reward()).isNull();
      assertThat(composed.components())
          .extracting(RewardComponent::getName)
          .containsExactly("accuracy", "overlong");
    }

    @Test
    void theRuleNamesTheFormulaAndItsParameters() {
      assertThat(verl.rule())
          .isEqualTo("mean+overlong:verl(max=20,buffer=4,factor=1.0,fallback=unscorable)");
    }
  }

  @Nested
  class UpstreamComponents {

    private final Generation withUpstream =
        generation("g-1")
            .setUpstreamRewards(
                new ArrayList<>(List.of(upstream("rm_helpful", 0.5, RewardStatus.OK))))
            .build();

    @Test
    void areCombinedWithTheComputedOnesAndKeptOnTheRecord() {
      Composed composed =
          RewardComposition.defaults().compose(withUpstream, List.of(ok("numeric_answer", 1.0)));
      assertThat(composed.reward()).isEqualTo(0.75);
      assertThat(composed.components())
          .extracting(RewardComponent::getName)
          .containsExactly("rm_helpful", "numeric_answer");
      assertThat(composed.rewardVersion())
          .startsWith("mean(numeric_answer@numeric_answer/1,rm_helpful@serving-rm/3)#");
    }

    @Test
    void takeTheirWeightAndMissingPolicyByName() {
      RewardComposition c =
          composition("rm_helpful:3", "rm_helpful=unscored", "", OverlongShaping.NONE);
      assertThat(c.compose(withUpstream, List.of(ok("numeric_answer", 1.0))).reward())
          .isEqualTo(0.625); // (3*0.5 + 1)/4
      Generation failedUpstream =
          generation("g-1")
              .setUpstreamRewards(
                  new ArrayList<>(List.of(upstream("rm_helpful", null, RewardStatus.ERROR))))
              .build();
      assertThat(c.compose(failedUpstream, List.of(ok("numeric_answer", 1.0))).reward()).isNull();
    }

    @Test
    void aloneTheyScoreARecord() {
      assertThat(RewardComposition.defaults().compose(withUpstream, List.of()).reward())
          .isEqualTo(0.5);
    }
  }

  @Nested
  class ComposingTwice {

    @Test
    void givesTheSameRecord() {
      RewardComposition c =
          composition(
              "numeric_answer:2",
              "substitute:0",
              "format>=1 else -1",
              OverlongShaping.verl(20, 4, 0.5, LengthFallback.UNSCORABLE));
      Generation g =
          generation("g-1")
              .setUpstreamRewards(
                  new ArrayList<>(List.of(upstream("rm_helpful", 0.5, RewardStatus.OK))))
              .setResponseTokenIds(new ArrayList<>(Collections.nCopies(18, 3)))
              .setResponseLogprobs(null)
              .build();
      ScoredGeneration input =
          ScoredGeneration.newBuilder()
              .setGeneration(g)
              .setComponents(new ArrayList<>(List.of(ok("numeric_answer", 1.0), ok("format", 1.0))))
              .setReward(null)
              .setRewardVersion(RewardComposition.UNCOMBINED)
              .setScoredAtMs(5L)
              .build();

      ScoredGeneration once = c.compose(input).applyTo(input);
      ScoredGeneration twice = c.compose(once).applyTo(once);

      assertThat(twice).isEqualTo(once);
      // (2 * 1.0 + 1 * 1.0 + 1 * 0.5) / 4 + (-(18 - 16) / 4 * 0.5)
      assertThat(once.getReward()).isEqualTo(0.625);
      assertThat(once.getComponents())
          .extracting(RewardComponent::getName)
          .containsExactly("rm_helpful", "numeric_answer", "format", "overlong");
      assertThat(once.getScoredAtMs()).isEqualTo(5L);
    }
  }

  @Nested
  class Version {

    private final RewardComposition c = composition("a:2", "", "", OverlongShaping.NONE);

    @Test
    void doesNotDependOnTheOrderComponentsArrived() {
      String ab = c.compose(PLAIN, List.of(ok("a", 1.0), ok("b", 0.0))).rewardVersion();
      String ba = c.compose(PLAIN, List.of(ok("b", 0.0), ok("a", 1.0))).rewardVersion();
      assertThat(ab)
          .isEqualTo(ba)
          .isEqualTo("wmean[a:2.0,*:1.0](a@a/1,b@b/1)#" + ab.substring(ab.length() - 8));
    }

    @Test
    void isTheSameForTheSameRuleAndParts() {
      RewardComposition again = composition("a:2.0", "skip", " ", OverlongShaping.NONE);
      List<RewardComponent> parts = List.of(ok("a", 1.0));
      assertThat(again.compose(PLAIN, parts).rewardVersion())
          .isEqualTo(c.compose(PLAIN, parts).rewardVersion());
    }

    @Test
    void changesWithTheRuleOrAPartsVersionButNotWithValues() {
      List<RewardComponent> parts = List.of(ok("a", 1.0));
      String base = c.compose(PLAIN, parts).rewardVersion();

      assertThat(c.compose(PLAIN, List.of(ok("a", 0.0))).rewardVersion()).isEqualTo(base);
      RewardComponent newer = RewardComponent.newBuilder(ok("a", 1.0)).setVersion("a/2").build();
      assertThat(c.compose(PLAIN, List.of(newer)).rewardVersion()).isNotEqualTo(base);
      assertThat(
              composition("a:3", "", "", OverlongShaping.NONE)
                  .compose(PLAIN, parts)
                  .rewardVersion())
          .isNotEqualTo(base);
      assertThat(
              composition("a:2", "unscored", "", OverlongShaping.NONE)
                  .compose(PLAIN, parts)
                  .rewardVersion())
          .startsWith("wmean[a:2.0,*:1.0]+missing[unscored](a@a/1)#");
    }

    @Test
    void hashesTheReadablePartSoAShortIdIdentifiesIt() {
      String v = c.compose(PLAIN, List.of(ok("a", 1.0))).rewardVersion();
      assertThat(v).matches(".*#[0-9a-f]{8}");
      String other = c.compose(PLAIN, List.of(ok("b", 1.0))).rewardVersion();
      assertThat(other.substring(other.length() - 8)).isNotEqualTo(v.substring(v.length() - 8));
    }
  }

  @Nested
  class NonFiniteValues {

    @Test
    void neverReachTheRewardWhateverTheConfigurationAndComponents() {
      double[] values = {
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        0.0,
        1.0,
        -1.0
      };
      RewardStatus[] statuses = RewardStatus.values();
      List<RewardComposition> compositions =
          List.of(
              RewardComposition.defaults(),
              composition("a:1e308,b:2", "substitute:1e308", "", OverlongShaping.NONE),
              composition(
                  "a:0.5,*:3",
                  "unscored",
                  "c>=0 else -1",
                  OverlongShaping.verl(20, 4, 1e308, LengthFallback.UNSCORABLE)),
              composition(
                  "",
                  "b=substitute:-1e308",
                  "",
                  OverlongShaping.dapo(20, 4, new LengthFallback(true, 1e-300))));
      Random random = new Random(20260101L);
      for (int round = 0; round < 5_000; round++) {
        List<RewardComponent> components = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
          String name = List.of("a", "b", "c", "d").get(random.nextInt(4));
          components.add(
              component(
                  name,
                  values[random.nextInt(values.length)],
                  statuses[random.nextInt(statuses.length)]));
        }
        Generation g = random.nextBoolean() ? withTokens(random.nextInt(40)) : PLAIN;
        for (RewardComposition c : compositions) {
          Composed composed = c.compose(g, components);
          Double reward = composed.reward();
          assertThat(reward == null || Double.isFinite(reward))
              .as("%s on %s", c, components)
              .isTrue();
          // What the composition adds itself is finite too; the inputs are kept as they came.
          assertThat(composed.components().subList(components.size(), composed.components().size()))
              .allSatisfy(
                  added ->
                      assertThat(added.getValue() == null || Double.isFinite(added.getValue()))
                          .isTrue());
        }
      }
    }
  }

  @Nested
  class Configuration {

    @Test
    void survivesJavaSerialisation() throws Exception {
      RewardComposition c =
          composition(
              "a:2,*:0.5",
              "skip,b=substitute:-1",
              "format>=1 else -1",
              OverlongShaping.verl(20, 4, 0.5, new LengthFallback(true, 4)));
      RewardComposition copy = InstantiationUtil.clone(c);
      assertThat(copy.rule()).isEqualTo(c.rule());
      List<RewardComponent> parts = List.of(ok("a", 1.0), ok("format", 1.0));
      assertThat(copy.compose(withTokens(18), parts)).isEqualTo(c.compose(withTokens(18), parts));
    }

    @Test
    void readsWeights() {
      Weights w = Weights.parse(" a:2 , b: 0.5 ,*:0 ");
      assertThat(w.of("a")).isEqualTo(2.0);
      assertThat(w.of("b")).isEqualTo(0.5);
      assertThat(w.of("c")).isEqualTo(0.0);
      assertThat(Weights.parse("rm:helpful:2").of("rm:helpful"))
          .as("names may contain colons")
          .isEqualTo(2.0);
      assertThat(Weights.parse("")).isEqualTo(Weights.EQUAL);
    }

    @Test
    void rejectsBadWeights() {
      assertThatThrownBy(() -> Weights.parse("a")).hasMessageContaining("'a' is not name:weight");
      assertThatThrownBy(() -> Weights.parse("a:x")).hasMessageContaining("no number");
      assertThatThrownBy(() -> Weights.parse("a:-1"))
          .hasMessageContaining("weight of a must be a finite number >= 0");
      assertThatThrownBy(() -> Weights.parse("a:NaN")).hasMessageContaining("finite");
      assertThatThrownBy(() -> Weights.parse("a:Infinity")).hasMessageContaining("finite");
      assertThatThrownBy(() -> Weights.parse("a:1,a:2"))
          .hasMessageContaining("a is weighted twice");
    }

    @Test
    void readsMissingRules() {
      MissingRules rules = MissingRules.parse("unscored, judge=substitute:0.25 ,code=skip");
      assertThat(rules.of("other")).isEqualTo(MissingPolicy.UNSCORED);
      assertThat(rules.of("judge")).isEqualTo(MissingPolicy.substitute(0.25));
      assertThat(rules.of("code")).isEqualTo(MissingPolicy.SKIP);
      assertThat(MissingRules.parse("")).isEqualTo(MissingRules.SKIP_ALL);
      assertThat(rules.id()).isEqualTo("unscored,code=skip,judge=substitute:0.25");
    }

    @Test
    void rejectsBadMissingRules() {
      assertThatThrownBy(() -> MissingRules.parse("ignore"))
          .hasMessageContaining("skip, unscored or substitute:<value>");
      assertThatThrownBy(() -> MissingRules.parse("skip,unscored"))
          .hasMessageContaining("two policies without a component name");
      assertThatThrownBy(() -> MissingRules.parse("substitute:NaN")).hasMessageContaining("finite");
      assertThatThrownBy(() -> MissingRules.parse("substitute:")).hasMessageContaining("no number");
      assertThatThrownBy(() -> MissingRules.parse("=skip"))
          .hasMessageContaining("no component name");
      assertThatThrownBy(() -> MissingRules.parse("a=skip,a=unscored"))
          .hasMessageContaining("a has two");
    }

    @Test
    void readsGates() {
      assertThat(Gate.parseAll(" format >= 1 else -1 ;; len<0.5 else -2.5 "))
          .containsExactly(
              new Gate("format", Gate.Comparison.AT_LEAST, 1.0, -1.0),
              new Gate("len", Gate.Comparison.BELOW, 0.5, -2.5));
      assertThat(Gate.parseAll("")).isEmpty();
    }

    @Test
    void rejectsBadGates() {
      assertThatThrownBy(() -> Gate.parse("format>=1")).hasMessageContaining("is not a gate");
      assertThatThrownBy(() -> Gate.parse("format=1 else -1"))
          .hasMessageContaining("is not a gate");
      assertThatThrownBy(() -> Gate.parse("format>=one else -1")).hasMessageContaining("'one'");
      assertThatThrownBy(() -> Gate.parse("format>=1 else NaN")).hasMessageContaining("finite");
    }

    @Test
    void refusesToWeighGateOrExpectTheNamesItAddsItself() {
      assertThatThrownBy(() -> composition("overlong:1", "", "", OverlongShaping.NONE))
          .hasMessageContaining("'overlong'");
      assertThatThrownBy(() -> composition("", "gate=skip", "", OverlongShaping.NONE))
          .hasMessageContaining("'gate'");
      assertThatThrownBy(() -> composition("", "", "gate>=0 else -1", OverlongShaping.NONE))
          .hasMessageContaining("'gate'");
    }
  }
}
