package io.lodestar.operators.preference;

import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Votes, edits and regenerations joined with their generations become pairs (main output) and
 * unpaired examples ({@link #UNPAIRED}); see {@link FeedbackSignals}. Stateless.
 */
public class FeedbackSignalFunction extends ProcessFunction<FeedbackJoin, PreferencePair> {

  private static final long serialVersionUID = 1L;

  public static final OutputTag<UnpairedExample> UNPAIRED = ExampleEmitter.UNPAIRED;

  private final PreferenceSettings settings;
  private final String pipelineVersion;
  private transient ExampleEmitter emitter;

  public FeedbackSignalFunction(PreferenceSettings settings, String pipelineVersion) {
    this.settings = settings;
    this.pipelineVersion = pipelineVersion;
  }

  @Override
  public void open(OpenContext openContext) {
    emitter = new ExampleEmitter(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(FeedbackJoin joined, Context ctx, Collector<PreferencePair> out) {
    PreferenceExamples examples = new PreferenceExamples(pipelineVersion);
    FeedbackSignals.mine(
        joined.feedback,
        joined.a.getGeneration(),
        joined.b == null ? null : joined.b.getGeneration(),
        settings,
        examples);
    emitter.emit(examples, out, u -> ctx.output(UNPAIRED, u));
  }
}
