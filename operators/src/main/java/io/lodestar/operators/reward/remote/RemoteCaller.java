package io.lodestar.operators.reward.remote;

import io.lodestar.schema.RewardStatus;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Sends one scorer's POSTs without blocking: waits for rate budget, then tries, and retries 429,
 * 5xx, timeouts and connection failures with backoff (honouring Retry-After) until it succeeds,
 * runs out of retries, or the overall deadline would pass. Every attempt carries the same request
 * id (as {@code Idempotency-Key} and {@code X-Request-Id}). Never throws: every path ends in a
 * {@link CallResult}.
 */
public final class RemoteCaller {

  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private final CallSettings settings;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final TokenBucket budget;
  private final LongSupplier nanoClock;
  private final RandomGenerator random;
  private final CallListener listener;

  public RemoteCaller(
      CallSettings settings,
      HttpClient http,
      ScheduledExecutorService scheduler,
      TokenBucket budget,
      LongSupplier nanoClock,
      RandomGenerator random,
      CallListener listener) {
    this.settings = settings;
    this.http = http;
    this.scheduler = scheduler;
    this.budget = budget;
    this.nanoClock = nanoClock;
    this.random = random;
    this.listener = listener;
  }

  /**
   * An HTTP client fit for these calls: HTTP/2 where TLS can negotiate it, HTTP/1.1 on plain http.
   */
  public static HttpClient httpClient(CallSettings settings, Executor executor) {
    return HttpClient.newBuilder()
        .version(
            "https".equals(settings.url().getScheme())
                ? HttpClient.Version.HTTP_2
                : HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
  }

  public CompletableFuture<CallResult> call(RemoteRequest request, String requestId) {
    CompletableFuture<CallResult> done = new CompletableFuture<>();
    long wait = budget.reserve(request.estimatedTokens(), settings.budget().maxWait().toNanos());
    if (wait < 0) {
      done.complete(CallResult.failed(RewardStatus.TIMEOUT, "rate-budget", 0));
      return done;
    }
    Attempts attempts = new Attempts(request, requestId, done);
    if (wait > 0) {
      listener.rateLimitWait(wait);
      attempts.later(attempts::start, wait);
    } else {
      attempts.start();
    }
    return done;
  }

  /** The attempts of one call; its deadline starts once the rate budget let it go. */
  private final class Attempts {
    private final RemoteRequest request;
    private final String requestId;
    private final CompletableFuture<CallResult> done;
    private long deadlineNanos;

    Attempts(RemoteRequest request, String requestId, CompletableFuture<CallResult> done) {
      this.request = request;
      this.requestId = requestId;
      this.done = done;
    }

    void start() {
      deadlineNanos = nanoClock.getAsLong() + settings.deadline().toNanos();
      attempt(1);
    }

    void attempt(int number) {
      long remaining = deadlineNanos - nanoClock.getAsLong();
      if (remaining <= 0) {
        finish(CallResult.failed(RewardStatus.TIMEOUT, "deadline", number - 1));
        return;
      }
      Duration perAttempt = Duration.ofNanos(Math.min(settings.timeout().toNanos(), remaining));
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(request.uri())
              .timeout(perAttempt)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .header(IDEMPOTENCY_HEADER, requestId)
              .header(REQUEST_ID_HEADER, requestId)
              .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
      if (settings.apiKey().isPresent()) {
        builder.header("Authorization", "Bearer " + settings.apiKey().reveal());
      }
      long started = nanoClock.getAsLong();
      listener.request();
      CompletableFuture<HttpResponse<String>> response;
      try {
        // The request timeout covers the headers; this one also covers a body that trickles in.
        response =
            http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
                .orTimeout(perAttempt.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RuntimeException refused) {
        retryOrFinish(number, RewardStatus.ERROR, "connection", -1);
        return;
      }
      response.whenComplete(
          (answer, failure) -> {
            listener.latency((nanoClock.getAsLong() - started) / 1_000_000L);
            if (failure != null) {
              Throwable cause = unwrap(failure);
              boolean timedOut =
                  (cause instanceof HttpTimeoutException
                          && !(cause instanceof HttpConnectTimeoutException))
                      || cause instanceof TimeoutException;
              retryOrFinish(
                  number,
                  timedOut ? RewardStatus.TIMEOUT : RewardStatus.ERROR,
                  timedOut ? "timeout" : "connection",
                  -1);
              return;
            }
            int code = answer.statusCode();
            if (code >= 200 && code < 300) {
              finish(CallResult.ok(answer.body(), number));
            } else if (code == 429 || code >= 500) {
              long retryAfter =
                  RetryPolicy.parseRetryAfter(
                      answer.headers().firstValue("Retry-After").orElse(null),
                      System.currentTimeMillis());
              retryOrFinish(number, RewardStatus.ERROR, "http-" + code, retryAfter);
            } else {
              // Other 4xx (bad key, bad request) will not heal by retrying.
              finish(CallResult.failed(RewardStatus.ERROR, "http-" + code, number));
            }
          });
    }

    private void retryOrFinish(int number, RewardStatus status, String kind, long retryAfterNanos) {
      if (number > settings.retry().maxRetries()) {
        finish(CallResult.failed(status, kind, number));
        return;
      }
      long delay = settings.retry().backoffNanos(number, retryAfterNanos, random);
      long remaining = deadlineNanos - nanoClock.getAsLong();
      if (delay >= remaining) {
        finish(CallResult.failed(status, kind, number));
        return;
      }
      if (retryAfterNanos > 0) {
        listener.rateLimitWait(delay);
      }
      listener.retry(kind);
      later(
          () -> {
            long left = deadlineNanos - nanoClock.getAsLong();
            long wait = budget.reserve(request.estimatedTokens(), Math.max(0, left));
            if (wait < 0) {
              finish(CallResult.failed(status, kind, number));
            } else if (wait > 0) {
              listener.rateLimitWait(wait);
              later(() -> attempt(number + 1), wait);
            } else {
              attempt(number + 1);
            }
          },
          delay);
    }

    void later(Runnable step, long nanos) {
      try {
        scheduler.schedule(step, nanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        finish(CallResult.failed(RewardStatus.ERROR, "closed", 0));
      }
    }

    private void finish(CallResult result) {
      done.complete(result);
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
