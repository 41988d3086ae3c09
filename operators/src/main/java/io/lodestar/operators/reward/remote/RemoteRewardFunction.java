package io.lodestar.operators.reward.remote;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores generations with a remote reward model or judge through Flink async I/O (use it with
 * {@code AsyncDataStream.orderedWait}, or {@link RemoteRewardStages}). Each record gets one more
 * component; a call that times out or fails gives a TIMEOUT or ERROR component (value null, never
 * 0), including when Flink's own async timeout fires, so no outcome of a call fails the job.
 * Generations of task kinds the scorer does not apply to pass untouched.
 */
public class RemoteRewardFunction extends RichAsyncFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RemoteRewardFunction.class);

  /**
   * Labels of {@link RemoteMetricNames#REMOTE_ERRORS}; the component's detail keeps the exact
   * reason.
   */
  static final List<String> ERROR_KINDS =
      List.of(
          "http-429",
          "http-4xx",
          "http-5xx",
          "connection",
          "malformed",
          "length",
          "judge-format",
          "closed",
          "internal");

  private final RewardClient client;

  private transient ExecutorService httpThreads;
  private transient ScheduledExecutorService timers;
  private transient RemoteCaller caller;

  /**
   * Records whose outcome is not yet emitted; whichever of answer or Flink timeout comes first
   * wins.
   */
  private transient Map<ResultFuture<ScoredGeneration>, Boolean> pending;

  private transient Counter requests;
  private transient Counter retries;
  private transient Counter timeouts;
  private transient Counter rateLimitWaits;
  private transient Counter guardHits;
  private transient Map<String, Counter> errors;
  private transient Histogram latency;

  public RemoteRewardFunction(RewardClient client) {
    this.client = client;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    requests = metrics.counter(RemoteMetricNames.REMOTE_REQUESTS, new ThreadSafeSimpleCounter());
    retries = metrics.counter(RemoteMetricNames.REMOTE_RETRIES, new ThreadSafeSimpleCounter());
    timeouts = metrics.counter(RemoteMetricNames.REMOTE_TIMEOUTS, new ThreadSafeSimpleCounter());
    rateLimitWaits =
        metrics.counter(RemoteMetricNames.REMOTE_RATE_LIMIT_WAITS, new ThreadSafeSimpleCounter());
    guardHits = metrics.counter(RemoteMetricNames.JUDGE_GUARD_HITS, new ThreadSafeSimpleCounter());
    latency =
        metrics.histogram(
            RemoteMetricNames.REMOTE_LATENCY_MS, new DescriptiveStatisticsHistogram(1000));
    errors = new ConcurrentHashMap<>();
    for (String kind : ERROR_KINDS) {
      errors.put(
          kind,
          metrics
              .addGroup("kind", kind)
              .counter(RemoteMetricNames.REMOTE_ERRORS, new ThreadSafeSimpleCounter()));
    }
    pending = new ConcurrentHashMap<>();

    String name = client.name();
    httpThreads = Executors.newFixedThreadPool(2, daemon("remote-reward-http-" + name));
    timers = Executors.newSingleThreadScheduledExecutor(daemon("remote-reward-timer-" + name));
    CallSettings call = client.call();
    RandomGenerator jitter = () -> ThreadLocalRandom.current().nextLong();
    caller =
        new RemoteCaller(
            call,
            RemoteCaller.httpClient(call, httpThreads),
            timers,
            new TokenBucket(call.budget(), System::nanoTime),
            System::nanoTime,
            jitter,
            new Listener());
    LOG.info("remote reward {} opened: {}", name, call);
  }

  @Override
  public void close() {
    if (timers != null) {
      timers.shutdownNow();
    }
    if (httpThreads != null) {
      httpThreads.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(ScoredGeneration input, ResultFuture<ScoredGeneration> result) {
    Generation g = input.getGeneration();
    if (!client.call().appliesTo(g.getTask().getKind())) {
      result.complete(Collections.singletonList(input));
      return;
    }
    Optional<RewardComponent> screened = client.screen(g);
    if (screened.isPresent()) {
      guardHits.inc();
      result.complete(Collections.singletonList(ScoredComponents.append(input, screened.get())));
      return;
    }
    pending.put(result, Boolean.TRUE);
    String requestId = client.requestId(g);
    RemoteRequest request;
    try {
      request = client.request(g, requestId);
    } catch (RuntimeException unwritable) {
      finish(input, result, client.component(null, RewardStatus.ERROR, "internal"), 0);
      return;
    }
    caller
        .call(request, requestId)
        .whenComplete(
            (outcome, failure) -> {
              RewardComponent component;
              if (failure != null) {
                component = client.component(null, RewardStatus.ERROR, "internal");
              } else if (outcome.succeeded()) {
                component = parse(outcome.body());
              } else {
                component = client.component(null, outcome.failure(), outcome.detail());
              }
              finish(input, result, component, outcome == null ? 0 : outcome.attempts());
            });
  }

  @Override
  public void timeout(ScoredGeneration input, ResultFuture<ScoredGeneration> result) {
    // Flink's own deadline passed first: the record goes on unscored; the job does not fail.
    finish(input, result, client.component(null, RewardStatus.TIMEOUT, "flink-timeout"), -1);
  }

  private RewardComponent parse(String body) {
    try {
      return client.parse(body);
    } catch (RuntimeException unexpected) {
      return client.component(null, RewardStatus.ERROR, "malformed");
    }
  }

  private void finish(
      ScoredGeneration input,
      ResultFuture<ScoredGeneration> result,
      RewardComponent component,
      int attempts) {
    if (pending.remove(result) == null) {
      return;
    }
    if (component.getStatus() == RewardStatus.TIMEOUT) {
      timeouts.inc();
    } else if (component.getStatus() == RewardStatus.ERROR) {
      errors.get(errorKind(component.getDetail())).inc();
    }
    if (component.getStatus() != RewardStatus.OK && LOG.isDebugEnabled()) {
      LOG.debug(
          "remote reward {} for generation {}: {} ({}) after {} attempts",
          client.name(),
          input.getGeneration().getGenerationId(),
          component.getStatus(),
          component.getDetail(),
          attempts);
    }
    result.complete(Collections.singletonList(ScoredComponents.append(input, component)));
  }

  static String errorKind(String detail) {
    if (detail == null) {
      return "internal";
    }
    if (detail.equals("http-429")) {
      return "http-429";
    }
    if (detail.startsWith("http-5")) {
      return "http-5xx";
    }
    if (detail.startsWith("http-")) {
      return "http-4xx";
    }
    if (detail.endsWith("malformed")) {
      return "malformed";
    }
    if (detail.endsWith("length")) {
      return "length";
    }
    return ERROR_KINDS.contains(detail) ? detail : "internal";
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Call events as metrics; runs on HTTP and timer threads, hence the thread-safe counters. */
  private final class Listener implements CallListener {
    @Override
    public void request() {
      requests.inc();
    }

    @Override
    public void retry(String kind) {
      retries.inc();
    }

    @Override
    public void latency(long millis) {
      synchronized (latency) {
        latency.update(millis);
      }
    }

    @Override
    public void rateLimitWait(long nanos) {
      rateLimitWaits.inc();
    }
  }
}
