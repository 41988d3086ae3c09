package io.lodestar.operators.verify.code;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 *
 * <p><b>Deadlines.</b> At most {@code threads} sandboxes run at once; the other code generations in
 * flight wait in a queue. A run's own deadline (the sandbox wall clock) counts from when it starts,
 * never from when it was queued, so a program behind slow ones gets its full time. The operator's
 * timeout counts from when Flink hands the record over, so it must cover the wait: see {@link
 * #operatorTimeout}. It only catches a stuck runner.
 */
public class CodeTestFunction extends RichAsyncFunction<ScoredGeneration, ScoredGeneration> {

  private static final long serialVersionUID = 1L;
  private static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(5);

  /** Scores one code generation, blocking; the sandbox in production, a script in tests. */
  @FunctionalInterface
  public interface Runner extends Serializable {
    RewardComponent run(Generation generation);
  }

  private final Runner runner;
  private final int threads;
  private transient ExecutorService executor;
  private transient Counter timeouts;

  public CodeTestFunction(CodeSandbox sandbox, int threads) {
    this(new SandboxRunner(sandbox), threads);
  }

  public CodeTestFunction(Runner runner, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("at least one thread is required");
    }
    this.runner = runner;
    this.threads = threads;
  }

  /**
   * The async operator's timeout for this stage. With {@code capacity} records in flight and {@code
   * threads} runs at once, a record waits behind at most {@code ceil(capacity / threads) - 1}
   * rounds of runs and then runs itself; each run ends within {@code maxRunTime} of its own start.
   */
  public static Duration operatorTimeout(Duration maxRunTime, int threads, int capacity) {
    if (threads < 1 || capacity < 1) {
      throw new IllegalArgumentException("threads and capacity must be positive");
    }
    long rounds = (capacity + (long) threads - 1) / threads;
    return maxRunTime.multipliedBy(rounds).plus(TIMEOUT_MARGIN);
  }

  @Override
  public void open(OpenContext openContext) {
    executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "code-tests");
              t.setDaemon(true);
              return t;
            });
    timeouts = getRuntimeContext().getMetricGroup().counter(CodeTestMetricNames.VERIFIER_TIMEOUTS);
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
      executor.execute(
          () -> {
            RewardComponent component;
            try {
              component = runner.run(input.getGeneration());
            } catch (RuntimeException e) {
              component = CodeTests.timedOut();
            }
            result.complete(Collections.singletonList(withComponent(input, component)));
          });
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

  private record SandboxRunner(CodeSandbox sandbox) implements Runner {
    @Override
    public RewardComponent run(Generation generation) {
      return CodeTests.run(sandbox, generation);
    }
  }
}
