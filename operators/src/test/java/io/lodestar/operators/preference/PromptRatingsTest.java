package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.operators.preference.PromptSignals.Signal;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PreferencePair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the ratings of one prompt window become pairs, and why a rated generation may get none. */
class PromptRatingsTest {

  private final Generation g1 = generation("g-1").build();
  private final Generation g2 = generation("g-2").build();
  private final Generation g3 = generation("g-3").build();
  private final Generation g4 = generation("g-4").build();

  private static Feedback.Builder rating(
      String id, Generation g, double value, Double min, Double max) {
    return feedback(id, g.getGenerationId())
        .setKind(FeedbackKind.RATING)
        .setThumbUp(null)
        .setRating(value)
        .setRatingMin(min)
        .setRatingMax(max);
  }

  private static Signal unit(String id, Generation g, double value) {
    return new Signal(rating(id, g, value, 0.0, 1.0).build(), g);
  }

  private static PreferenceExamples mine(int maxPairs, double ratingGap, Signal... signals) {
    PreferenceSettings d = PreferenceSettings.defaults();
    PreferenceSettings settings =
        new PreferenceSettings(
            Duration.ofMinutes(1),
            maxPairs,
            ratingGap,
            false,
            false,
            d.groupPairs(),
            d.groupMargin(),
            d.weights());
    PreferenceExamples out = new PreferenceExamples("test");
    PromptSignals.mine(List.of(signals), settings, out);
    return out;
  }

  @Test
  void aGenerationWithinTheGapOfEveryOtherIsTooCloseWhileOneCutByTheCapIsOverTheCap() {
    // 1.0 over 0.0 is kept (gap 1.0); 0.9 over 0.0 (gap 0.9) is cut by the cap of one; 0.5 is no
    // more than 0.5 from anything, so it never had a pair to cut.
    PreferenceExamples out =
        mine(
            1,
            0.5,
            unit("r1", g1, 1.0),
            unit("r2", g2, 0.0),
            unit("r3", g3, 0.5),
            unit("r4", g4, 0.9));

    assertThat(out.pairs())
        .extracting(p -> p.getChosenGenerationId() + ">" + p.getRejectedGenerationId())
        .containsExactly("g-1>g-2");
    assertThat(out.withoutExample())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(NoExample.RATING_GAP_TOO_SMALL, 1, NoExample.OVER_PROMPT_CAP, 1));
  }

  @Test
  void aGenerationsRatingsAreAveragedBeforeTheyAreCompared() {
    PreferenceExamples out =
        mine(8, 0.25, unit("r1", g1, 1.0), unit("r1b", g1, 0.5), unit("r2", g2, 0.0));

    assertThat(out.pairs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("g-1");
              assertThat(p.getMargin()).isEqualTo(0.75);
              assertThat(p.getProvenance().getFeedbackIds()).containsExactly("r1", "r1b", "r2");
            });
  }

  @Test
  void ratingsWithoutAUsableRangeAreComparedInTheirOwnUnits() {
    assertThat(PromptSignals.normalised(rating("r", g1, 8, null, null).build())).isEqualTo(8.0);
    assertThat(PromptSignals.normalised(rating("r", g1, 8, 10.0, null).build())).isEqualTo(8.0);
    // A range of width zero cannot be scaled to 0-1: the rating is taken as given, never NaN.
    assertThat(PromptSignals.normalised(rating("r", g1, 8, 5.0, 5.0).build())).isEqualTo(8.0);
    assertThat(PromptSignals.normalised(rating("r", g1, 8, 0.0, 10.0).build()))
        .isCloseTo(0.8, within(1e-12));
    // Outside its declared range a rating is clamped onto the scale.
    assertThat(PromptSignals.normalised(rating("r", g1, 12, 0.0, 10.0).build())).isEqualTo(1.0);
    assertThat(PromptSignals.normalised(rating("r", g1, -3, 0.0, 10.0).build())).isEqualTo(0.0);
  }

  @Test
  void aPairIsCreatedWhenItsLatestRatingWas() {
    PreferenceExamples out =
        mine(
            8,
            0.25,
            new Signal(rating("r1", g1, 1.0, 0.0, 1.0).setCreatedAtMs(5_000).build(), g1),
            new Signal(rating("r1b", g1, 1.0, 0.0, 1.0).setCreatedAtMs(9_000).build(), g1),
            new Signal(rating("r2", g2, 0.0, 0.0, 1.0).setCreatedAtMs(7_000).build(), g2));

    assertThat(out.pairs()).extracting(PreferencePair::getCreatedAtMs).containsExactly(9_000L);
  }
}
