package io.lodestar.operators.verify.code;

import static io.lodestar.operators.TestRecords.generation;
import static io.lodestar.operators.TestRecords.scored;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.VerifierResults;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The code-test stage with a full queue, on simulated time: Flink's async operator with the
 * harness's processing-time clock, and scripted runs that each take a set number of simulated
 * milliseconds. The runs are released in the order a FIFO pool of {@code threads} would finish
 * them, and the clock is moved to each finish before it is released, so the operator's timeouts
 * fire exactly as they would in real time. No wall-clock time is measured.
 */
class CodeTestQueueTest {

  /** The defaults of {@code code.threads} and {@code code.capacity}. */
  private static final int THREADS = 2;

  private static final int CAPACITY = 32;
  private static final CodeSandbox SANDBOX = new CodeSandbox(CodeSandbox.Limits.defaults());

  /** A program that runs into the sandbox's wall clock, and an ordinary one. */
  private static final long SLOW_MS = SANDBOX.limits().wallClock().plusSeconds(1).toMillis();

  private static final long QUICK_MS = 500;

  private static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
  private static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();

  @AfterEach
  void releaseEverything() {
    RELEASE.values().forEach(CountDownLatch::countDown);
    RELEASE.clear();
    STARTED.clear();
  }

  @Test
  void programsQueuedBehindSlowOnesAreStillScored() throws Exception {
    Map<String, Long> durations = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      durations.put("slow-" + i, SLOW_MS);
    }
    for (int i = 1; i <= CAPACITY - 3; i++) {
      durations.put("quick-" + i, QUICK_MS);
    }
    durations
        .keySet()
        .forEach(
            id -> {
              RELEASE.put(id, new CountDownLatch(1));
              STARTED.put(id, new CountDownLatch(1));
            });
    List<Run> schedule = fifoSchedule(durations, THREADS);
    long operatorTimeout =
        CodeTestFunction.operatorTimeout(SANDBOX.maxRunTime(), THREADS, CAPACITY).toMillis();

    List<ScoredGeneration> out;
    try (OneInputStreamOperatorTestHarness<ScoredGeneration, ScoredGeneration> harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<>(
                new CodeTestFunction(new Scripted(), THREADS),
                operatorTimeout,
                CAPACITY,
                AsyncDataStream.OutputMode.ORDERED),
            new AvroSerializer<>(ScoredGeneration.class))) {
      harness.setup(new AvroSerializer<>(ScoredGeneration.class));
      harness.open();
      harness.setProcessingTime(0);
      for (String id : durations.keySet()) {
        harness.processElement(codeRecord(id), 0);
      }
      for (Run run : schedule) {
        // The clock reaches this run's end before the run does: a timeout due by then fires.
        harness.setProcessingTime(run.end());
        runMails(harness);
        RELEASE.get(run.id()).countDown();
        // The worker that ran it completes its record before it takes the next queued one.
        Optional<Run> next =
            schedule.stream()
                .filter(r -> r.thread() == run.thread() && r.start() == run.end())
                .findFirst();
        if (next.isPresent()) {
          assertThat(STARTED.get(next.get().id()).await(30, TimeUnit.SECONDS))
              .as("%s started", next.get().id())
              .isTrue();
        }
      }
      harness.endInput();
      out = harness.extractOutputValues();
    }

    assertThat(schedule.get(schedule.size() - 1).end())
        .as("the simulated queue takes longer than one run's own deadline")
        .isGreaterThan(SANDBOX.maxRunTime().toMillis());
    assertThat(out).hasSize(CAPACITY);
    List<String> unscored =
        out.stream()
            .filter(
                s ->
                    s.getComponents().stream()
                        .anyMatch(
                            c ->
                                c.getName().equals(CodeTests.NAME)
                                    && c.getStatus() != RewardStatus.OK))
            .map(s -> s.getGeneration().getGenerationId())
            .toList();
    assertThat(unscored).as("records with no verdict within the operator timeout").isEmpty();
  }

  @Test
  void theOperatorTimeoutCoversEveryRoundOfTheQueue() {
    Duration run = Duration.ofSeconds(19);
    assertThat(CodeTestFunction.operatorTimeout(run, 2, 32))
        .isEqualTo(run.multipliedBy(16).plusSeconds(5));
    assertThat(CodeTestFunction.operatorTimeout(run, 2, 33))
        .isEqualTo(run.multipliedBy(17).plusSeconds(5));
    assertThat(CodeTestFunction.operatorTimeout(run, 4, 1)).isEqualTo(run.plusSeconds(5));
  }

  /** One scripted run: which worker, and its simulated start and end. */
  private record Run(String id, int thread, long start, long end) {}

  /** Where a FIFO pool of {@code threads} workers runs each job, ties going to the lower worker. */
  private static List<Run> fifoSchedule(Map<String, Long> durations, int threads) {
    long[] freeAt = new long[threads];
    List<Run> runs = new ArrayList<>();
    for (Map.Entry<String, Long> job : durations.entrySet()) {
      int worker = 0;
      for (int t = 1; t < threads; t++) {
        if (freeAt[t] < freeAt[worker]) {
          worker = t;
        }
      }
      long start = freeAt[worker];
      freeAt[worker] = start + job.getValue();
      runs.add(new Run(job.getKey(), worker, start, freeAt[worker]));
    }
    runs.sort(Comparator.comparingLong(Run::end).thenComparingInt(Run::thread));
    return runs;
  }

  /** Runs what the operator left for its task thread: completions and fired timers. */
  private static void runMails(OneInputStreamOperatorTestHarness<?, ?> harness) throws Exception {
    for (Optional<Mail> mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
        mail.isPresent();
        mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)) {
      mail.get().run();
    }
  }

  private static ScoredGeneration codeRecord(String id) {
    TaskMetadata task =
        TaskMetadata.newBuilder()
            .setKind(TaskKind.CODE)
            .setUnitTests(List.of("def check(candidate):\n    pass\n"))
            .setExtra(Map.of(CodeTests.ENTRY_POINT_KEY, "f"))
            .build();
    return scored(generation(id).setTask(task).build(), 1.0).build();
  }

  /** Waits, on the worker, until the test releases this run; scores it 1. */
  private static final class Scripted implements CodeTestFunction.Runner {
    private static final long serialVersionUID = 1L;

    @Override
    public RewardComponent run(Generation generation) {
      String id = generation.getGenerationId();
      STARTED.get(id).countDown();
      try {
        RELEASE.get(id).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return VerifierResults.component(
          CodeTests.NAME, CodeTests.VERSION, 1.0, RewardStatus.OK, "pass");
    }
  }
}
