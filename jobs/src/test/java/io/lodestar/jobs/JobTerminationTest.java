package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

class JobTerminationTest {

  private static final JobID JOB_ID = new JobID();

  private final AtomicInteger cancelRequests = new AtomicInteger();
  private final CountDownLatch awaitingResult = new CountDownLatch(1);

  /**
   * The job's result; counts whoever starts waiting on it, so a test knows when a caller blocks.
   */
  private final CompletableFuture<JobExecutionResult> result =
      new CompletableFuture<>() {
        @Override
        public JobExecutionResult get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
          awaitingResult.countDown();
          return super.get(timeout, unit);
        }

        @Override
        public JobExecutionResult get() throws InterruptedException, ExecutionException {
          awaitingResult.countDown();
          return super.get();
        }
      };

  @Test
  void waitsPastTheCancelRequestUntilTheJobHasEnded() throws Exception {
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(
            () -> {
              try {
                JobTermination.cancelAndAwait(job(JobStatus.RUNNING), Duration.ofSeconds(10));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(awaitingResult.await(10, TimeUnit.SECONDS))
        .as("the caller waits on the job's result")
        .isTrue();
    assertThat(cancelRequests).hasValue(1);
    // The result is not in yet, so a caller that waits for it cannot have returned.
    assertThat(waiting).isNotDone();

    result.completeExceptionally(new IllegalStateException("Job was cancelled"));

    waiting.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aJobThatHasAlreadyEndedIsNotCancelled() throws Exception {
    result.complete(new JobExecutionResult(JOB_ID, 1, Map.of()));

    JobTermination.cancelAndAwait(job(JobStatus.FINISHED), Duration.ofSeconds(10));

    assertThat(cancelRequests).hasValue(0);
  }

  @Test
  void aJobThatDoesNotEndTimesOutNamingIt() {
    assertThatThrownBy(
            () -> JobTermination.cancelAndAwait(job(JobStatus.RUNNING), Duration.ofMillis(300)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("had not ended")
        .hasMessageContaining(JOB_ID.toString());
    assertThat(cancelRequests).hasValue(1);
  }

  /** A client in {@code status} whose result is {@link #result}. */
  private JobClient job(JobStatus status) {
    return (JobClient)
        Proxy.newProxyInstance(
            JobClient.class.getClassLoader(),
            new Class<?>[] {JobClient.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getJobID" -> JOB_ID;
                  case "getJobStatus" -> CompletableFuture.completedFuture(status);
                  case "getJobExecutionResult" -> result;
                  case "cancel" -> {
                    cancelRequests.incrementAndGet();
                    yield CompletableFuture.completedFuture(null);
                  }
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
