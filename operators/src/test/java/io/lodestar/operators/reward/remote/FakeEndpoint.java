package io.lodestar.operators.reward.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted HTTP server on 127.0.0.1 (port chosen by the system) that records what it receives.
 * Handlers run on daemon threads that {@link #close()} interrupts, so a slow reply never outlives
 * its test.
 */
final class FakeEndpoint implements AutoCloseable {

  record Reply(int status, String body, Map<String, String> headers, long delayMs) {
    static Reply json(String body) {
      return new Reply(200, body, Map.of(), 0);
    }

    static Reply status(int status) {
      return new Reply(status, "{\"error\":\"status " + status + "\"}", Map.of(), 0);
    }
  }

  record Received(String path, Map<String, List<String>> headers, String body, long atNanos) {
    /** The first value of a header, by case-insensitive name. */
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  @FunctionalInterface
  interface Script {
    Reply reply(Received request, int index);
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService threads;
  private final AtomicInteger count = new AtomicInteger();

  private FakeEndpoint(Script script) throws IOException {
    threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-endpoint");
              t.setDaemon(true);
              return t;
            });
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", exchange -> handle(exchange, script));
    server.start();
  }

  static FakeEndpoint start(Script script) throws IOException {
    return new FakeEndpoint(script);
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int requests() {
    return received.size();
  }

  /**
   * The JDK HTTP client's first use in a JVM loads its classes and TLS defaults, which can take
   * longer than the short timeouts the tests use; one unhurried request first keeps them exact.
   */
  static void warmUpHttpClient() throws Exception {
    try (FakeEndpoint warmUp = start((r, i) -> Reply.json("{}"))) {
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(warmUp.base()))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
    }
  }

  /** A loopback port with nothing listening (bound, then released). */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void handle(HttpExchange exchange, Script script) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Received request =
        new Received(
            exchange.getRequestURI().getPath(),
            Map.copyOf(exchange.getRequestHeaders()),
            body,
            System.nanoTime());
    received.add(request);
    Reply reply = script.reply(request, count.getAndIncrement());
    try {
      if (reply.delayMs() > 0) {
        Thread.sleep(reply.delayMs());
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (InterruptedException closing) {
      Thread.currentThread().interrupt();
    } catch (IOException clientGone) {
      // The caller timed out and hung up; nothing to answer.
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
