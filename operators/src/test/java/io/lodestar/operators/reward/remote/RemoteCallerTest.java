package io.lodestar.operators.reward.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RewardStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retry loop against a real HTTP server on loopback. Each test is bounded to a few seconds. */
class RemoteCallerTest {

  private static final String CANARY = "sk-canary-caller-51d2";

  private final ExecutorService httpThreads = Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final CountingListener listener = new CountingListener();
  private FakeEndpoint endpoint;

  @BeforeAll
  static void warmUpHttp() throws Exception {
    FakeEndpoint.warmUpHttpClient();
  }

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    httpThreads.shutdownNow();
    timers.shutdownNow();
  }

  private static CallSettings.Builder settings(String url) {
    return CallSettings.builder("remote-reward")
        .url(url)
        .apiKey(Secret.of(CANARY))
        .timeout(Duration.ofMillis(500))
        .retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40)))
        .deadline(Duration.ofSeconds(5));
  }

  private CallResult call(CallSettings settings, String requestId) throws Exception {
    RemoteCaller caller =
        new RemoteCaller(
            settings,
            RemoteCaller.httpClient(settings, httpThreads),
            timers,
            new TokenBucket(settings.budget(), System::nanoTime),
            System::nanoTime,
            new SplittableRandom(3),
            listener);
    RemoteRequest request =
        new RemoteRequest(
            settings.url(), "{\"query\":[\"q\"]}".getBytes(StandardCharsets.UTF_8), 10);
    return caller.call(request, requestId).get(10, TimeUnit.SECONDS);
  }

  private CallResult call(CallSettings settings) throws Exception {
    return call(settings, "req-1");
  }

  @Test
  void aSuccessfulCallReturnsTheBodyWithIdsAndKeyInHeaders() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.json("{\"rewards\":[0.5]}"));
    CallResult result = call(settings(endpoint.base() + "/get_reward").build());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.body()).isEqualTo("{\"rewards\":[0.5]}");
    FakeEndpoint.Received got = endpoint.received.get(0);
    assertThat(got.path()).isEqualTo("/get_reward");
    assertThat(got.header("Idempotency-Key")).isEqualTo("req-1");
    assertThat(got.header("X-request-id")).isEqualTo("req-1");
    assertThat(got.header("Authorization")).isEqualTo("Bearer " + CANARY);
    assertThat(listener.requests.get()).isEqualTo(1);
  }

  @Test
  void aSlowServerTimesOutAfterEachAttemptsTimeout() throws Exception {
    endpoint =
        FakeEndpoint.start(
            (r, i) -> new FakeEndpoint.Reply(200, "{\"rewards\":[1]}", Map.of(), 3_000));
    CallResult result =
        call(
            settings(endpoint.base())
                .timeout(Duration.ofMillis(200))
                .retry(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)))
                .build());

    // Waiting out the 3 s replies would have ended in their body, not in two timed-out attempts.
    assertThat(result.failure()).isEqualTo(RewardStatus.TIMEOUT);
    assertThat(result.detail()).isEqualTo("timeout");
    assertThat(result.attempts()).isEqualTo(2);
  }

  @Test
  void rateLimitedThenSuccessfulHonoursRetryAfter() throws Exception {
    endpoint =
        FakeEndpoint.start(
            (r, i) ->
                i == 0
                    ? new FakeEndpoint.Reply(429, "{}", Map.of("Retry-After", "1"), 0)
                    : FakeEndpoint.Reply.json("{\"rewards\":[2]}"));
    CallResult result = call(settings(endpoint.base()).build());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.attempts()).isEqualTo(2);
    long gap = endpoint.received.get(1).atNanos() - endpoint.received.get(0).atNanos();
    assertThat(Duration.ofNanos(gap)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(endpoint.received.get(1).header("Idempotency-Key")).isEqualTo("req-1");
    assertThat(listener.retries.get()).isEqualTo(1);
    assertThat(listener.rateLimitWaits.get()).isEqualTo(1);
  }

  @Test
  void serverErrorsAreRetriedThenReportedAsError() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.status(500));
    CallResult result = call(settings(endpoint.base()).build());

    assertThat(result.failure()).isEqualTo(RewardStatus.ERROR);
    assertThat(result.detail()).isEqualTo("http-500");
    assertThat(endpoint.requests()).isEqualTo(3);
    assertThat(listener.retries.get()).isEqualTo(2);
  }

  @Test
  void clientErrorsOtherThan429AreNotRetried() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.status(401));
    CallResult result = call(settings(endpoint.base()).build());

    assertThat(result.detail()).isEqualTo("http-401");
    assertThat(endpoint.requests()).isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsRetriedThenAnErrorWithoutTheKeyOrUrl() throws Exception {
    int port = FakeEndpoint.closedPort();
    CallResult result = call(settings("http://127.0.0.1:" + port + "/get_reward").build());

    assertThat(result.failure()).isEqualTo(RewardStatus.ERROR);
    assertThat(result.detail()).isEqualTo("connection");
    assertThat(result.attempts()).isEqualTo(3);
    assertThat(listener.requests.get()).isEqualTo(3);
    assertThat(result.toString()).doesNotContain(CANARY).doesNotContain(String.valueOf(port));
  }

  @Test
  void theOverallDeadlineBoundsRetries() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.status(503));
    CallResult result =
        call(
            settings(endpoint.base())
                .timeout(Duration.ofMillis(200))
                .deadline(Duration.ofMillis(400))
                .retry(new RetryPolicy(1_000, Duration.ofMillis(50), Duration.ofMillis(100)))
                .build());

    // The last attempt either saw the 503 or was cut short by the deadline; which one depends on
    // load.
    assertThat(result.failure()).isNotNull();
    assertThat(result.detail()).isIn("http-503", "timeout");
    // 1,000 retries were allowed; the first waits at least 25 ms and each later one at least 50 ms,
    // so no more than 9 requests fit in the 400 ms deadline.
    assertThat(endpoint.requests()).isBetween(1, 9);
  }

  @Test
  void aRetryAfterBeyondTheDeadlineEndsTheCallAtOnce() throws Exception {
    endpoint =
        FakeEndpoint.start(
            (r, i) -> new FakeEndpoint.Reply(429, "{}", Map.of("Retry-After", "60"), 0));
    CallResult result = call(settings(endpoint.base()).deadline(Duration.ofSeconds(2)).build());

    assertThat(result.detail()).isEqualTo("http-429");
    assertThat(endpoint.requests()).isEqualTo(1);
    // Ended without scheduling a wait or a retry that could only have run past the deadline.
    assertThat(listener.retries.get()).isZero();
    assertThat(listener.rateLimitWaits.get()).isZero();
  }

  @Test
  void anExhaustedBudgetWithNoWaitAllowedEndsAsTimeoutWithoutSending() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.json("{\"rewards\":[1]}"));
    CallSettings settings =
        settings(endpoint.base()).budget(new RateBudget(1, 0, Duration.ZERO)).build();
    RemoteCaller caller =
        new RemoteCaller(
            settings,
            RemoteCaller.httpClient(settings, httpThreads),
            timers,
            new TokenBucket(settings.budget(), System::nanoTime),
            System::nanoTime,
            new SplittableRandom(1),
            listener);
    RemoteRequest request =
        new RemoteRequest(URI.create(endpoint.base()), new byte[] {'{', '}'}, 1);

    assertThat(caller.call(request, "a").get(5, TimeUnit.SECONDS).succeeded()).isTrue();
    CallResult second = caller.call(request, "b").get(5, TimeUnit.SECONDS);
    assertThat(second.failure()).isEqualTo(RewardStatus.TIMEOUT);
    assertThat(second.detail()).isEqualTo("rate-budget");
    assertThat(endpoint.requests()).isEqualTo(1);
  }

  @Test
  void callsWaitForBudgetRatherThanBeingDropped() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.json("{\"rewards\":[1]}"));
    // 600 per minute = one every 100 ms after the first minute's burst of 600 is spent.
    CallSettings settings =
        settings(endpoint.base()).budget(new RateBudget(600, 0, Duration.ofSeconds(10))).build();
    TokenBucket bucket = new TokenBucket(settings.budget(), System::nanoTime);
    bucket.reserve(600, Long.MAX_VALUE);
    for (int i = 0; i < 599; i++) {
      bucket.reserve(0, Long.MAX_VALUE);
    }
    RemoteCaller caller =
        new RemoteCaller(
            settings,
            RemoteCaller.httpClient(settings, httpThreads),
            timers,
            bucket,
            System::nanoTime,
            new SplittableRandom(1),
            listener);
    RemoteRequest request =
        new RemoteRequest(URI.create(endpoint.base()), new byte[] {'{', '}'}, 0);
    long started = System.nanoTime();
    var first = caller.call(request, "a");
    var second = caller.call(request, "b");

    assertThat(first.get(5, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(second.get(5, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(190));
    assertThat(listener.rateLimitWaits.get()).isEqualTo(2);
  }

  @Test
  void aReplaySendsTheSameRequestId() throws Exception {
    endpoint = FakeEndpoint.start((r, i) -> FakeEndpoint.Reply.json("{\"rewards\":[1]}"));
    CallSettings settings = settings(endpoint.base()).build();
    String id = RequestIds.of("g-1", "remote_rm", endpoint.base(), "");
    call(settings, id);
    call(settings, RequestIds.of("g-1", "remote_rm", endpoint.base(), ""));

    assertThat(endpoint.received)
        .extracting(r -> r.header("Idempotency-Key"))
        .containsExactly(id, id);
  }

  private static final class CountingListener implements CallListener {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger rateLimitWaits = new AtomicInteger();

    @Override
    public void request() {
      requests.incrementAndGet();
    }

    @Override
    public void retry(String kind) {
      retries.incrementAndGet();
    }

    @Override
    public void rateLimitWait(long nanos) {
      rateLimitWaits.incrementAndGet();
    }
  }
}
