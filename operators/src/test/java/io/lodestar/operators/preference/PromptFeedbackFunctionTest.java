package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.feedback;
import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.preference.GenerationJoinFunction.Side;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PromptFeedbackFunctionTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Duration WINDOW = Duration.ofMinutes(5);

  private KeyedOneInputStreamOperatorTestHarness<String, FeedbackJoin, PreferencePair> harness;

  @BeforeEach
  void open() throws Exception {
    PreferenceSettings d = PreferenceSettings.defaults();
    PreferenceSettings settings =
        new PreferenceSettings(
            WINDOW,
            d.maxPairsPerPrompt(),
            d.ratingGap(),
            false,
            false,
            d.groupPairs(),
            d.groupMargin(),
            d.weights());
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PromptFeedbackFunction(settings, "test")),
            j -> j.a.getGeneration().getPromptId(),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void thumb(String id, Generation g, boolean up, long at) throws Exception {
    Feedback f = feedback(id, g.getGenerationId()).setThumbUp(up).setCreatedAtMs(at).build();
    harness.processElement(
        new FeedbackJoin(f, TestRecords.scored(g, 1.0).build(), null, Side.A), at);
  }

  private List<UnpairedExample> unpaired() {
    var records = harness.getSideOutput(PromptFeedbackFunction.UNPAIRED);
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void pairsThePromptsThumbsWhenItsWindowClosesAndLeavesNoStateOrTimers() throws Exception {
    Generation up = generation("g-up").build();
    Generation down = generation("g-down").build();
    Generation lone = generation("g-lone").setPromptId("prompt-2").build();

    thumb("t1", up, true, T0);
    thumb("t2", down, false, T0 + 60_000);
    thumb("t3", lone, true, T0 + 1_000);
    harness.processWatermark(new Watermark(T0 + WINDOW.toMillis() - 1));
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processWatermark(new Watermark(T0 + WINDOW.toMillis() + 1_000));

    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("g-up");
              assertThat(p.getRejectedGenerationId()).isEqualTo("g-down");
              assertThat(p.getProvenance().getFeedbackIds()).containsExactlyInAnyOrder("t1", "t2");
            });
    assertThat(unpaired())
        .singleElement()
        .satisfies(u -> assertThat(u.getGenerationId()).isEqualTo("g-lone"));
    assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
  }

  @Test
  void feedbackAfterAClosedWindowOpensANewOne() throws Exception {
    Generation g = generation("g-1").build();
    thumb("t1", g, true, T0);
    harness.processWatermark(new Watermark(T0 + WINDOW.toMillis()));
    assertThat(unpaired()).hasSize(1);

    thumb("t2", g, true, T0 + WINDOW.toMillis() + 10);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    harness.processWatermark(new Watermark(T0 + 3 * WINDOW.toMillis()));

    assertThat(unpaired()).hasSize(2);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }
}
