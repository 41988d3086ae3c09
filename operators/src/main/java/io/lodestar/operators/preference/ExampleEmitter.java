package io.lodestar.operators.preference;

import io.lodestar.operators.preference.PreferenceExamples.NoExample;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends what a mining step produced on: pairs to the main output, unpaired examples to a side
 * output, the rest counted.
 */
final class ExampleEmitter {

  /** Unpaired (KTO) examples, beside the pairs every preference operator emits. */
  static final OutputTag<UnpairedExample> UNPAIRED =
      new OutputTag<>("unpaired-examples", new AvroTypeInfo<>(UnpairedExample.class));

  private final Counter pairs;

  /** Pairs by source; Flink names these {@code source_lodestarPairs}, label {@code source}. */
  private final Map<PairSource, Counter> pairsBySource = new EnumMap<>(PairSource.class);

  private final Counter unpaired;
  private final Map<NoExample, Counter> withoutExample = new EnumMap<>(NoExample.class);

  ExampleEmitter(MetricGroup metrics) {
    pairs = metrics.counter(PreferenceMetricNames.PAIRS);
    for (PairSource source : PairSource.values()) {
      pairsBySource.put(
          source,
          metrics
              .addGroup("source", source.name().toLowerCase(Locale.ROOT))
              .counter(PreferenceMetricNames.PAIRS));
    }
    unpaired = metrics.counter(PreferenceMetricNames.UNPAIRED_EXAMPLES);
    for (NoExample reason : NoExample.values()) {
      withoutExample.put(
          reason,
          metrics
              .addGroup("reason", reason.name().toLowerCase(Locale.ROOT))
              .counter(PreferenceMetricNames.FEEDBACK_WITHOUT_EXAMPLE));
    }
  }

  void emit(
      PreferenceExamples examples,
      Collector<PreferencePair> pairOut,
      Consumer<UnpairedExample> unpairedOut) {
    for (PreferencePair p : examples.pairs()) {
      pairs.inc();
      pairsBySource.get(p.getSource()).inc();
      pairOut.collect(p);
    }
    for (UnpairedExample u : examples.unpaired()) {
      unpaired.inc();
      unpairedOut.accept(u);
    }
    examples.withoutExample().forEach((reason, n) -> withoutExample.get(reason).inc(n));
  }
}
