package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
  private final CompletableFuture<JobExecutionResult> result = new CompletableFuture<>();

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
    Thread.sleep(200);
    assertThat(cancelRequests).hasValue(1);
    assertThat(waiting).isNotDone();

    result.completeExceptionally(new IllegalStateException("Job was cancelled"));

    waiting.get();
  }

  @Test
  void aJobThatHasAlreadyEndedIsNotCancelled() throws Exception {
    result.complete(new JobExecutionResult(JOB_ID, 1, java.util.Map.of()));

    JobTermination.cancelAndAwait(job(JobStatus.FINISHED), Duration.ofSeconds(10));

    assertThat(cancelRequests).hasValue(0);
  }

  @Test
  void aJobThatDoesNotEndTimesOutNamingIt() {
    assertThatThrownBy(() -> JobTermination.cancelAndAwait(job(JobStatus.RUNNING), Duration.ofMillis(300)))
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
