package io.lodestar.operators.verify.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.operators.verify.code.CodeSandbox.Limits;
import io.lodestar.operators.verify.code.CodeSandbox.Result;
import io.lodestar.operators.verify.code.CodeSandbox.Verdict;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs real HumanEval solutions and hostile programs in the sandbox. Needs {@code bwrap}, {@code
 * prlimit} and {@code python3} (CI: {@code apt-get install -y bubblewrap python3}); every test here
 * is skipped, with the reason, where they are missing or namespaces are not allowed.
 */
class CodeSandboxTest {

  /**
   * For programs expected to finish (PASS or FAIL): a deadline no loaded machine comes near, so a
   * slow start can never turn a verdict into TIMEOUT.
   */
  private static final CodeSandbox SANDBOX =
      new CodeSandbox(Limits.defaults().withWallClock(Duration.ofSeconds(60)));

  /**
   * For programs that never end (or outlast it by far): a short deadline keeps them quick, and
   * since they cannot finish, the verdict is TIMEOUT however loaded the machine is.
   */
  private static final CodeSandbox DEADLINE =
      new CodeSandbox(
          new Limits(
              Duration.ofSeconds(2),
              1,
              Limits.defaults().addressSpaceBytes(),
              Limits.defaults().maxProcesses(),
              Limits.defaults().maxFileBytes(),
              Limits.defaults().tmpBytes(),
              Limits.defaults().maxOutputBytes()));

  private static Optional<String> unavailableReason;

  @BeforeAll
  static void probeSandbox() {
    unavailableReason = SANDBOX.unavailableReason();
  }

  /** Per test rather than per class, so that each skip is reported with its reason. */
  @BeforeEach
  void requireSandbox() {
    assumeTrue(
        unavailableReason.isEmpty(),
        () -> "skipping sandbox test: " + unavailableReason.orElse(""));
  }

  @AfterEach
  void leavesNoProcessBehind() throws InterruptedException {
    // Waits for the reaping, which is quick unless the machine is loaded; only a leftover fails.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> leftovers = leftovers();
    while (!leftovers.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      leftovers = leftovers();
    }
    assertThat(leftovers).as("processes left behind").isEmpty();
  }

