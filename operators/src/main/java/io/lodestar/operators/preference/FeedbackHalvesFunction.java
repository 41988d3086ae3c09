package io.lodestar.operators.preference;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Puts the two halves of two-sided feedback (a vote; a regeneration with its replacement), keyed by
 * feedback id, back together once each has met its generation. Only feedback is held here, so
 * generations are stored once, in the lookup before.
 *
 * <p>If the other half never comes (its generation did not arrive, and the lookup routed it as
 * unmatched), the held half is cleared by a timer just after the lookup's wait ends.
 */
public class FeedbackHalvesFunction
    extends KeyedProcessFunction<String, FeedbackJoin, FeedbackJoin> {

  private static final long serialVersionUID = 1L;

  private final Duration maxFeedbackWait;
  private transient ValueState<FeedbackJoin> firstHalf;
  private transient ValueState<Long> giveUpAt;

  public FeedbackHalvesFunction(Duration maxFeedbackWait) {
    this.maxFeedbackWait = maxFeedbackWait;
  }

  @Override
  public void open(OpenContext openContext) {
    firstHalf =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("first-half", TypeInformation.of(FeedbackJoin.class)));
    giveUpAt = getRuntimeContext().getState(new ValueStateDescriptor<>("give-up-at", Types.LONG));
  }

  @Override
  public void processElement(FeedbackJoin half, Context ctx, Collector<FeedbackJoin> out)
      throws Exception {
    FeedbackJoin first = firstHalf.value();
    if (first == null || first.side == half.side) {
      // A repeated half replaces the held one; the pair id makes the result the same either way.
      firstHalf.update(half);
      if (giveUpAt.value() == null) {
        long at = half.feedback.getCreatedAtMs() + maxFeedbackWait.toMillis() + 1;
        giveUpAt.update(at);
        ctx.timerService().registerEventTimeTimer(at);
      }
      return;
    }
    FeedbackJoin a = first.side == GenerationJoinFunction.Side.A ? first : half;
    FeedbackJoin b = a == first ? half : first;
    out.collect(new FeedbackJoin(half.feedback, a.a, b.b, null));
    ctx.timerService().deleteEventTimeTimer(giveUpAt.value());
    firstHalf.clear();
    giveUpAt.clear();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeedbackJoin> out)
      throws Exception {
    // The partner was routed as unmatched upstream; this half alone cannot become a pair.
    firstHalf.clear();
    giveUpAt.clear();
  }
}
