package io.lodestar.operators.verify.math;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Locates and reads the shared public test data; tests using it are skipped where it is absent. */
final class SharedData {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SharedData() {}

  /** From the {@code lodestar.shared.dir} property surefire sets, else {@code ../../shared}. */
  static Path file(String relative) {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getProperty("lodestar.shared.dir");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured).resolve(relative));
    }
    candidates.add(Path.of("..", "..", "shared").resolve(relative));
    Path found = candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    assumeTrue(found != null, () -> "shared data not found, skipping; looked at " + candidates);
    return found;
  }

  static List<JsonNode> jsonLines(Path file) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.filter(line -> !line.isBlank()).map(SharedData::parse).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
