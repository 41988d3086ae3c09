package io.lodestar.operators.reward.remote;

/** What a remote call reports as it goes; the Flink wrapper turns these into metrics. */
public interface CallListener {

  /** An HTTP attempt was sent. */
  default void request() {}

  /** An attempt failed with {@code kind} and another will follow. */
  default void retry(String kind) {}

  /** An attempt got an answer (any status) or failed after {@code millis}. */
  default void latency(long millis) {}

  /** A call waited for budget: local rate budget, or a server's 429 Retry-After. */
  default void rateLimitWait(long nanos) {}

  CallListener NONE = new CallListener() {};
}
