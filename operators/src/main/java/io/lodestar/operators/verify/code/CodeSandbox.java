package io.lodestar.operators.verify.code;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs untrusted, model-written Python in a bubblewrap sandbox, in a separate process: the code
 * never runs inside the JVM.
 *
 * <p><b>Isolation.</b> Every namespace is unshared (no network, own PIDs, IPC, hostname); the
 * system ({@code /usr}) is mounted read-only, the root and {@code /dev} are remounted read-only,
 * and the only writable place is a private, size-capped {@code /tmp}. The environment is empty
 * apart from {@code PATH}, {@code HOME} and a locale, so no secret in the JVM's environment reaches
 * the code. The code runs as uid/gid 65534 ("nobody"); when the JVM itself runs as root, privileges
 * are dropped with {@code setpriv} before bubblewrap starts, because a process that is root outside
 * its user namespace is exempt from the process limit. Resource limits ({@code prlimit}) cap CPU
 * seconds, address space, processes, file size, open files and core dumps, per process.
 *
 * <p><b>Two processes.</b> Inside the sandbox, a trusted runner ({@code sandbox_runner.py}) is PID
 * 1 and makes itself undumpable: the candidate cannot signal it away (PID 1 ignores SIGKILL and
 * SIGSTOP from inside its namespace), trace it, or read its memory, environment or file
 * descriptors. The runner reads its request from stdin (a per-run nonce, the tests, the task's
 * prompt) and drains it before any untrusted code exists; the tests are never written to a file the
 * candidate could read. It then starts the candidate in a child process with its own pipes, runs
 * the tests in its own interpreter and calls the candidate's entry point through a pipe, arguments
 * and results copied as plain data (None, bool, int, float, complex, str, bytes, and lists, tuples,
 * sets, frozensets and dicts of them): nothing the candidate does to its own interpreter (exiting,
 * hooks, patched builtins, objects that equal everything) reaches the tests.
 *
 * <p><b>Verdicts.</b> The runner's last line on stdout is {@code <nonce> <verdict> <reason>}; only
 * the runner and this JVM know the nonce, and only the runner holds that stdout. {@link
 * Verdict#PASS} needs that line saying PASS, written after {@code check} returned; exit status is
 * never evidence. A runner that started (its start line came) but wrote no verdict is {@link
 * Verdict#FAIL}; a runner that never started is {@link Verdict#SANDBOX_ERROR}, as are tests that do
 * not load; running out of wall-clock time, or of CPU time by the runner's account, is {@link
 * Verdict#TIMEOUT}. {@link #runPython} runs a whole program the same way; its PASS (the program ran
 * to its end) is the program's own account and is not used for rewards.
 *
 * <p><b>Ending.</b> Output beyond {@link Limits#maxOutputBytes} per stream is read and discarded
 * (so the writer never blocks). At the wall-clock deadline the process tree is killed; killing
 * bubblewrap ends its PID namespace, which takes every process inside with it, and {@code
 * --die-with-parent} does the same should the JVM die.
 *
 * <p>Thread-safe: every run has its own directory and process. Needs Linux 5.3 or later, {@code
 * bwrap}, {@code prlimit} and {@code python3}; see {@link #unavailableReason()}.
 */
public final class CodeSandbox implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The outcome of one run. */
  public enum Verdict {
    PASS,
    FAIL,
    TIMEOUT,
    SANDBOX_ERROR
  }

  /** What one run produced; stdout and stderr are capped and decoded leniently. */
  public record Result(
      Verdict verdict,
      String detail,
      int exitCode,
      String stdout,
      String stderr,
      Duration elapsed) {}

  /** Per-run limits. */
  public record Limits(
      Duration wallClock,
      int cpuSeconds,
      long addressSpaceBytes,
      int maxProcesses,
      long maxFileBytes,
      long tmpBytes,
      int maxOutputBytes)
      implements Serializable {

    public static Limits defaults() {
      return new Limits(Duration.ofSeconds(10), 10, 1L << 30, 32, 16L << 20, 64L << 20, 64 * 1024);
    }

    public Limits withWallClock(Duration wallClock) {
      return new Limits(
          wallClock,
          cpuSeconds,
          addressSpaceBytes,
          maxProcesses,
          maxFileBytes,
          tmpBytes,
          maxOutputBytes);
    }
  }

  public static final String DEFAULT_BWRAP = "/usr/bin/bwrap";
  public static final String DEFAULT_PYTHON = "/usr/bin/python3";

  private static final String PRLIMIT = "/usr/bin/prlimit";
  private static final String SETPRIV = "/usr/bin/setpriv";
  private static final String NOBODY = "65534";
  private static final String RUNNER_RESOURCE = "sandbox_runner.py";
  private static final String STARTED = "lodestar-sandbox-started ";
  private static final int MAX_DETAIL_CHARS = 200;
  private static final int TAIL_BYTES = 4096;
  private static final Duration KILL_GRACE = Duration.ofSeconds(2);

  /** Directory, files, process start and stdin beyond the wall clock; generous on a loaded host. */
  private static final Duration START_SLACK = Duration.ofSeconds(3);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Limits limits;
  private final String bwrap;
  private final String python;

  public CodeSandbox(Limits limits, String bwrap, String python) {
    if (limits == null || limits.wallClock().isNegative() || limits.wallClock().isZero()) {
      throw new IllegalArgumentException("a positive wall-clock limit is required");
    }
    this.limits = limits;
    this.bwrap = bwrap;
    this.python = python;
  }

  public CodeSandbox(Limits limits) {
    this(limits, DEFAULT_BWRAP, DEFAULT_PYTHON);
  }

  public CodeSandbox() {
    this(Limits.defaults());
  }

  public Limits limits() {
    return limits;
  }

  /**
   * The longest one run can take from the moment it starts: the wall clock, then the kill and the
   * reading of what is left, plus slack for starting. Counted from the start of the run, not from
   * when it was queued.
   */
  public Duration maxRunTime() {
    return limits.wallClock().plus(KILL_GRACE.multipliedBy(3)).plus(START_SLACK);
  }

  /** Why this machine cannot run the sandbox, or empty when it can (a tiny program passes). */
  public Optional<String> unavailableReason() {
    for (String tool : new String[] {bwrap, python, PRLIMIT}) {
      if (!Files.isExecutable(Path.of(tool))) {
        return Optional.of(tool + " not found; install bubblewrap, python3 and util-linux");
      }
    }
    Result probe = runPython("pass\n");
    return probe.verdict() == Verdict.PASS
        ? Optional.empty()
        : Optional.of("sandbox probe failed: " + probe.verdict() + " " + probe.detail());
  }

  /**
   * Runs a HumanEval-style task: the candidate program is the prompt followed by the completion;
   * the tests define {@code check(candidate)}, and PASS means {@code check(entryPoint)} returned.
   */
  public Result runHumanEval(String prompt, String completion, String test, String entryPoint) {
    return runTests(nullToEmpty(prompt) + nullToEmpty(completion), prompt, test, entryPoint);
  }

  /**
   * Runs the tests against a candidate program. The tests run in the trusted runner, with the
   * task's {@code prompt} defined first (for helpers they call; left out if it does not compile)
   * and {@code entryPoint} bound to the candidate's function in the other process. PASS only when
   * {@code check(entryPoint)} returned there.
   */
  public Result runTests(String program, String prompt, String test, String entryPoint) {
    if (entryPoint == null || !entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return new Result(Verdict.SANDBOX_ERROR, "invalid entry point", -1, "", "", Duration.ZERO);
    }
    ObjectNode request =
        JSON.createObjectNode()
            .put("mode", "tests")
            .put("prompt", nullToEmpty(prompt))
            .put("test", nullToEmpty(test))
            .put("entry", entryPoint);
    return run(program, request);
  }

  /**
   * Runs a whole Python program; PASS when it ran to its end without an uncaught exception. That is
   * the program's own account (it could claim it early): not for rewards, see {@link #runTests}.
   */
  public Result runPython(String program) {
    return run(program, JSON.createObjectNode().put("mode", "program"));
  }

  private Result run(String program, ObjectNode request) {
    long started = System.nanoTime();
    Path workDir = null;
    try {
      workDir =
          Files.createTempDirectory(
              "lodestar-sandbox-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      String nonce = randomHex();
      String start = randomHex();
      request.put("nonce", nonce).put("start", start);
      writeReadable(workDir.resolve("program.py"), nullToEmpty(program));
      writeReadable(workDir.resolve("runner.py"), runnerSource());
      return execute(
          command(workDir), JSON.writeValueAsBytes(request), nonce, STARTED + start, started);
    } catch (IOException | RuntimeException e) {
      return new Result(
          Verdict.SANDBOX_ERROR, abbreviate("could not run: " + e), -1, "", "", since(started));
    } finally {
      deleteQuietly(workDir);
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String runnerSource() throws IOException {
    try (InputStream in = CodeSandbox.class.getResourceAsStream(RUNNER_RESOURCE)) {
      if (in == null) {
        throw new IOException(RUNNER_RESOURCE + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private List<String> command(Path workDir) throws IOException {
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      if (!Files.isExecutable(Path.of(SETPRIV))) {
        throw new IOException("running as root needs " + SETPRIV + " to drop privileges");
      }
      command.addAll(
          List.of(SETPRIV, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    }
    command.addAll(
        List.of(
            bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--uid",
            NOBODY,
            "--gid",
            NOBODY,
            "--ro-bind",
            "/usr",
            "/usr"));
    // Merged-/usr systems link /bin, /lib... into /usr; older layouts keep real directories.
    for (String top : new String[] {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
      Path path = Path.of(top);
      if (Files.isSymbolicLink(path)) {
        command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
      } else if (Files.isDirectory(path)) {
        command.addAll(List.of("--ro-bind", top, top));
      }
    }
    command.addAll(
        List.of(
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--remount-ro",
            "/dev",
            "--size",
            Long.toString(limits.tmpBytes()),
            "--tmpfs",
            "/tmp",
            "--ro-bind",
            workDir.toString(),
            "/sandbox",
            "--remount-ro",
            "/",
            "--chdir",
            "/tmp",
            "--clearenv",
            "--setenv",
            "PATH",
            "/usr/bin:/bin",
            "--setenv",
            "HOME",
            "/tmp",
            "--setenv",
            "LANG",
            "C.UTF-8",
            "--",
            PRLIMIT,
            // soft:hard: SIGXCPU at the soft limit, SIGKILL a second later if it is caught.
            "--cpu=" + limits.cpuSeconds() + ":" + (limits.cpuSeconds() + 1),
            "--as=" + limits.addressSpaceBytes(),
            "--nproc=" + limits.maxProcesses(),
            "--fsize=" + limits.maxFileBytes(),
            "--nofile=64",
            "--core=0",
            "--",
            python,
            "-I",
            "-B",
            "-u",
            "/sandbox/runner.py"));
    return command;
  }

  private Result execute(
      List<String> command, byte[] request, String nonce, String startLine, long started)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    // bwrap --clearenv empties the sandbox's environment; this keeps it from bwrap itself too.
    builder.environment().clear();
    Process process = builder.start();
    CappedReader stdout =
        CappedReader.start(process.getInputStream(), limits.maxOutputBytes(), "stdout");
    CappedReader stderr =
        CappedReader.start(process.getErrorStream(), limits.maxOutputBytes(), "stderr");
    writeRequest(process, request);
    boolean finished;
    try {
      finished = process.waitFor(limits.wallClock().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(process);
      return new Result(Verdict.SANDBOX_ERROR, "interrupted", -1, "", "", since(started));
    }
    if (!finished) {
      killTree(process);
    }
    Captured out = stdout.await(KILL_GRACE);
    String err = stderr.await(KILL_GRACE).text();
    Duration elapsed = since(started);
    int exitCode = finished ? process.exitValue() : -1;
    return judge(out, err, exitCode, finished, nonce, startLine, elapsed);
  }

  /**
   * The runner drains stdin before anything else; a thread, so a runner that never reads cannot
   * block.
   */
  private static void writeRequest(Process process, byte[] request) {
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream in = process.getOutputStream()) {
                in.write(request);
              } catch (IOException ignored) {
                // The runner did not start or died; its missing start line or verdict says so.
              }
            },
            "sandbox-stdin");
    writer.setDaemon(true);
    writer.start();
  }

  private Result judge(
      Captured out,
      String err,
      int exitCode,
      boolean finished,
      String nonce,
      String startLine,
      Duration elapsed) {
    String head = out.headText();
    boolean runnerStarted = head.startsWith(startLine + "\n");
    String programOut = runnerStarted ? head.substring(startLine.length() + 1) : head;
    Optional<String[]> verdictLine = verdictLine(out, nonce);
    if (verdictLine.isPresent() && out.complete()) {
      // "\n<nonce> <verdict> <reason>\n" closes the runner's output; the program's is before it.
      String suffix = "\n" + String.join(" ", verdictLine.get()) + "\n";
      if (programOut.endsWith(suffix)) {
        programOut = programOut.substring(0, programOut.length() - suffix.length());
      }
    }
    if (out.dropped() > 0) {
      programOut += "\n[" + out.dropped() + " more bytes dropped]";
    }
    if (!finished) {
      return new Result(
          Verdict.TIMEOUT,
          "wall clock over " + limits.wallClock().toMillis() + " ms",
          exitCode,
          programOut,
          err,
          elapsed);
    }
    if (!runnerStarted) {
      return new Result(
          Verdict.SANDBOX_ERROR,
          abbreviate("sandbox did not start (exit " + exitCode + "): " + err.strip()),
          exitCode,
          programOut,
          err,
          elapsed);
    }
    if (verdictLine.isEmpty()) {
      return new Result(
          Verdict.FAIL,
          abbreviate("no verdict from the runner (exit " + exitCode + "): " + lastLine(err)),
          exitCode,
          programOut,
          err,
          elapsed);
    }
    String reason = abbreviate(verdictLine.get()[2]);
    Verdict verdict =
        switch (verdictLine.get()[1]) {
          case "PASS" -> Verdict.PASS;
          case "TIMEOUT" -> Verdict.TIMEOUT;
          case "ERROR" -> Verdict.SANDBOX_ERROR;
          default -> Verdict.FAIL;
        };
    return new Result(verdict, reason, exitCode, programOut, err, elapsed);
  }

  /** The last line of stdout as {nonce, verdict, reason}, when it carries this run's nonce. */
  private static Optional<String[]> verdictLine(Captured out, String nonce) {
    String end = new String(out.complete() ? out.head() : out.tail(), StandardCharsets.UTF_8);
    if (!end.endsWith("\n")) {
      return Optional.empty();
    }
    String last = end.substring(end.lastIndexOf('\n', end.length() - 2) + 1, end.length() - 1);
    String[] parts = last.split(" ", 3);
    if (parts.length < 2 || !parts[0].equals(nonce)) {
      return Optional.empty();
    }
    return Optional.of(new String[] {parts[0], parts[1], parts.length == 3 ? parts[2] : ""});
  }

  /**
   * Kills the descendants (a snapshot; the PID namespace takes the rest) and the process itself.
   */
  private static void killTree(Process process) {
    try (Stream<ProcessHandle> descendants = process.descendants()) {
      descendants.forEach(ProcessHandle::destroyForcibly);
    }
    process.destroyForcibly();
    try {
      process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isRoot() throws IOException {
    // /proc/self is owned by the process's effective uid.
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    return uid instanceof Integer value && value == 0;
  }

  private static void writeReadable(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | RuntimeException ignored) {
      // A leftover temp directory is harmless; the verdict matters more.
    }
  }

  private static String lastLine(String text) {
    String stripped = text.strip();
    int newline = stripped.lastIndexOf('\n');
    return newline < 0 ? stripped : stripped.substring(newline + 1);
  }

  private static String abbreviate(String text) {
    String oneLine = text.replace('\n', ' ');
    return oneLine.length() <= MAX_DETAIL_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** What a stream carried: its first bytes, its last bytes, and how many there were in all. */
  private record Captured(byte[] head, byte[] tail, long total) {
    boolean complete() {
      return total == head.length;
    }

    long dropped() {
      return total - head.length;
    }

    String headText() {
      return new String(head, StandardCharsets.UTF_8);
    }

    String text() {
      return dropped() > 0 ? headText() + "\n[" + dropped() + " more bytes dropped]" : headText();
    }
  }

  /** Drains a stream on its own thread, keeping the first bytes and the last ones. */
  private static final class CappedReader {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final byte[] ring = new byte[TAIL_BYTES];
    private final Thread thread;
    private final int cap;
    private long total;

    private CappedReader(InputStream in, int cap, String name) {
      this.cap = cap;
      this.thread = new Thread(() -> drain(in), "sandbox-" + name);
      this.thread.setDaemon(true);
    }

    static CappedReader start(InputStream in, int cap, String name) {
      CappedReader reader = new CappedReader(in, cap, name);
      reader.thread.start();
      return reader;
    }

    private void drain(InputStream in) {
      byte[] buffer = new byte[8192];
      try (in) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          synchronized (kept) {
            kept.write(buffer, 0, Math.max(0, Math.min(n, cap - kept.size())));
            for (int i = Math.max(0, n - TAIL_BYTES); i < n; i++) {
              ring[(int) ((total + i) % TAIL_BYTES)] = buffer[i];
            }
            total += n;
          }
        }
      } catch (IOException ignored) {
        // The stream closes when the process is killed; what was read so far is kept.
      }
    }

    Captured await(Duration timeout) {
      try {
        thread.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (kept) {
        int tailSize = (int) Math.min(total, TAIL_BYTES);
        byte[] tail = new byte[tailSize];
        for (int i = 0; i < tailSize; i++) {
          tail[i] = ring[(int) ((total - tailSize + i) % TAIL_BYTES)];
        }
        return new Captured(kept.toByteArray(), tail, total);
      }
    }
  }
}
