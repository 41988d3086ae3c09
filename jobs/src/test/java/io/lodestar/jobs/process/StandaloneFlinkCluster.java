package io.lodestar.jobs.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A Flink session cluster as a deployment runs it, from this project's classpath: a JobManager JVM
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManager JVMs ({@code TaskManagerRunner})
 * with the memory flags Flink's start scripts compute ({@code BashJavaUtils
 * GET_TM_RESOURCE_PARAMS}), all bound to loopback, its {@code config.yaml} in a folder of its own
 * (the {@code FLINK_CONF_DIR} of clients). Every wait has a deadline; {@link #close()} kills
 * whatever still runs.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Path confDir;
  private final Path logDir;
  private final int restPort;
  private final int slots;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ChildJvm> processes = new ArrayList<>();
  private ChildJvm jobManager;
  private ChildJvm taskManager;

  /**
   * What BashJavaUtils computed for the memory settings every cluster here shares: computed once.
   */
  private static List<List<String>> taskManagerResources;

  private List<String> taskManagerJvmArgs;
  private List<String> taskManagerDynamicArgs;
  private int taskManagersStarted;

  private StandaloneFlinkCluster(String name, Path confDir, Path logDir, int restPort, int slots) {
    this.name = name;
    this.confDir = confDir;
    this.logDir = logDir;
    this.restPort = restPort;
    this.slots = slots;
  }

  /**
   * Writes the cluster's config.yaml under {@code work/name}, starts a JobManager and one
   * TaskManager, and waits for its slots.
   */
  public static StandaloneFlinkCluster start(String name, Path work, int slots) throws Exception {
    Path confDir = Files.createDirectories(work.resolve(name).resolve("conf"));
    int restPort = freePort();
    String loopback = "127.0.0.1";
    List<String> config =
        List.of(
            "jobmanager.rpc.address: " + loopback,
            "jobmanager.rpc.port: " + freePort(),
            "jobmanager.bind-host: " + loopback,
            "taskmanager.bind-host: " + loopback,
            "taskmanager.host: " + loopback,
            "rest.address: " + loopback,
            "rest.bind-address: " + loopback,
            "rest.port: " + restPort,
            "blob.server.port: " + freePort(),
            "web.submit.enable: false",
            "high-availability.type: NONE",
            "taskmanager.numberOfTaskSlots: " + slots,
            "taskmanager.memory.process.size: 1400m",
            "taskmanager.memory.managed.size: 128m",
            "jobmanager.memory.process.size: 1024m",
            // A TaskManager killed with SIGKILL refuses connections, so two failed heartbeat RPCs
            // (heartbeat.rpc-failure-threshold) mark it lost within seconds. The timeout only
            // covers a TaskManager that is alive but silent, which on a loaded machine can be a
            // long GC pause or CPU starvation: a short one would fail over a healthy job.
            "heartbeat.interval: 1000",
            "heartbeat.rpc-failure-threshold: 2",
            "heartbeat.timeout: 30000",
            "io.tmp.dirs: " + Files.createDirectories(work.resolve(name).resolve("tmp")));
    Files.write(confDir.resolve("config.yaml"), config, StandardCharsets.UTF_8);
    StandaloneFlinkCluster cluster =
        new StandaloneFlinkCluster(
            name, confDir, work.resolve(name).resolve("logs"), restPort, slots);
    try {
      cluster.computeTaskManagerResources();
      cluster.jobManager =
          cluster.launch(
              "jobmanager",
              List.of("-Xmx512m"),
              "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
              List.of("--configDir", confDir.toString()));
      cluster.startTaskManager();
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Runs {@code BashJavaUtils GET_TM_RESOURCE_PARAMS} as Flink's taskmanager.sh does, and keeps its
   * two result lines.
   */
  private void computeTaskManagerResources() throws Exception {
    synchronized (StandaloneFlinkCluster.class) {
      if (taskManagerResources == null) {
        taskManagerResources = runBashJavaUtils();
      }
    }
    // The first line: -Xmx, -Xms, -XX:MaxDirectMemorySize, -XX:MaxMetaspaceSize.
    taskManagerJvmArgs = taskManagerResources.get(0);
    // The second: "-D key=value" pairs for TaskManagerRunner's arguments.
    taskManagerDynamicArgs = taskManagerResources.get(1);
  }

  private List<List<String>> runBashJavaUtils() throws Exception {
    ChildJvm utils =
        launch(
            "bash-java-utils",
            List.of("-Xmx128m"),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            List.of("GET_TM_RESOURCE_PARAMS", "--configDir", confDir.toString()));
    OptionalInt exit = utils.awaitExit(60);
    if (exit.isEmpty() || exit.getAsInt() != 0) {
      throw new IllegalStateException(
          "BashJavaUtils did not finish cleanly (" + exit + "): " + utils.logTail(40));
    }
    List<String> results = new ArrayList<>();
    for (String line : Files.readAllLines(utils.log(), StandardCharsets.UTF_8)) {
      if (line.startsWith(RESULT_PREFIX)) {
        results.add(line.substring(RESULT_PREFIX.length()).trim());
      }
    }
    if (results.size() != 2) {
      throw new IllegalStateException(
          "expected JVM flags and dynamic settings from BashJavaUtils, got " + results);
    }
    return List.of(
        Arrays.asList(results.get(0).split("\\s+")), Arrays.asList(results.get(1).split("\\s+")));
  }

  /** Starts a new TaskManager JVM and waits until the cluster offers its slots. */
  public void startTaskManager() throws Exception {
    List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
    args.addAll(taskManagerDynamicArgs);
    taskManager =
        launch(
            "taskmanager-" + ++taskManagersStarted,
            taskManagerJvmArgs,
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            args);
    awaitCondition(
        "TaskManager " + taskManagersStarted + " to register its slots",
        120,
        () -> {
          JsonNode overview = tryGet("/overview");
          return overview != null
              && overview.path("taskmanagers").asInt() >= 1
              && overview.path("slots-total").asInt() >= slots;
        },
        () -> "overview " + tryGet("/overview"));
  }

  /** SIGKILL of the TaskManager started last. */
  public void killTaskManager() throws InterruptedException {
    taskManager.kill();
  }

  /** SIGKILL of every JVM of the cluster: the JobManager and the TaskManagers. */
  public void killAll() throws InterruptedException {
    for (ChildJvm p : processes) {
      if (p.isAlive()) {
        p.kill();
      }
    }
  }

  /** The folder of the cluster's config.yaml: the FLINK_CONF_DIR of its clients. */
  public Path confDir() {
    return confDir;
  }

  public Path logDir() {
    return logDir;
  }

  public URI rest() {
    return URI.create("http://127.0.0.1:" + restPort);
  }

  /** A JVM with the cluster's logs folder, e.g. a client, killed with the cluster. */
  public ChildJvm launch(String process, List<String> jvmArgs, String mainClass, List<String> args)
      throws IOException {
    return launch(process, jvmArgs, mainClass, args, Map.of());
  }

  public ChildJvm launch(
      String process,
      List<String> jvmArgs,
      String mainClass,
      List<String> args,
      Map<String, String> env)
      throws IOException {
    ChildJvm jvm = ChildJvm.start(name + "-" + process, logDir, jvmArgs, mainClass, args, env);
    processes.add(jvm);
    return jvm;
  }

  /** GET of the REST API; fails on an error status. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(rest().resolve(path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  /** GET of the REST API, or null while it does not answer. */
  public JsonNode tryGet(String path) {
    try {
      return get(path);
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public JsonNode post(String path, String body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(rest().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(
          request.method()
              + " "
              + request.uri()
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** The last lines of each of the cluster's JVMs, for a failure message. */
  public String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    processes.forEach(p -> out.append("\n--- ").append(p.logTail(lines)));
    return out.toString();
  }

  /**
   * Waits for {@code condition}; on the deadline fails naming what it waited for, {@code state} and
   * the logs.
   */
  public void awaitCondition(
      String what, long seconds, BooleanSupplier condition, Supplier<String> state)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    long nextReport = start + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      long now = System.nanoTime();
      if (now > deadline) {
        throw new AssertionError(
            "timed out after "
                + seconds
                + " s waiting for "
                + what
                + ": "
                + state.get()
                + logTails(30));
      }
      if (now > nextReport) {
        // The test output keeps where a slow wait stood: the first sign of a stall.
        System.out.println(
            name
                + ": still waiting for "
                + what
                + " after "
                + TimeUnit.NANOSECONDS.toSeconds(now - start)
                + " s: "
                + state.get());
        nextReport = now + TimeUnit.SECONDS.toNanos(15);
      }
      Thread.sleep(250);
    }
    System.out.println(
        name
            + ": waited "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms for "
            + what);
  }

  @Override
  public void close() throws InterruptedException {
    killAll();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
