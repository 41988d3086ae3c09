package io.lodestar.operators.preference;

import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLGroup;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Closed groups become reward-margin pairs ({@link GroupRewardPairs}). Stateless. */
public class GroupPairsFunction extends ProcessFunction<RLGroup, PreferencePair> {

  private static final long serialVersionUID = 1L;

  private final PreferenceSettings settings;
  private final String pipelineVersion;
  private transient ExampleEmitter emitter;

  public GroupPairsFunction(PreferenceSettings settings, String pipelineVersion) {
    this.settings = settings;
    this.pipelineVersion = pipelineVersion;
  }

  @Override
  public void open(OpenContext openContext) {
    emitter = new ExampleEmitter(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(RLGroup group, Context ctx, Collector<PreferencePair> out) {
    PreferenceExamples examples = new PreferenceExamples(pipelineVersion);
    GroupRewardPairs.mine(group, settings, examples);
    emitter.emit(examples, out, u -> ctx.output(ExampleEmitter.UNPAIRED, u));
  }
}
