package io.lodestar.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A live page on localhost with the health aggregates as charts and the alarm history, for the
 * local demo. The page polls {@code /api/health}; this class keeps the latest windows in memory
 * (bounded) and turns them into chart series described by {@link Chart}s.
 */
public final class HealthDashboard implements AutoCloseable {

  /** One chart: its series are fields of a health record, one line per field and data source. */
  public record Chart(String id, String title, List<Series> series, Double yMin, Double yMax) {}

  /** A line of a chart: the label and the JSON pointer of the value in a health record. */
  public record Series(String label, String field) {}

  /** Where a health record keeps its window end, data source and revision. */
  public record Layout(
      String windowEndField, String sourceField, String revisionField, String keyField) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_WINDOWS = 2_000;
  private static final int MAX_ALARMS = 200;

  private final HttpServer server;
  private final List<Chart> charts;
  private final Layout layout;
  private final String flinkUi;

  /** Latest revision of each window, by window key, oldest first. */
  private final Map<String, JsonNode> windows = new LinkedHashMap<>();

  private final Deque<ObjectNode> alarms = new ArrayDeque<>();

  private HealthDashboard(HttpServer server, List<Chart> charts, Layout layout, String flinkUi) {
    this.server = server;
    this.charts = List.copyOf(charts);
    this.layout = layout;
    this.flinkUi = flinkUi;
  }

  /** Starts the page on 127.0.0.1:{@code port} (0 picks a free port). */
  public static HealthDashboard start(int port, List<Chart> charts, Layout layout, String flinkUi)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    HealthDashboard dashboard = new HealthDashboard(server, charts, layout, flinkUi);
    server.createContext("/api/health", dashboard::serveHealth);
    server.createContext("/", dashboard::servePage);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "health-dashboard")));
    server.start();
    return dashboard;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /**
   * Adds a window's health record; a later revision of the same window replaces the earlier one.
   */
  public synchronized void addWindow(JsonNode record) {
    String key =
        record.at(layout.keyField()).asText() + "@" + record.at(layout.windowEndField()).asLong();
    JsonNode previous = windows.get(key);
    if (previous != null
        && previous.at(layout.revisionField()).asLong()
            > record.at(layout.revisionField()).asLong()) {
      return;
    }
    windows.remove(key);
    windows.put(key, record);
    while (windows.size() > MAX_WINDOWS) {
      windows.remove(windows.keySet().iterator().next());
    }
  }

  /** Adds an alarm event (fired or cleared) to the history shown under the charts. */
  public synchronized void addAlarm(
      long atMs, String state, String rule, String scope, String detail) {
    ObjectNode alarm = JSON.createObjectNode();
    alarm
        .put("atMs", atMs)
        .put("state", state)
        .put("rule", rule)
        .put("scope", scope)
        .put("detail", detail);
    alarms.addFirst(alarm);
    while (alarms.size() > MAX_ALARMS) {
      alarms.removeLast();
    }
  }

  synchronized ObjectNode snapshot() {
    ObjectNode out = JSON.createObjectNode();
    out.put("flinkUi", flinkUi);
    out.put("windows", windows.size());
    ArrayNode chartsOut = out.putArray("charts");
    for (Chart chart : charts) {
      ObjectNode c = chartsOut.addObject();
      c.put("id", chart.id()).put("title", chart.title());
      if (chart.yMin() != null) {
        c.put("yMin", chart.yMin());
      }
      if (chart.yMax() != null) {
        c.put("yMax", chart.yMax());
      }
      ArrayNode seriesOut = c.putArray("series");
      for (Series series : chart.series()) {
        Map<String, ArrayNode> bySource = new TreeMap<>();
        for (JsonNode w : windows.values()) {
          JsonNode value = w.at(series.field());
          if (value.isNumber()) {
            String source = w.at(layout.sourceField()).asText("all");
            bySource
                .computeIfAbsent(source, s -> JSON.createArrayNode())
                .addArray()
                .add(w.at(layout.windowEndField()).asLong())
                .add(value.asDouble());
          }
        }
        bySource.forEach(
            (source, points) -> {
              ObjectNode s = seriesOut.addObject();
              s.put("label", series.label() + " (" + source + ")");
              s.set("points", points);
            });
      }
    }
    out.set("alarms", JSON.valueToTree(alarms));
    return out;
  }

  private void serveHealth(HttpExchange exchange) throws IOException {
    respond(exchange, "application/json", JSON.writeValueAsBytes(snapshot()));
  }

  private void servePage(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/")) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    try (InputStream page =
        HealthDashboard.class.getResourceAsStream("/lodestar/dashboard/index.html")) {
      respond(exchange, "text/html; charset=utf-8", page.readAllBytes());
    }
  }

  private static void respond(HttpExchange exchange, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
