package io.lodestar.tools.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The Python trainer ({@code clients/python/examples/tabular_reinforce.py}) as a child process: its
 * JSON event lines are collected as they come, its other output goes to a log file.
 */
final class TrainerProcess implements AutoCloseable {

  static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<JsonNode> events = new ArrayList<>();
  private final Thread reader;

  private TrainerProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readEvents, "trainer-events-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code python3 -m examples.tabular_reinforce args} with the repository's client. */
  static TrainerProcess start(Path repository, List<String> args, Path log) throws IOException {
    List<String> command =
        new ArrayList<>(List.of(PYTHON, "-u", "-m", "examples.tabular_reinforce"));
    command.addAll(args);
    Path client = repository.resolve("clients").resolve("python");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(client.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("PYTHONPATH", client.toString());
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("LODESTAR_SCHEMAS", repository.toString());
    env.remove("LODESTAR_EXTRA_SCHEMAS");
    return new TrainerProcess(builder.start());
  }

  /** Which of the client's Python modules are missing; empty when the trainer can run. */
  static String missingPythonModules() {
    try {
      Process probe =
          new ProcessBuilder(
                  PYTHON,
                  "-c",
                  "import importlib.util as u; print(','.join(m for m in ('confluent_kafka', 'avro',"
                      + " 'numpy') if u.find_spec(m) is None))")
              .redirectErrorStream(true)
              .start();
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return probe.waitFor() == 0 ? out.strip() : "python3 (" + out.strip() + ")";
    } catch (IOException e) {
      return "python3 (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "python3 (interrupted)";
    }
  }

  private void readEvents() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        JsonNode event;
        try {
          event = JSON.readTree(line);
        } catch (IOException notJson) {
          continue;
        }
        synchronized (events) {
          events.add(event);
          events.notifyAll();
        }
      }
    } catch (IOException closed) {
      // the process ended
    }
  }

  /** Every event so far. */
  List<JsonNode> events() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  /** The first event matching {@code wanted}, waiting up to {@code atMost}; null if none came. */
  JsonNode await(Predicate<JsonNode> wanted, Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    synchronized (events) {
      while (true) {
        for (JsonNode event : events) {
          if (wanted.test(event)) {
            return event;
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          return null;
        }
        events.wait(Math.min(left, 500));
      }
    }
  }

  /** The first event named {@code name} so far, or null. */
  JsonNode first(String name) {
    synchronized (events) {
      for (JsonNode event : events) {
        if (name.equals(event.path("event").asText())) {
          return event;
        }
      }
      return null;
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: no handler runs, nothing is flushed or committed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** Waits for the process to end by itself; false if it was still running after {@code atMost}. */
  boolean awaitExit(Duration atMost) throws InterruptedException {
    boolean exited = process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    if (exited) {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    return exited;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
