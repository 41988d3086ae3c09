package io.lodestar.tools.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Loads a page in Debian's headless Chromium: the DOM after its scripts ran, and a screenshot. */
final class HeadlessChromium {

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** The installed browser, if any ({@code .ci/run} installs Debian's {@code chromium}). */
  static Optional<HeadlessChromium> find() {
    for (String candidate :
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Optional.of(new HeadlessChromium(Path.of(candidate)));
      }
    }
    return Optional.empty();
  }

  /** The page's DOM once its scripts had {@code scriptMillis} of (virtual) time. */
  String dom(String url, int scriptMillis) throws IOException, InterruptedException {
    return run(List.of("--dump-dom", url), scriptMillis);
  }

  void screenshot(String url, int scriptMillis, Path png) throws IOException, InterruptedException {
    Files.createDirectories(png.getParent());
    run(
        List.of("--window-size=1280,900", "--screenshot=" + png.toAbsolutePath(), url),
        scriptMillis);
  }

  private String run(List<String> args, int scriptMillis) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--headless=new");
    command.add("--no-sandbox");
    command.add("--disable-gpu");
    command.add("--no-first-run");
    command.add("--user-data-dir=" + profile);
    command.add("--virtual-time-budget=" + scriptMillis);
    command.addAll(args);
    Path out = Files.createTempFile("chromium", ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("chromium did not finish within 90 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException("chromium exited with " + process.exitValue());
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
