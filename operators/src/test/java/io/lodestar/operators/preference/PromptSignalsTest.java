package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.operators.preference.PromptSignals.Signal;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PromptSignalsTest {

  private static final PreferenceSettings DEFAULTS = PreferenceSettings.defaults();

  private final Generation g1 = generation("g-1").setResponse("one").build();
  private final Generation g2 = generation("g-2").setResponse("two").build();
  private final Generation g3 = generation("g-3").setResponse("three").build();

  private static Signal thumb(String id, Generation g, boolean up) {
    return new Signal(feedback(id, g.getGenerationId()).setThumbUp(up).build(), g);
  }

  private static Signal rating(String id, Generation g, double value, Double min, Double max) {
    return new Signal(
        feedback(id, g.getGenerationId())
            .setKind(FeedbackKind.RATING)
            .setThumbUp(null)
            .setRating(value)
            .setRatingMin(min)
            .setRatingMax(max)
            .build(),
        g);
  }

  private static PreferenceExamples mine(PreferenceSettings settings, Signal... signals) {
    PreferenceExamples out = new PreferenceExamples("test");
    PromptSignals.mine(List.of(signals), settings, out);
    return out;
  }

  private static PreferenceSettings capped(int maxPairs, double ratingGap) {
    PreferenceSettings d = DEFAULTS;
    return new PreferenceSettings(
        Duration.ofMinutes(1),
        maxPairs,
        ratingGap,
        false,
        false,
        d.groupPairs(),
        d.groupMargin(),
        d.weights());
  }

  @Test
  void eachThumbUpIsPreferredOverEachThumbDownOfThePrompt() {
    PreferenceExamples out =
        mine(DEFAULTS, thumb("t1", g1, true), thumb("t2", g2, false), thumb("t3", g3, false));

    assertThat(out.pairs()).extracting(PreferencePair::getChosenGenerationId).containsOnly("g-1");
    assertThat(out.pairs())
        .extracting(PreferencePair::getRejectedGenerationId)
        .containsExactlyInAnyOrder("g-2", "g-3");
    assertThat(out.pairs())
        .allSatisfy(
            p -> {
              assertThat(p.getSource()).isEqualTo(PairSource.THUMBS);
              assertThat(p.getConfidence()).isEqualTo(DEFAULTS.weights().thumb());
            });
    assertThat(out.unpaired()).isEmpty();
  }

  @Test
  void aLoneThumbBecomesAnUnpairedExampleWithItsLabel() {
    PreferenceExamples out = mine(DEFAULTS, thumb("t1", g1, true), thumb("t2", g1, true));

    assertThat(out.pairs()).isEmpty();
    UnpairedExample example = out.unpaired().get(0);
    assertThat(out.unpaired()).hasSize(1);
    assertThat(example.getLabel()).isTrue();
    assertThat(example.getCompletion()).isEqualTo("one");
    assertThat(example.getProvenance().getFeedbackIds()).containsExactly("t1", "t2");
    assertThat(example.getExampleId())
        .isEqualTo(PreferenceExamples.exampleId(PairSource.THUMBS, "g-1", true));
  }

  @Test
  void thumbsOfOneGenerationAreSummedAndAnEvenSplitIsAConflict() {
    PreferenceExamples out =
        mine(
            DEFAULTS,
            thumb("t1", g1, true),
            thumb("t2", g1, true),
            thumb("t3", g1, false),
            thumb("t4", g2, true),
            thumb("t5", g2, false));

    assertThat(out.withoutExample()).containsEntry(NoExample.THUMBS_CONFLICT, 2);
    assertThat(out.pairs()).isEmpty();
    assertThat(out.unpaired())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.getGenerationId()).isEqualTo("g-1");
              assertThat(u.getLabel()).isTrue();
              // Two up and one down: agreement 1/3.
              assertThat(u.getConfidence())
                  .isCloseTo(DEFAULTS.weights().thumb() / 3, Offset.offset(1e-12));
            });
  }

  @Test
  void theCapKeepsTheMostConfidentPairsAndTheRestBecomeUnpaired() {
    Generation g4 = generation("g-4").build();
    PreferenceExamples out =
        mine(
            capped(1, 0.25),
            thumb("t1", g1, true),
            thumb("t2", g2, false),
            thumb("t3", g3, true),
            thumb("t3b", g3, true),
            thumb("t3c", g3, false),
            thumb("t4", g4, false));

    assertThat(out.pairs())
        .singleElement()
        .satisfies(p -> assertThat(p.getConfidence()).isEqualTo(DEFAULTS.weights().thumb()));
    List<String> everyGeneration = new ArrayList<>();
    out.pairs()
        .forEach(
            p -> {
              everyGeneration.add(p.getChosenGenerationId());
              everyGeneration.add(p.getRejectedGenerationId());
            });
    out.unpaired().forEach(u -> everyGeneration.add(u.getGenerationId()));
    assertThat(everyGeneration).containsExactlyInAnyOrder("g-1", "g-2", "g-3", "g-4");
  }

  @Test
  void ratingsPairUpWhenTheirGapOnTheUnitScaleExceedsTheThreshold() {
    PreferenceExamples out =
        mine(
            DEFAULTS,
            rating("r1", g1, 5, 1.0, 5.0),
            rating("r2", g2, 4, 1.0, 5.0),
            rating("r3", g3, 1, 1.0, 5.0));

    // On 0-1: 1.0, 0.75, 0.0; gaps 0.25 (not above), 1.0 and 0.75.
    assertThat(out.pairs())
        .extracting(p -> p.getChosenGenerationId() + ">" + p.getRejectedGenerationId())
        .containsExactly("g-1>g-3", "g-2>g-3");
    assertThat(out.pairs().get(0).getMargin()).isEqualTo(1.0);
    assertThat(out.pairs().get(1).getMargin()).isEqualTo(0.75);
    assertThat(out.pairs()).allSatisfy(p -> assertThat(p.getSource()).isEqualTo(PairSource.RATING));
  }

  @Test
  void theRatingCapKeepsTheWidestGapsAndCountsWhatItCut() {
    Generation g4 = generation("g-4").build();
    PreferenceExamples out =
        mine(
            capped(2, 0.0),
            rating("r1", g1, 3, 0.0, 3.0),
            rating("r2", g2, 2, 0.0, 3.0),
            rating("r3", g3, 1, 0.0, 3.0),
            rating("r4", g4, 0, 0.0, 3.0));

    // Six pairs are implied; the widest gaps are g-1>g-4 (1.0), then g-1>g-3 and g-2>g-4 (2/3, by
    // pair id).
    assertThat(out.pairs()).hasSize(2);
    assertThat(
            out.pairs().get(0).getChosenGenerationId()
                + ">"
                + out.pairs().get(0).getRejectedGenerationId())
        .isEqualTo("g-1>g-4");
    assertThat(out.pairs().get(0).getMargin()).isEqualTo(1.0);
    assertThat(out.pairs().get(1).getMargin()).isCloseTo(2.0 / 3, within(1e-12));
    // The generations left out of every kept pair had pairs that the cap cut, so they count as over
    // the cap.
    assertThat(out.withoutExample()).containsOnlyKeys(NoExample.OVER_PROMPT_CAP);
  }

  @Test
  void aRankingGivenAsRatingsYieldsEveryPairItImpliesWhenTheGapIsZero() {
    PreferenceExamples out =
        mine(
            capped(100, 0.0),
            rating("r1", g1, 2, 0.0, 2.0),
            rating("r2", g2, 1, 0.0, 2.0),
            rating("r3", g3, 0, 0.0, 2.0));

    assertThat(out.pairs())
        .extracting(p -> p.getChosenGenerationId() + ">" + p.getRejectedGenerationId())
        .containsExactlyInAnyOrder("g-1>g-2", "g-1>g-3", "g-2>g-3");
  }

  @Test
  void generationsWithoutConsentAreLeftOutAndCounted() {
    Generation private2 = Generation.newBuilder(g2).setConsentToTrain(false).build();

    PreferenceExamples out = mine(DEFAULTS, thumb("t1", g1, true), thumb("t2", private2, false));

    assertThat(out.pairs()).isEmpty();
    assertThat(out.unpaired()).extracting(UnpairedExample::getGenerationId).containsExactly("g-1");
    assertThat(out.withoutExample()).containsEntry(NoExample.NO_CONSENT, 1);
  }

  @Test
  void pairIdsDoNotDependOnTheOrderFeedbackArrived() {
    PreferenceExamples first = mine(DEFAULTS, thumb("t1", g1, true), thumb("t2", g2, false));
    PreferenceExamples second = mine(DEFAULTS, thumb("t2", g2, false), thumb("t1", g1, true));

    assertThat(second.pairs())
        .extracting(PreferencePair::getPairId)
        .containsExactlyElementsOf(first.pairs().stream().map(PreferencePair::getPairId).toList());
  }
}
