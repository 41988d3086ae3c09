package io.lodestar.operators.verify.code;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs untrusted, model-written Python in a bubblewrap sandbox, in a separate process: the code
 * never runs inside the JVM.
 *
 * <p><b>Isolation.</b> Every namespace is unshared (no network, own PIDs, IPC, hostname); the
 * system ({@code /usr}) is mounted read-only, the root and {@code /dev} are remounted read-only, and
 * the only writable place is a private, size-capped {@code /tmp}. The environment is empty apart
 * from {@code PATH}, {@code HOME} and a locale, so no secret in the JVM's environment reaches the
 * code. The code runs as uid/gid 65534 ("nobody"); when the JVM itself runs as root, privileges are
 * dropped with {@code setpriv} before bubblewrap starts, because a process that is root outside its
 * user namespace is exempt from the process limit. Resource limits ({@code prlimit}) cap CPU
 * seconds, address space, processes, file size, open files and core dumps. Stdin is empty.
 *
 * <p><b>Ending.</b> Output beyond {@link Limits#maxOutputBytes} per stream is read and discarded
 * (so the writer never blocks). At the wall-clock deadline the process tree is killed; killing
 * bubblewrap ends its PID namespace, which takes every process inside with it, and
 * {@code --die-with-parent} does the same should the JVM die.
 *
 * <p><b>Verdicts.</b> The program is launched through a small harness that prints a start marker
 * before compiling the untrusted code; without the marker, the sandbox (not the code) failed and the
 * verdict is {@link Verdict#SANDBOX_ERROR}, which the code cannot forge. Exit status 0 is
 * {@link Verdict#PASS}; running out of wall-clock or CPU time is {@link Verdict#TIMEOUT}; anything
 * else is {@link Verdict#FAIL}.
 *
 * <p>Thread-safe: every run has its own directory and process. Needs Linux, {@code bwrap},
 * {@code prlimit} and {@code python3}; see {@link #unavailableReason()}.
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
  public record Result(Verdict verdict, String detail, int exitCode, String stdout, String stderr, Duration elapsed) {}

  /** Per-run limits. */
  public record Limits(
      Duration wallClock,
      int cpuSeconds,
      long addressSpaceBytes,
      int maxProcesses,
      long maxFileBytes,
      long tmpBytes,
      int maxOutputBytes) implements Serializable {

    public static Limits defaults() {
      return new Limits(Duration.ofSeconds(10), 10, 1L << 30, 32, 16L << 20, 64L << 20, 64 * 1024);
    }

    public Limits withWallClock(Duration wallClock) {
      return new Limits(wallClock, cpuSeconds, addressSpaceBytes, maxProcesses, maxFileBytes, tmpBytes, maxOutputBytes);
    }
  }

  public static final String DEFAULT_BWRAP = "/usr/bin/bwrap";
  public static final String DEFAULT_PYTHON = "/usr/bin/python3";

  private static final String PRLIMIT = "/usr/bin/prlimit";
  private static final String SETPRIV = "/usr/bin/setpriv";
  private static final String NOBODY = "65534";
  private static final int EXIT_BY_SIGNAL = 128;
  private static final int SIGKILL = 9;
  private static final int SIGXCPU = 24;
  private static final int MAX_DETAIL_CHARS = 200;
  private static final Duration KILL_GRACE = Duration.ofSeconds(2);

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
   * Runs a HumanEval-style task: the prompt, the completion, the test code and
   * {@code check(entryPoint)}; PASS when every assertion holds.
   */
  public Result runHumanEval(String prompt, String completion, String test, String entryPoint) {
    if (entryPoint == null || !entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return new Result(Verdict.SANDBOX_ERROR, "invalid entry point", -1, "", "", Duration.ZERO);
    }
    String program = nullToEmpty(prompt) + nullToEmpty(completion) + "\n\n" + nullToEmpty(test)
        + "\n\ncheck(" + entryPoint + ")\n";
    return runPython(program);
  }

  /** Runs a Python program; PASS when it exits with status 0. */
  public Result runPython(String program) {
    long started = System.nanoTime();
    Path workDir = null;
    try {
      workDir = Files.createTempDirectory("lodestar-sandbox-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      String marker = "lodestar-sandbox-started-" + UUID.randomUUID();
      writeReadable(workDir.resolve("program.py"), nullToEmpty(program));
      writeReadable(workDir.resolve("harness.py"), harness(marker));
      return execute(command(workDir), marker, started);
    } catch (IOException | RuntimeException e) {
      return new Result(Verdict.SANDBOX_ERROR, abbreviate("could not run: " + e), -1, "", "", since(started));
    } finally {
      deleteQuietly(workDir);
    }
  }

  /**
   * Prints the start marker, then runs the untrusted code as {@code __main__}. Compiling inside
   * the harness means a syntax error is the code's failure, reported after the marker.
   */
  private static String harness(String marker) {
    return "import sys\n"
        + "sys.stdout.write('" + marker + "\\n')\n"
        + "sys.stdout.flush()\n"
        + "with open('/sandbox/program.py', encoding='utf-8') as source:\n"
        + "    code = compile(source.read(), 'program.py', 'exec')\n"
        + "del source\n"
        + "exec(code, {'__name__': '__main__', '__builtins__': __builtins__})\n";
  }

  private List<String> command(Path workDir) throws IOException {
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      if (!Files.isExecutable(Path.of(SETPRIV))) {
        throw new IOException("running as root needs " + SETPRIV + " to drop privileges");
      }
      command.addAll(List.of(SETPRIV, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    }
    command.addAll(List.of(bwrap,
        "--unshare-all", "--die-with-parent", "--new-session",
        "--uid", NOBODY, "--gid", NOBODY,
        "--ro-bind", "/usr", "/usr"));
    // Merged-/usr systems link /bin, /lib... into /usr; older layouts keep real directories.
    for (String top : new String[] {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
      Path path = Path.of(top);
      if (Files.isSymbolicLink(path)) {
        command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
      } else if (Files.isDirectory(path)) {
        command.addAll(List.of("--ro-bind", top, top));
      }
    }
    command.addAll(List.of(
        "--proc", "/proc",
        "--dev", "/dev", "--remount-ro", "/dev",
        "--size", Long.toString(limits.tmpBytes()), "--tmpfs", "/tmp",
        "--ro-bind", workDir.toString(), "/sandbox",
        "--remount-ro", "/",
        "--chdir", "/tmp",
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
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
        python, "-I", "-B", "-u", "/sandbox/harness.py"));
    return command;
  }

  private Result execute(List<String> command, String marker, long started) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    // bwrap --clearenv empties the sandbox's environment; this keeps it from bwrap itself too.
    builder.environment().clear();
    Process process = builder.start();
    CappedReader stdout = CappedReader.start(process.getInputStream(), limits.maxOutputBytes(), "stdout");
    CappedReader stderr = CappedReader.start(process.getErrorStream(), limits.maxOutputBytes(), "stderr");
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
    String out = stdout.await(KILL_GRACE);
    String err = stderr.await(KILL_GRACE);
    Duration elapsed = since(started);
    int exitCode = finished ? process.exitValue() : -1;
    boolean harnessStarted = out.startsWith(marker + "\n");
    String programOut = harnessStarted ? out.substring(marker.length() + 1) : out;
    if (!finished) {
      return new Result(Verdict.TIMEOUT, "wall clock over " + limits.wallClock().toMillis() + " ms", exitCode, programOut, err, elapsed);
    }
    if (!harnessStarted) {
      return new Result(Verdict.SANDBOX_ERROR, abbreviate("sandbox did not start (exit " + exitCode + "): " + err.strip()), exitCode, programOut, err, elapsed);
    }
    if (exitCode == 0) {
      return new Result(Verdict.PASS, "exit 0", exitCode, programOut, err, elapsed);
    }
    if (exitCode == EXIT_BY_SIGNAL + SIGXCPU || (exitCode == EXIT_BY_SIGNAL + SIGKILL && cpuLimitLikely(elapsed))) {
      return new Result(Verdict.TIMEOUT, "CPU limit of " + limits.cpuSeconds() + " s", exitCode, programOut, err, elapsed);
    }
    return new Result(Verdict.FAIL, abbreviate("exit " + exitCode + ": " + lastLine(err)), exitCode, programOut, err, elapsed);
  }

  /** A SIGKILL that comes after at least the CPU budget in wall time is the hard CPU limit. */
  private boolean cpuLimitLikely(Duration elapsed) {
    return elapsed.toMillis() >= limits.cpuSeconds() * 1000L;
  }

  /** Kills the descendants (a snapshot; the PID namespace takes the rest) and the process itself. */
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
    return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Drains a stream on its own thread, keeping the first bytes and counting the rest. */
  private static final class CappedReader {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;
    private final int cap;
    private volatile long dropped;

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
            int keep = Math.max(0, Math.min(n, cap - kept.size()));
            kept.write(buffer, 0, keep);
            dropped += n - keep;
          }
        }
      } catch (IOException ignored) {
        // The stream closes when the process is killed; what was read so far is kept.
      }
    }

    String await(Duration timeout) {
      try {
        thread.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (kept) {
        String text = kept.toString(StandardCharsets.UTF_8);
        return dropped > 0 ? text + "\n[" + dropped + " more bytes dropped]" : text;
      }
    }
  }
}
