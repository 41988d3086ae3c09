package io.lodestar.operators.verify.code;

import io.lodestar.connectors.MetricNames;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Runs the unit tests of code generations in the sandbox through Flink async I/O, so a slow test
 * never blocks the stream; other generations pass through untouched. The test result is added as a
 * reward component; the reward is combined later, once, from all components.
 */
public class CodeTestFunction extends RichAsyncFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;

  private final CodeSandbox sandbox;
  private final int threads;
  private transient ExecutorService executor;
  private transient Counter timeouts;

  public CodeTestFunction(CodeSandbox sandbox, int threads) {
    this.sandbox = sandbox;
    this.threads = threads;
  }

  @Override
  public void open(OpenContext openContext) {
    executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "code-tests");
      t.setDaemon(true);
      return t;
    });
    timeouts = getRuntimeContext().getMetricGroup().counter(MetricNames.VERIFIER_TIMEOUTS);
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @Override
  public void asyncInvoke(ScoredGeneration input, ResultFuture<ScoredGeneration> result) {
    if (!CodeTests.applies(input.getGeneration())) {
      result.complete(Collections.singletonList(input));
      return;
    }
    try {
      CompletableFuture.supplyAsync(() -> CodeTests.run(sandbox, input.getGeneration()), executor)
          .whenComplete(
              (component, failure) ->
                  result.complete(
                      Collections.singletonList(
                          withComponent(input, failure == null ? component : CodeTests.timedOut()))));
    } catch (RejectedExecutionException closing) {
      result.complete(Collections.singletonList(withComponent(input, CodeTests.timedOut())));
    }
  }

  @Override
  public void timeout(ScoredGeneration input, ResultFuture<ScoredGeneration> result) {
    // The operator's deadline passed first: unscored, never a failure of the job.
    timeouts.inc();
    result.complete(Collections.singletonList(withComponent(input, CodeTests.timedOut())));
  }

  static ScoredGeneration withComponent(ScoredGeneration input, RewardComponent component) {
    List<RewardComponent> components = new ArrayList<>(input.getComponents());
    components.add(component);
    return ScoredGeneration.newBuilder()
        .setGeneration(input.getGeneration())
        .setComponents(components)
        .setReward(input.getReward())
        .setRewardVersion(input.getRewardVersion())
        .setScoredAtMs(input.getScoredAtMs())
        .build();
  }
}
