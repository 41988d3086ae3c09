package io.lodestar.operators.preference;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.Generation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Fills the side a vote request asks for ({@link Side#A} or {@link Side#B}) with its generation, joining by
 * generation id (the key) whichever arrives first. A generation is kept for {@code keepGeneration}
 * of event time after it was created, for votes still to come; a vote waits at most
 * {@code maxVoteWait} for its generation, then goes to the unmatched side output. Both waits end
 * with timers that clear the state.
 */
public class GenerationJoinFunction extends KeyedCoProcessFunction<String, Generation, VoteJoin, VoteJoin> {

  private static final long serialVersionUID = 1L;

  /** Which generation of the vote this join fills. */
  public enum Side { A, B }

  public static final OutputTag<VoteJoin> UNMATCHED =
      new OutputTag<>("unmatched-votes", TypeInformation.of(VoteJoin.class));

  private final Duration keepGeneration;
  private final Duration maxVoteWait;

  private transient ValueState<Generation> generation;
  private transient ListState<VoteJoin> waiting;
  private transient ValueState<Long> generationExpiry;
  private transient ValueState<Long> waitExpiry;
  private transient Counter unmatched;

  public GenerationJoinFunction(Duration keepGeneration, Duration maxVoteWait) {
    this.keepGeneration = keepGeneration;
    this.maxVoteWait = maxVoteWait;
  }

  @Override
  public void open(OpenContext openContext) {
    StateTtlConfig ttl =
        StateTtlConfig.newBuilder(keepGeneration.plus(maxVoteWait).multipliedBy(2)).neverReturnExpired().build();
    ValueStateDescriptor<Generation> generationDescriptor =
        new ValueStateDescriptor<>("generation", new AvroTypeInfo<>(Generation.class));
    generationDescriptor.enableTimeToLive(ttl);
    generation = getRuntimeContext().getState(generationDescriptor);
    ListStateDescriptor<VoteJoin> waitingDescriptor =
        new ListStateDescriptor<>("waiting-votes", TypeInformation.of(VoteJoin.class));
    waitingDescriptor.enableTimeToLive(ttl);
    waiting = getRuntimeContext().getListState(waitingDescriptor);
    ValueStateDescriptor<Long> generationExpiryDescriptor = new ValueStateDescriptor<>("generation-expiry", Long.class);
    generationExpiryDescriptor.enableTimeToLive(ttl);
    generationExpiry = getRuntimeContext().getState(generationExpiryDescriptor);
    ValueStateDescriptor<Long> waitExpiryDescriptor = new ValueStateDescriptor<>("wait-expiry", Long.class);
    waitExpiryDescriptor.enableTimeToLive(ttl);
    waitExpiry = getRuntimeContext().getState(waitExpiryDescriptor);
    unmatched = getRuntimeContext().getMetricGroup().counter(MetricNames.UNMATCHED_FEEDBACK);
  }

  @Override
  public void processElement1(Generation g, Context ctx, Collector<VoteJoin> out) throws Exception {
    if (generation.value() == null) {
      // Pairs need text and ids, not token arrays, which can be most of a record's size.
      g.setPromptTokenIds(null);
      g.setResponseTokenIds(null);
      g.setResponseLogprobs(null);
      generation.update(g);
      long expiry = g.getCreatedAtMs() + keepGeneration.toMillis();
      generationExpiry.update(expiry);
      ctx.timerService().registerEventTimeTimer(expiry);
    }
    Iterable<VoteJoin> votes = waiting.get();
    boolean any = false;
    for (VoteJoin vote : votes) {
      out.collect(fill(vote, g));
      any = true;
    }
    if (any) {
      waiting.clear();
      Long wait = waitExpiry.value();
      if (wait != null) {
        // Timers are unique per key and timestamp: keep the one the generation's expiry shares.
        if (!wait.equals(generationExpiry.value())) {
          ctx.timerService().deleteEventTimeTimer(wait);
        }
        waitExpiry.clear();
      }
    }
  }

  @Override
  public void processElement2(VoteJoin vote, Context ctx, Collector<VoteJoin> out) throws Exception {
    Generation known = generation.value();
    if (known != null) {
      out.collect(fill(vote, known));
      return;
    }
    waiting.add(vote);
    if (waitExpiry.value() == null) {
      long expiry = vote.vote.getCreatedAtMs() + maxVoteWait.toMillis();
      waitExpiry.update(expiry);
      ctx.timerService().registerEventTimeTimer(expiry);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<VoteJoin> out) throws Exception {
    Long wait = waitExpiry.value();
    if (wait != null && wait <= timestamp) {
      // The generation never came: the votes cannot become pairs, but they are not dropped.
      List<VoteJoin> expired = new ArrayList<>();
      waiting.get().forEach(expired::add);
      for (VoteJoin vote : expired) {
        unmatched.inc();
        ctx.output(UNMATCHED, vote);
      }
      waiting.clear();
      waitExpiry.clear();
    }
    Long expiry = generationExpiry.value();
    if (expiry != null && expiry <= timestamp) {
      // Votes for this generation are no longer expected.
      generation.clear();
      generationExpiry.clear();
    }
  }

  private VoteJoin fill(VoteJoin vote, Generation g) {
    return vote.side == Side.A
        ? new VoteJoin(vote.vote, g, vote.b, Side.A)
        : new VoteJoin(vote.vote, vote.a, g, Side.B);
  }
}
