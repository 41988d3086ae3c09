package io.lodestar.operators.preference;

import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** What one mining step sends on, and how it is counted per source and per reason. */
class ExampleEmitterTest {

  @Test
  void pairsAndUnpairedExamplesAreSentOnAndCountedInAllAndPerSourceAndEveryReasonIsCounted() {
    Map<String, Counter> counters = new HashMap<>();
    ExampleEmitter emitter = new ExampleEmitter(new Recording("", counters));
    PreferenceExamples step = new PreferenceExamples("test");
    step.pair(
        PairSource.VOTE,
        generation("g-1").build(),
        generation("g-2").build(),
        null,
        1.0,
        List.of("v-1"),
        10L);
    step.pair(
        PairSource.VOTE,
        generation("g-1").build(),
        generation("g-3").build(),
        null,
        1.0,
        List.of("v-2"),
        10L);
    step.pair(
        PairSource.REGENERATE,
        generation("g-4").build(),
        generation("g-5").build(),
        null,
        0.3,
        List.of("r-1"),
        10L);
    step.unpaired(PairSource.THUMBS, generation("g-6").build(), true, 0.8, List.of("t-1"), 10L);
    step.none(NoExample.TIE, 2);
    step.none(NoExample.NO_CONSENT, 1);

    List<PreferencePair> pairs = new ArrayList<>();
    List<UnpairedExample> unpaired = new ArrayList<>();
    emitter.emit(step, new ListCollector<>(pairs), unpaired::add);

    assertThat(pairs)
        .extracting(PreferencePair::getSource)
        .containsExactly(PairSource.VOTE, PairSource.VOTE, PairSource.REGENERATE);
    assertThat(unpaired).extracting(UnpairedExample::getGenerationId).containsExactly("g-6");
    assertThat(counters.get(PreferenceMetricNames.PAIRS).getCount()).isEqualTo(3);
    assertThat(counters.get("source=vote/" + PreferenceMetricNames.PAIRS).getCount()).isEqualTo(2);
    assertThat(counters.get("source=regenerate/" + PreferenceMetricNames.PAIRS).getCount())
        .isEqualTo(1);
    assertThat(counters.get("source=thumbs/" + PreferenceMetricNames.PAIRS).getCount()).isZero();
    assertThat(counters.get(PreferenceMetricNames.UNPAIRED_EXAMPLES).getCount()).isEqualTo(1);
    assertThat(
            counters.get("reason=tie/" + PreferenceMetricNames.FEEDBACK_WITHOUT_EXAMPLE).getCount())
        .isEqualTo(2);
    assertThat(
            counters
                .get("reason=no_consent/" + PreferenceMetricNames.FEEDBACK_WITHOUT_EXAMPLE)
                .getCount())
        .isEqualTo(1);
    assertThat(
            counters
                .get("reason=both_bad/" + PreferenceMetricNames.FEEDBACK_WITHOUT_EXAMPLE)
                .getCount())
        .isZero();
  }

  /** Keeps every counter under its group path, e.g. {@code source=vote/lodestarPairs}. */
  private static final class Recording extends UnregisteredMetricsGroup {
    private final String path;
    private final Map<String, Counter> counters;

    Recording(String path, Map<String, Counter> counters) {
      this.path = path;
      this.counters = counters;
    }

    @Override
    public Counter counter(String name) {
      return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
      counters.put(path + name, counter);
      return counter;
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
      return new Recording(path + key + "=" + value + "/", counters);
    }
  }
}
