package io.lodestar.operators.batch;

/**
 * A batch being filled, in the batch operator's state: how many groups it holds, their tokens
 * ({@link TokenCounts}) and the event time it goes out at if it does not fill first. A Flink POJO;
 * the groups themselves are kept apart, one state entry each, so adding one never rereads the
 * others.
 */
public class OpenBatch {

  public int groups;
  public long tokens;
  public long flushAtMs;

  public OpenBatch() {}

  public OpenBatch(int groups, long tokens, long flushAtMs) {
    this.groups = groups;
    this.tokens = tokens;
    this.flushAtMs = flushAtMs;
  }
}