  private static List<String> leftovers() {
    List<String> found = new ArrayList<>();
    ProcessHandle.current()
        .descendants()
        .forEach(p -> found.add(p.pid() + " " + p.info().commandLine().orElse("?")));
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("/sandbox/runner.py"))
        .forEach(p -> found.add(p.pid() + " " + p.info().commandLine().orElse("?")));
    return found;
  }

  @Test
  void everyCanonicalHumanEvalSolutionPasses() throws Exception {
    List<JsonNode> tasks = TestDataFiles.jsonLines("humaneval/HumanEval.jsonl.gz");
    assertThat(tasks).hasSize(164);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    long started = System.nanoTime();
    try {
      List<Future<String>> failures = new ArrayList<>();
      for (JsonNode task : tasks) {
        failures.add(
            pool.submit(
                () -> {
                  Result result =
                      SANDBOX.runHumanEval(
                          task.get("prompt").asText(),
                          task.get("canonical_solution").asText(),
                          task.get("test").asText(),
                          task.get("entry_point").asText());
                  return result.verdict() == Verdict.PASS
                      ? null
                      : task.get("task_id").asText()
                          + ": "
                          + result.verdict()
                          + " "
                          + result.detail();
                }));
      }
      List<String> failed = new ArrayList<>();
      for (Future<String> failure : failures) {
        if (failure.get() != null) {
          failed.add(failure.get());
        }
      }
      // A figure for the record, not an assertion: sandboxed tests per second at this parallelism.
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "HumanEval canonical solutions in the sandbox, 2 threads: %d in %.1f s, %.0f tests/s%n",
          tasks.size(), seconds, tasks.size() / seconds);
      assertThat(failed).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void wrongSolutionFails() {
    Result result =
        SANDBOX.runHumanEval(
            "def add(a, b):\n",
            "    return a - b\n",
            "def check(candidate):\n    assert candidate(2, 3) == 5\n",
            "add");
    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.detail()).contains("AssertionError");
  }

  @Test
  void publishedHostileSamplesGetTheExpectedVerdicts() {
    JsonNode problem = TestDataFiles.jsonLines("humaneval/example_problem.jsonl").get(0);
    List<JsonNode> samples = TestDataFiles.jsonLines("humaneval/example_samples.jsonl");
    // rm -rf through subprocess returns None; sleep(10) outlives the short deadline whatever the
    // load; input() meets an empty stdin; the last three return 1 with different indentation.
    List<Verdict> expected =
        List.of(
            Verdict.FAIL, Verdict.TIMEOUT, Verdict.FAIL, Verdict.PASS, Verdict.PASS, Verdict.PASS);
    assertThat(samples).hasSize(expected.size());
    for (int i = 0; i < samples.size(); i++) {
      String completion = samples.get(i).get("completion").asText();
      CodeSandbox sandbox = expected.get(i) == Verdict.TIMEOUT ? DEADLINE : SANDBOX;
      Result result =
          sandbox.runHumanEval(
              problem.get("prompt").asText(),
              completion,
              problem.get("test").asText(),
              problem.get("entry_point").asText());
      assertThat(result.verdict())
          .as("sample %d: %s", i, result.detail())
          .isEqualTo(expected.get(i));
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang, not slowness: the deadline is 2 s
  void forkBombIsContained() {
    Result result =
        DEADLINE.runPython(
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");
    assertThat(result.verdict()).isIn(Verdict.TIMEOUT, Verdict.FAIL);
  }

  @Test
  void hugeAllocationFails() {
    Result result = SANDBOX.runPython("block = bytearray(8 * 1024 ** 3)\n");
    assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(result.detail()).contains("MemoryError");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang, not slowness: the deadline is 2 s
  void cpuBurnTimesOut() {
    Result result = DEADLINE.runPython("while True:\n    pass\n");
    assertThat(result.verdict()).isEqualTo(Verdict.TIMEOUT);
  }

  @Test
  void networkIsUnreachable() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(500);
      Result result =
          SANDBOX.runPython(
              "import socket\n"
                  + "socket.create_connection(('127.0.0.1', "
                  + server.getLocalPort()
                  + "), timeout=2)\n");
      assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
      assertThat(result.detail()).contains("ConnectionRefusedError");
      assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
      Result outside =
          SANDBOX.runPython(
              "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n");
      assertThat(outside.verdict()).isEqualTo(Verdict.FAIL);
    }
  }

  @Test
  void onlyTmpIsWritableAndTheHostIsUntouched() throws Exception {
    Path hostTarget = Files.createTempDirectory("lodestar-sandbox-target-").resolve("escaped.txt");
    try {
      Result result =
          SANDBOX.runPython(
              "import os\n"
                  + "open('/tmp/ok.txt', 'w').write('fine')\n"
                  + "denied = []\n"
                  + "for path in ['/escaped.txt', '/usr/escaped.txt', '/sandbox/escaped.txt', '/dev/escaped.txt', '"
                  + hostTarget
                  + "']:\n"
                  + "    try:\n"
                  + "        open(path, 'w').write('x')\n"
                  + "    except OSError:\n"
                  + "        denied.append(path)\n"
                  + "assert len(denied) == 5, denied\n");
      assertThat(result.verdict()).as(result.detail()).isEqualTo(Verdict.PASS);
      assertThat(hostTarget).doesNotExist();
    } finally {
      Files.deleteIfExists(hostTarget);
      Files.deleteIfExists(hostTarget.getParent());
    }
  }

  @Test
  void jvmEnvironmentDoesNotLeakIn() {
    // The surefire JVM's own environment stands in for secrets: none of its values may show up.
    Map<String, String> jvmEnvironment = System.getenv();
    Result result =
        SANDBOX.runPython(
            "import os\n"
                + "print(sorted(os.environ.items()))\n"
                + "for pid in ('self', '1'):\n"
                + "    try:\n"
                + "        print(open('/proc/%s/environ' % pid, 'rb').read())\n"
                + "    except OSError as e:\n"
                + "        print(e)\n");
    assertThat(result.verdict()).as(result.detail()).isEqualTo(Verdict.PASS);
    // Exactly what the sandbox sets (and bwrap's PWD), nothing inherited.
    assertThat(result.stdout())
        .startsWith(
            "[('HOME', '/tmp'), ('LANG', 'C.UTF-8'), ('PATH', '/usr/bin:/bin'), ('PWD', '/tmp')]\n");
    List<String> sandboxValues = List.of("/tmp", "C.UTF-8", "/usr/bin:/bin");
    jvmEnvironment.forEach(
        (name, value) -> {
          if (value.length() >= 6 && !sandboxValues.contains(value)) {
            assertThat(result.stdout()).as("value of %s", name).doesNotContain(value);
          }
        });
  }

  @Test
  void floodOfOutputIsCapped() {
    Result result = SANDBOX.runPython("import sys\nsys.stdout.write('x' * 100_000_000)\n");
    assertThat(result.verdict()).isEqualTo(Verdict.PASS);
    assertThat(result.stdout().length()).isLessThan(SANDBOX.limits().maxOutputBytes() + 100);
    assertThat(result.stdout()).contains("more bytes dropped");
  }

  @Test
  void killingItsParentDoesNotEscapeOrHurtTheJvm() {
    Result result =
        SANDBOX.runPython(
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('still here')\n");
    assertThat(result.verdict()).isIn(Verdict.PASS, Verdict.FAIL);
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang, not slowness: the deadline is 2 s
  void sleepingForeverTimesOut() {
    Result result = DEADLINE.runPython("import threading\nthreading.Event().wait()\n");
    assertThat(result.verdict()).isEqualTo(Verdict.TIMEOUT);
  }

  @Test
  void syntaxErrorsAndForgedSandboxErrorsAreTheCodesFailure() {
    assertThat(SANDBOX.runPython("def broken(:\n").verdict()).isEqualTo(Verdict.FAIL);
    Result forged =
        SANDBOX.runPython(
            "import sys\nsys.stderr.write('bwrap: setting up uid map: Permission denied\\n')\nsys.exit(1)\n");
    assertThat(forged.verdict()).isEqualTo(Verdict.FAIL);
  }
}
