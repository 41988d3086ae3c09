package io.lodestar.jobs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/** Ends a job and waits until it has really ended. */
public final class JobTermination {

  private static final long POLL_MS = 50;

  private JobTermination() {}

  /**
   * Cancels {@code job} and returns once its status is globally terminal. {@link JobClient#cancel()}
   * completes when the request is accepted, while tasks may still be writing checkpoints and files
   * and holding slots; whoever deletes those files or reuses those slots must wait for the end.
   */
  public static JobStatus cancelAndAwait(JobClient job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JobStatus status = job.getJobStatus().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!status.isGloballyTerminalState()) {
      job.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    while (!status.isGloballyTerminalState()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            "job " + job.getJobID() + " was cancelled but is still " + status + " after " + timeout.toMillis() + " ms");
      }
      Thread.sleep(POLL_MS);
      status = job.getJobStatus().get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
    }
    return status;
  }
}
