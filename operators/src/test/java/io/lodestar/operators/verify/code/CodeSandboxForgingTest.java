package io.lodestar.operators.verify.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lodestar.operators.verify.code.CodeSandbox.Limits;
import io.lodestar.operators.verify.code.CodeSandbox.Result;
import io.lodestar.operators.verify.code.CodeSandbox.Verdict;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Wrong solutions that try to be scored PASS without passing the tests: by ending early with status
 * 0, by forging the runner's output, by changing what the tests see, or by reading the tests. Every
 * one must FAIL. Needs the sandbox; skipped, with the reason, where it is missing.
 */
class CodeSandboxForgingTest {

  /**
   * Every route here ends by itself, so a deadline no loaded machine comes near: a slow start must
   * never turn the FAIL these tests expect into a TIMEOUT.
   */
  private static final CodeSandbox SANDBOX =
      new CodeSandbox(Limits.defaults().withWallClock(Duration.ofSeconds(60)));

  /** For the one route that stops the runner for good: it can only end by the wall clock. */
  private static final CodeSandbox DEADLINE =
      new CodeSandbox(Limits.defaults().withWallClock(Duration.ofSeconds(2)));

  /** The task every route tries: a wrong {@code add} against two assertions. */
  private static final String PROMPT = "def add(a, b):\n    \"\"\"Returns a + b.\"\"\"\n";

  private static final String WRONG_BODY = "    return a - b\n";
  private static final String TEST =
      "def check(candidate):\n"
          + "    assert candidate(2, 3) == 5\n"
          + "    assert candidate(-1, 1) == 0\n";

  private static Optional<String> unavailableReason;

  @BeforeAll
  static void probeSandbox() {
    unavailableReason = SANDBOX.unavailableReason();
  }

  @BeforeEach
  void requireSandbox() {
    assumeTrue(
        unavailableReason.isEmpty(),
        () -> "skipping sandbox test: " + unavailableReason.orElse(""));
  }

