package io.lodestar.operators.preference;

import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Collects the thumbs and ratings of one prompt (the key) for {@code promptWindow} of event time
 * from the first of them, then mines them together ({@link PromptSignals}) and clears its state.
 * Feedback arriving after a window closed opens a new one for the same prompt.
 */
public class PromptFeedbackFunction
    extends KeyedProcessFunction<String, FeedbackJoin, PreferencePair> {

  private static final long serialVersionUID = 1L;

  public static final OutputTag<UnpairedExample> UNPAIRED = ExampleEmitter.UNPAIRED;

  private final PreferenceSettings settings;
  private final String pipelineVersion;
  private transient ListState<FeedbackJoin> collected;
  private transient ValueState<Long> closesAt;
  private transient ExampleEmitter emitter;

  public PromptFeedbackFunction(PreferenceSettings settings, String pipelineVersion) {
    this.settings = settings;
    this.pipelineVersion = pipelineVersion;
  }

  @Override
  public void open(OpenContext openContext) {
    collected =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>(
                    "prompt-feedback", TypeInformation.of(FeedbackJoin.class)));
    closesAt =
        getRuntimeContext().getState(new ValueStateDescriptor<>("window-closes-at", Types.LONG));
    emitter = new ExampleEmitter(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(FeedbackJoin joined, Context ctx, Collector<PreferencePair> out)
      throws Exception {
    collected.add(joined);
    if (closesAt.value() == null) {
      long at = joined.feedback.getCreatedAtMs() + settings.promptWindow().toMillis();
      closesAt.update(at);
      ctx.timerService().registerEventTimeTimer(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PreferencePair> out)
      throws Exception {
    List<PromptSignals.Signal> signals = new ArrayList<>();
    for (FeedbackJoin j : collected.get()) {
      signals.add(new PromptSignals.Signal(j.feedback, j.a.getGeneration()));
    }
    PreferenceExamples examples = new PreferenceExamples(pipelineVersion);
    PromptSignals.mine(signals, settings, examples);
    emitter.emit(examples, out, u -> ctx.output(UNPAIRED, u));
    collected.clear();
    closesAt.clear();
  }
}
