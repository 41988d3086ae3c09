package io.lodestar.jobs.process;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from this test JVM's classpath, its output in a log file. It runs {@link #main},
 * which ends the JVM when its standard input closes, so it never outlives the test JVM, even one
 * that was killed. {@link #kill()} sends SIGKILL (what {@link Process#destroyForcibly()} does on
 * Linux): no shutdown hook, no clean-up, as when a machine or container dies.
 */
public final class ChildJvm {

  private static final String AVRO_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";
  private static final String AVRO_CODERS = "org.apache.avro.specific.use_custom_coders";

  /**
   * What Flink's start scripts give every JVM on Java 17 (its env.java.opts.all): reflection into
   * the JDK.
   */
  private static final List<String> FLINK_JVM_OPENS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM.
   *
   * @param jvmArgs heap and other JVM flags
   * @param environment added to this JVM's environment
   */
  public static ChildJvm start(
      String name,
      Path logDir,
      List<String> jvmArgs,
      String mainClass,
      List<String> args,
      Map<String, String> environment)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(FLINK_JVM_OPENS);
    command.add("-D" + AVRO_PACKAGES + "=" + System.getProperty(AVRO_PACKAGES, "io.lodestar"));
    command.add("-D" + AVRO_CODERS + "=" + System.getProperty(AVRO_CODERS, "true"));
    command.add("-XX:+UseSerialGC");
    command.add(ChildJvm.class.getName());
    command.add(mainClass);
    command.addAll(args);
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // The classpath in the environment rather than on a command line that may be too long.
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    builder.environment().putAll(environment);
    return new ChildJvm(name, builder.start(), log);
  }

  public String name() {
    return name;
  }

  /** The file with the JVM's standard output and error. */
  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the JVM to end by itself; its exit code, or empty when it still runs at the deadline.
   */
  public OptionalInt awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS)
        ? OptionalInt.of(process.exitValue())
        : OptionalInt.empty();
  }

  /** SIGKILL, then waits (bounded) until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          name + " (pid " + process.pid() + ") still runs 30 s after SIGKILL");
    }
  }

  /** The last {@code lines} lines of the JVM's output, for a failure message. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return name
          + " ("
          + log
          + "):\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return name + ": log unreadable (" + e + ")";
    }
  }

  /** Runs {@code args[0]}'s main with the other arguments, and halts when standard input closes. */
  public static void main(String[] args) throws Throwable {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // The parent never writes; anything it did is ignored.
                }
              } catch (IOException e) {
                // Treated as the parent gone, as is the end of input.
              }
              Runtime.getRuntime().halt(143);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