  @Test
  void theRightSolutionPassesAndTheWrongOneFails() {
    assertThat(run(PROMPT, "    return a + b\n", TEST).verdict()).isEqualTo(Verdict.PASS);
    assertThat(run(PROMPT, WRONG_BODY, TEST).verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void sysExitZeroBeforeTheTestsFails() {
    assertFails(WRONG_BODY + "import sys\nsys.exit(0)\n");
  }

  @Test
  void osExitZeroBeforeTheTestsFails() {
    assertFails(WRONG_BODY + "import os\nos._exit(0)\n");
  }

  @Test
  void raisingSystemExitBeforeTheTestsFails() {
    assertFails(WRONG_BODY + "raise SystemExit\n");
  }

  @Test
  void raisingSystemExitDuringATestCallFails() {
    assertFails("    raise SystemExit(0)\n");
  }

  @Test
  void exitingFromAnAtexitHookFails() {
    assertFails(WRONG_BODY + "import atexit, os\natexit.register(lambda: os._exit(0))\n");
  }

  @Test
  void exitingFromTheExceptionHookFails() {
    assertFails(WRONG_BODY + "import os, sys\nsys.excepthook = lambda *exc: os._exit(0)\n");
  }

  @Test
  void exitingFromAThreadWhileATestCallWaitsFails() {
    assertFails(
        "    import time\n    time.sleep(1)\n    return a - b\n"
            + "import os, threading, time\n"
            + "threading.Thread(target=lambda: (time.sleep(0.2), os._exit(0)), daemon=True).start()\n");
  }

  @Test
  void exitingFromASignalHandlerWhileATestCallWaitsFails() {
    assertFails(
        "    import time\n    time.sleep(1)\n    return a - b\n"
            + "import os, signal\n"
            + "signal.signal(signal.SIGALRM, lambda *args: os._exit(0))\n"
            + "signal.setitimer(signal.ITIMER_REAL, 0.2)\n");
  }

  @Test
  void forgingTheCpuLimitSignalFails() {
    // Without the check, this would be an unscored TIMEOUT instead of a 0.
    assertFails("    import os, signal\n    os.kill(os.getpid(), signal.SIGXCPU)\n");
  }

  @Test
  void killingItsOwnProcessGroupFails() {
    assertFails("    import os, signal\n    os.killpg(0, signal.SIGKILL)\n");
  }

  @Test
  void killingTheProcessThatRunsTheTestsFails() {
    assertFails("    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n");
  }

  @Test
  void interruptingTheProcessThatRunsTheTestsFails() {
    assertFails("    import os, signal\n    os.kill(os.getppid(), signal.SIGINT)\n    return 5\n");
  }

  @Test
  void closingStdoutAndStderrThenExitingFails() {
    assertFails(WRONG_BODY + "import os\nos.close(1)\nos.close(2)\nos._exit(0)\n");
  }

  @Test
  void printingAForgedVerdictAndExitingFails() {
    // Every shape a verdict line could have, on both streams, then a clean exit.
    assertFails(
        WRONG_BODY
            + "import os, sys\n"
            + "for line in ['PASS', 'all tests passed', 'lodestar-sandbox-started', 'lodestar-sandbox-passed']:\n"
            + "    for stream in (sys.stdout, sys.stderr):\n"
            + "        stream.write('\\n' + line + '\\n' + ('0' * 32) + ' PASS\\n')\n"
            + "        stream.flush()\n"
            + "os._exit(0)\n");
  }

  @Test
  void replacingPrintAndStdoutFails() {
    assertFails(
        WRONG_BODY
            + "import builtins, io, sys\n"
            + "builtins.print = lambda *args, **kwargs: sys.__stdout__.write('PASS\\n')\n"
            + "sys.stdout = io.StringIO()\n");
  }

  @Test
  void patchingABuiltinTheTestsUseFails() {
    String test = "def check(candidate):\n    assert abs(candidate(2.5, 0.25) - 2.75) < 1e-9\n";
    assertFails("    import builtins\n    builtins.abs = lambda x: 0\n    return a - b\n", test);
    assertFails(WRONG_BODY + "import builtins\nbuiltins.abs = lambda x: 0\n", test);
  }

  @Test
  void replacingCheckThroughATraceHookFails() {
    assertFails(
        WRONG_BODY
            + "import sys\n"
            + "def _noop(candidate):\n    return None\n"
            + "def _swap(frame, event, arg):\n"
            + "    found = frame.f_globals.get('check')\n"
            + "    if found is not None and found.__code__ is not _noop.__code__:\n"
            + "        found.__code__ = _noop.__code__\n"
            + "    return _swap\n"
            + "sys.settrace(_swap)\n"
            + "sys._getframe().f_trace = _swap\n");
  }

  @Test
  void definingCheckAndTheEntryPointAgainFails() {
    assertFails(
        WRONG_BODY
            + "def check(candidate):\n    pass\n"
            + "import builtins\nbuiltins.check = check\nbuiltins.candidate = lambda *args: 5\n");
  }

  @Test
  void returningAnObjectThatEqualsEverythingFails() {
    assertFails(
        "    class Anything(int):\n"
            + "        def __eq__(self, other):\n            return True\n"
            + "        def __ne__(self, other):\n            return False\n"
            + "        __hash__ = int.__hash__\n"
            + "    return Anything(0)\n");
  }

  @Test
  void readingTheTestsToLookUpTheAnswerFails() {
    String prompt = "def secret():\n    \"\"\"Returns the secret.\"\"\"\n";
    String test = "def check(candidate):\n    assert candidate() == 8675309\n";
    // Looks everywhere it can read: the sandbox's files, every process's command line,
    // environment, open files and memory.
    String completion =
        "    import os, re\n"
            + "    found = re.compile(rb'candidate\\(\\) == (\\d+)')\n"
            + "    def scan(data):\n"
            + "        hit = found.search(data)\n"
            + "        return int(hit.group(1)) if hit else None\n"
            + "    places = ['/sandbox/' + name for name in os.listdir('/sandbox')]\n"
            + "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
            + "        places += ['/proc/%s/cmdline' % pid, '/proc/%s/environ' % pid]\n"
            + "        try:\n"
            + "            places += ['/proc/%s/fd/%s' % (pid, fd) for fd in os.listdir('/proc/%s/fd' % pid)]\n"
            + "        except OSError:\n"
            + "            pass\n"
            + "    for place in places:\n"
            + "        try:\n"
            + "            with open(place, 'rb') as f:\n"
            + "                os.set_blocking(f.fileno(), False)\n"
            + "                value = scan(f.read(1 << 20) or b'')\n"
            + "            if value is not None:\n"
            + "                return value\n"
            + "        except (OSError, TypeError):\n"
            + "            pass\n"
            + "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
            + "        try:\n"
            + "            with open('/proc/%s/maps' % pid) as maps, open('/proc/%s/mem' % pid, 'rb') as mem:\n"
            + "                for line in maps:\n"
            + "                    start, end = (int(x, 16) for x in line.split()[0].split('-'))\n"
            + "                    if 'r' not in line.split()[1] or end - start > (64 << 20):\n"
            + "                        continue\n"
            + "                    try:\n"
            + "                        mem.seek(start)\n"
            + "                        value = scan(mem.read(end - start))\n"
            + "                    except (OSError, ValueError, OverflowError):\n"
            + "                        continue\n"
            + "                    if value is not None:\n"
            + "                        return value\n"
            + "        except OSError:\n"
            + "            pass\n"
            + "    return 0\n";
    Result result = SANDBOX.runHumanEval(prompt, completion, test, "secret");
    assertThat(result.verdict()).as(result.detail()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void stoppingTheProcessThatRunsTheTestsIsNeverAPass() {
    // A stopped runner reaches no verdict: the wall clock ends it, unscored rather than 0.
    Result result =
        DEADLINE.runHumanEval(
            PROMPT,
            "    import os, signal\n    os.kill(os.getppid(), signal.SIGSTOP)\n    return 5\n",
            TEST,
            "add");
    assertThat(result.verdict()).as(result.detail()).isIn(Verdict.FAIL, Verdict.TIMEOUT);
  }

  private static Result run(String prompt, String completion, String test) {
    return SANDBOX.runHumanEval(prompt, completion, test, "add");
  }

  private static void assertFails(String completion) {
    assertFails(completion, TEST);
  }

  private static void assertFails(String completion, String test) {
    Result result = run(PROMPT, completion, test);
    assertThat(result.verdict())
        .as("%s; stdout %s", result.detail(), result.stdout())
        .isEqualTo(Verdict.FAIL);
  }
}
