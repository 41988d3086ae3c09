package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

class JobTerminationTest {

  private final AtomicInteger cancelRequests = new AtomicInteger();

  @Test
  void returnsOnlyOnceTheCancelledJobReachesATerminalStatus() throws Exception {
    Deque<JobStatus> statuses =
        new ArrayDeque<>(List.of(JobStatus.RUNNING, JobStatus.CANCELLING, JobStatus.CANCELLING, JobStatus.CANCELED));

    JobStatus end = JobTermination.cancelAndAwait(job(statuses), Duration.ofSeconds(10));

    assertThat(end).isEqualTo(JobStatus.CANCELED);
    assertThat(statuses).isEmpty();
    assertThat(cancelRequests).hasValue(1);
  }

  @Test
  void aJobThatHasAlreadyEndedIsNotCancelled() throws Exception {
    JobStatus end =
        JobTermination.cancelAndAwait(job(new ArrayDeque<>(List.of(JobStatus.FINISHED))), Duration.ofSeconds(10));

    assertThat(end).isEqualTo(JobStatus.FINISHED);
    assertThat(cancelRequests).hasValue(0);
  }

  @Test
  void aJobThatNeverEndsTimesOutNamingItsIdAndStatus() {
    Deque<JobStatus> forever = new ArrayDeque<>(List.of(JobStatus.RUNNING)) {
      @Override
      public JobStatus poll() {
        return isEmpty() ? JobStatus.CANCELLING : super.poll();
      }
    };

    assertThatThrownBy(() -> JobTermination.cancelAndAwait(job(forever), Duration.ofMillis(300)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("still CANCELLING")
        .hasMessageContaining(JOB_ID.toString());
  }

  private static final JobID JOB_ID = new JobID();

  /** A client whose status answers come from {@code statuses}, one per call; the last one repeats. */
  private JobClient job(Deque<JobStatus> statuses) {
    JobStatus[] last = {null};
    return (JobClient)
        Proxy.newProxyInstance(
            JobClient.class.getClassLoader(),
            new Class<?>[] {JobClient.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getJobID" -> JOB_ID;
                  case "getJobStatus" -> {
                    JobStatus next = statuses.poll();
                    last[0] = next != null ? next : last[0];
                    yield CompletableFuture.completedFuture(last[0]);
                  }
                  case "cancel" -> {
                    cancelRequests.incrementAndGet();
                    yield CompletableFuture.completedFuture(null);
                  }
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
