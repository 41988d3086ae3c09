package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.preference.PromptSignals.Signal;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which thumbs pairs survive the cap, and what they record. */
class PromptThumbsTest {

  private static final PreferenceSettings DEFAULTS = PreferenceSettings.defaults();

  private final Generation g1 = generation("g-1").build();
  private final Generation g2 = generation("g-2").build();
  private final Generation g3 = generation("g-3").build();

  private static Signal thumb(String id, Generation g, boolean up, long at) {
    return new Signal(
        feedback(id, g.getGenerationId()).setThumbUp(up).setCreatedAtMs(at).build(), g);
  }

  private static PreferenceExamples mine(int maxPairs, Signal... signals) {
    PreferenceSettings settings =
        new PreferenceSettings(
            Duration.ofMinutes(1),
            maxPairs,
            DEFAULTS.ratingGap(),
            false,
            false,
            DEFAULTS.groupPairs(),
            DEFAULTS.groupMargin(),
            DEFAULTS.weights());
    PreferenceExamples out = new PreferenceExamples("test");
    PromptSignals.mine(List.of(signals), settings, out);
    return out;
  }

  @Test
  void theCapKeepsTheUnanimousPairOverOneWhoseThumbsDisagreeWhateverTheIds() {
    // g-1 comes first by id but its thumbs split two to one; g-3's are unanimous.
    PreferenceExamples out =
        mine(
            1,
            thumb("t1", g1, true, 1),
            thumb("t1b", g1, true, 1),
            thumb("t1c", g1, false, 1),
            thumb("t2", g2, false, 1),
            thumb("t3", g3, true, 1));

    assertThat(out.pairs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("g-3");
              assertThat(p.getConfidence()).isEqualTo(DEFAULTS.weights().thumb());
            });
    assertThat(out.unpaired()).extracting(UnpairedExample::getGenerationId).containsExactly("g-1");
  }

  @Test
  void feedbackIdsAreRecordedSortedWhateverTheOrderTheyArrived() {
    PreferenceExamples out =
        mine(8, thumb("t9", g1, true, 1), thumb("t2", g1, true, 2), thumb("t5", g1, true, 3));

    assertThat(out.unpaired())
        .singleElement()
        .satisfies(
            u -> assertThat(u.getProvenance().getFeedbackIds()).containsExactly("t2", "t5", "t9"));
  }

  @Test
  void pairsAndUnpairedExamplesAreCreatedWhenTheirLatestThumbWas() {
    PreferenceExamples paired =
        mine(
            8,
            thumb("t1", g1, true, 4_000),
            thumb("t2", g2, false, 6_000),
            thumb("t2b", g2, false, 5_000));
    PreferenceExamples lone = mine(8, thumb("t1", g1, true, 8_000), thumb("t1b", g1, true, 3_000));

    assertThat(paired.pairs()).extracting(PreferencePair::getCreatedAtMs).containsExactly(6_000L);
    assertThat(lone.unpaired()).extracting(UnpairedExample::getCreatedAtMs).containsExactly(8_000L);
  }
}
