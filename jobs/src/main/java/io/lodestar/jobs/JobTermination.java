package io.lodestar.jobs;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/** Ends a job and waits until it has really ended. */
public final class JobTermination {

  private JobTermination() {}

  /**
   * Cancels {@code job} unless it has ended, and returns once its result is in. {@link
   * JobClient#cancel()} completes when the request is accepted, while tasks may still be writing
   * checkpoints and files and holding slots; whoever deletes those files or reuses those slots must
   * wait for the result (which, for a per-job local cluster, also waits for that cluster to shut
   * down).
   */
  public static void cancelAndAwait(JobClient job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!hasEnded(job, timeout)) {
      job.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    try {
      job.getJobExecutionResult().get(left, TimeUnit.MILLISECONDS);
    } catch (ExecutionException endedWithoutResult) {
      // A cancelled or failed job's result is its exception: it has ended all the same.
    } catch (TimeoutException e) {
      throw new TimeoutException(
          "job "
              + job.getJobID()
              + " was cancelled but had not ended after "
              + timeout.toMillis()
              + " ms");
    }
  }

  private static boolean hasEnded(JobClient job, Duration timeout) throws Exception {
    try {
      JobStatus status = job.getJobStatus().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return status.isGloballyTerminalState();
    } catch (ExecutionException clusterGone) {
      // A per-job local cluster shuts down with its job and answers no more status requests.
      return true;
    }
  }
}
