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
 * Puts the two halves of a vote (keyed by feedback id) back together once each has met its
 * generation. Only votes are held here, so generations are stored once, in the lookup before.
 *
 * <p>If the other half never comes (its generation did not arrive, and the lookup routed it as
 * unmatched), the held half is cleared by a timer just after the lookup's wait ends.
 */
public class VoteHalvesFunction extends KeyedProcessFunction<String, VoteJoin, VoteJoin> {

  private static final long serialVersionUID = 1L;

  private final Duration maxVoteWait;
  private transient ValueState<VoteJoin> firstHalf;
  private transient ValueState<Long> giveUpAt;

  public VoteHalvesFunction(Duration maxVoteWait) {
    this.maxVoteWait = maxVoteWait;
  }

  @Override
  public void open(OpenContext openContext) {
    firstHalf = getRuntimeContext().getState(new ValueStateDescriptor<>("first-half", TypeInformation.of(VoteJoin.class)));
    giveUpAt = getRuntimeContext().getState(new ValueStateDescriptor<>("give-up-at", Types.LONG));
  }

  @Override
  public void processElement(VoteJoin half, Context ctx, Collector<VoteJoin> out) throws Exception {
    VoteJoin first = firstHalf.value();
    if (first == null || first.side == half.side) {
      // A repeated half replaces the held one; the pair id makes the result the same either way.
      firstHalf.update(half);
      if (giveUpAt.value() == null) {
        long at = half.vote.getCreatedAtMs() + maxVoteWait.toMillis() + 1;
        giveUpAt.update(at);
        ctx.timerService().registerEventTimeTimer(at);
      }
      return;
    }
    VoteJoin a = first.side == GenerationJoinFunction.Side.A ? first : half;
    VoteJoin b = a == first ? half : first;
    out.collect(new VoteJoin(half.vote, a.a, b.b, null));
    ctx.timerService().deleteEventTimeTimer(giveUpAt.value());
    firstHalf.clear();
    giveUpAt.clear();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<VoteJoin> out) throws Exception {
    // The partner was routed as unmatched upstream; this half alone cannot become a pair.
    firstHalf.clear();
    giveUpAt.clear();
  }
}
