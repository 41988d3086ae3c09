package io.lodestar.operators.preference;

import io.lodestar.schema.Generation;
import io.lodestar.schema.ScoredGeneration;
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
 * Fills the side a feedback request asks for ({@link Side#A} or {@link Side#B}) with its
 * generation, joining by generation id (the key) whichever arrives first. A generation is kept for
 * {@code keepGeneration} of event time after it was created, for feedback still to come; feedback
 * waits at most {@code maxFeedbackWait} for its generation, then goes to the unmatched side output.
 * Both waits end with timers that clear the state.
 *
 * <p>The timers only free state; whether feedback and generation meet is decided by their event
 * times ({@link FeedbackWaits}), so a request whose generation is known but outside the waits goes
 * to the unmatched output at once. Without that rule the answer would depend on which input was
 * read ahead of the other (a backlog, or a bounded run reading its files side by side).
 */
public class GenerationJoinFunction
    extends KeyedCoProcessFunction<String, ScoredGeneration, FeedbackJoin, FeedbackJoin> {

  private static final long serialVersionUID = 1L;

  /** Which generation of the feedback this join fills. */
  public enum Side {
    A,
    B
  }

  public static final OutputTag<FeedbackJoin> UNMATCHED =
      new OutputTag<>("unmatched-feedback", TypeInformation.of(FeedbackJoin.class));

  private final Duration keepGeneration;
  private final Duration maxFeedbackWait;
  private final FeedbackWaits waits;

  private transient ValueState<ScoredGeneration> generation;
  private transient ListState<FeedbackJoin> waiting;
  private transient ValueState<Long> generationExpiry;
  private transient ValueState<Long> waitExpiry;
  private transient Counter unmatched;

  public GenerationJoinFunction(Duration keepGeneration, Duration maxFeedbackWait) {
    this.keepGeneration = keepGeneration;
    this.maxFeedbackWait = maxFeedbackWait;
    this.waits = new FeedbackWaits(keepGeneration, maxFeedbackWait);
  }

  @Override
  public void open(OpenContext openContext) {
    StateTtlConfig ttl =
        StateTtlConfig.newBuilder(keepGeneration.plus(maxFeedbackWait).multipliedBy(2))
            .neverReturnExpired()
            .build();
    ValueStateDescriptor<ScoredGeneration> generationDescriptor =
        new ValueStateDescriptor<>("scored-generation", new AvroTypeInfo<>(ScoredGeneration.class));
    generationDescriptor.enableTimeToLive(ttl);
    generation = getRuntimeContext().getState(generationDescriptor);
    ListStateDescriptor<FeedbackJoin> waitingDescriptor =
        new ListStateDescriptor<>("waiting-feedback", TypeInformation.of(FeedbackJoin.class));
    waitingDescriptor.enableTimeToLive(ttl);
    waiting = getRuntimeContext().getListState(waitingDescriptor);
    ValueStateDescriptor<Long> generationExpiryDescriptor =
        new ValueStateDescriptor<>("generation-expiry", Long.class);
    generationExpiryDescriptor.enableTimeToLive(ttl);
    generationExpiry = getRuntimeContext().getState(generationExpiryDescriptor);
    ValueStateDescriptor<Long> waitExpiryDescriptor =
        new ValueStateDescriptor<>("wait-expiry", Long.class);
    waitExpiryDescriptor.enableTimeToLive(ttl);
    waitExpiry = getRuntimeContext().getState(waitExpiryDescriptor);
    unmatched =
        getRuntimeContext().getMetricGroup().counter(PreferenceMetricNames.UNMATCHED_FEEDBACK);
  }

  @Override
  public void processElement1(ScoredGeneration scored, Context ctx, Collector<FeedbackJoin> out)
      throws Exception {
    ScoredGeneration stored = generation.value();
    if (stored == null) {
      stored = slim(scored);
      generation.update(stored);
      long expiry = stored.getGeneration().getCreatedAtMs() + keepGeneration.toMillis();
      generationExpiry.update(expiry);
      ctx.timerService().registerEventTimeTimer(expiry);
    }
    Iterable<FeedbackJoin> waitingFeedback = waiting.get();
    boolean any = false;
    for (FeedbackJoin request : waitingFeedback) {
      answer(request, stored, ctx, out);
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

  /**
   * The generation without its token arrays: pairs need text and ids, and the arrays can be most of
   * a record's size. A shallow copy: the input is never changed, and what it shares is not either.
   */
  public static ScoredGeneration slim(ScoredGeneration scored) {
    Generation full = scored.getGeneration();
    Generation slim = new Generation();
    for (int i = 0; i < Generation.SCHEMA$.getFields().size(); i++) {
      slim.put(i, full.get(i));
    }
    slim.setPromptTokenIds(null);
    slim.setResponseTokenIds(null);
    slim.setResponseLogprobs(null);
    slim.setTopLogprobs(null);
    ScoredGeneration copy = new ScoredGeneration();
    for (int i = 0; i < ScoredGeneration.SCHEMA$.getFields().size(); i++) {
      copy.put(i, scored.get(i));
    }
    copy.setGeneration(slim);
    return copy;
  }

  @Override
  public void processElement2(FeedbackJoin request, Context ctx, Collector<FeedbackJoin> out)
      throws Exception {
    ScoredGeneration known = generation.value();
    if (known != null) {
      answer(request, known, ctx, out);
      return;
    }
    waiting.add(request);
    // One timer for the earliest wait: each request's own wait ends at its own time.
    long expiry = waitEnd(request);
    Long current = waitExpiry.value();
    if (current == null || expiry < current) {
      if (current != null) {
        ctx.timerService().deleteEventTimeTimer(current);
      }
      waitExpiry.update(expiry);
      ctx.timerService().registerEventTimeTimer(expiry);
    }
  }

  private long waitEnd(FeedbackJoin request) {
    return request.feedback.getCreatedAtMs() + maxFeedbackWait.toMillis();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeedbackJoin> out)
      throws Exception {
    Long wait = waitExpiry.value();
    if (wait != null && wait <= timestamp) {
      // The generation never came within these requests' waits: they cannot become training data,
      // but they are not dropped. Requests whose wait goes on keep waiting, under the next timer.
      List<FeedbackJoin> stillWaiting = new ArrayList<>();
      long next = Long.MAX_VALUE;
      for (FeedbackJoin request : waiting.get()) {
        if (waitEnd(request) <= timestamp) {
          unmatched.inc();
          ctx.output(UNMATCHED, request);
        } else {
          stillWaiting.add(request);
          next = Math.min(next, waitEnd(request));
        }
      }
      if (stillWaiting.isEmpty()) {
        waiting.clear();
        waitExpiry.clear();
      } else {
        waiting.update(stillWaiting);
        waitExpiry.update(next);
        ctx.timerService().registerEventTimeTimer(next);
      }
    }
    Long expiry = generationExpiry.value();
    if (expiry != null && expiry <= timestamp) {
      // Feedback for this generation are no longer expected.
      generation.clear();
      generationExpiry.clear();
    }
  }

  /**
   * Joins the request with its generation, or routes it as unmatched when their times are too far
   * apart.
   */
  private void answer(
      FeedbackJoin request, ScoredGeneration g, Context ctx, Collector<FeedbackJoin> out) {
    if (waits.matches(g.getGeneration().getCreatedAtMs(), request.feedback.getCreatedAtMs())) {
      out.collect(fill(request, g));
    } else {
      unmatched.inc();
      ctx.output(UNMATCHED, request);
    }
  }

  private FeedbackJoin fill(FeedbackJoin request, ScoredGeneration g) {
    return request.side == Side.A
        ? new FeedbackJoin(request.feedback, g, request.b, Side.A)
        : new FeedbackJoin(request.feedback, request.a, g, Side.B);
  }
}
