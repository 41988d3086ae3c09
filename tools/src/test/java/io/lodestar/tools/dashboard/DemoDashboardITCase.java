package io.lodestar.tools.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.tools.demo.LocalDemo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local demo's live health page in a real headless browser, while the pipeline runs: it loads,
 * its charts have points from the running job's health windows, and a fired alarm is listed. The
 * screenshot is kept as {@code tools/target/dashboard/demo-dashboard.png}.
 */
class DemoDashboardITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern POINTS =
      Pattern.compile(
          "id=\"chart-([a-z-]+)\"[^>]*data-points=\"(\\d+)\"|data-points=\"(\\d+)\"[^>]*id=\"chart-([a-z-]+)\"");

  @TempDir Path output;

  @Test
  void theLivePageShowsChartsWithDataAndAFiredAlarmWhileThePipelineRuns() throws Exception {
    Optional<HeadlessChromium> chromium = HeadlessChromium.find();
    assumeThat(chromium).as("chromium (installed by .ci/run)").isPresent();
    AtomicReference<String> dom = new AtomicReference<>();
    Path screenshot = Path.of("target", "dashboard", "demo-dashboard.png");

    LocalDemo.run(
        new String[] {
          "--seconds",
          "8",
          "--prompts",
          "60",
          "--output",
          output.toString(),
          "--alarm-rules",
          "demo-traffic: generations >= 1 for 1 windows"
        },
        url -> {
          awaitWindowsAndAlarms(url);
          dom.set(chromium.get().dom(url, 5_000));
          chromium.get().screenshot(url, 5_000, screenshot);
        });

    String page = dom.get();
    assertThat(page)
        .contains(
            "Combined reward (mean)",
            "Zero-variance group fraction",
            "Length vs reward correlation");
    Matcher m = POINTS.matcher(page);
    int chartsWithData = 0;
    while (m.find()) {
      String points = m.group(2) != null ? m.group(2) : m.group(3);
      if (Integer.parseInt(points) > 0) {
        chartsWithData++;
      }
    }
    assertThat(chartsWithData).as("charts drawn with points").isGreaterThanOrEqualTo(3);
    assertThat(page).contains("demo-traffic").contains("FIRING");
    assertThat(page).contains("href=\"http://127.0.0.1:");
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }

  /** Waits (bounded) until the page's API has windows and an alarm from the running job. */
  private static void awaitWindowsAndAlarms(String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode health =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "api/health")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      if (health.path("windows").asInt() >= 2 && health.path("alarms").size() > 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no health windows and alarms reached the page within 60 s: " + health);
      }
      Thread.sleep(500);
    }
  }
}
