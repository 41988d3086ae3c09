package io.lodestar.operators.verify;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Locates and reads the public test data in the shared folder; tests skip when it is absent. */
public final class SharedTestData {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SharedTestData() {}

  public static Path file(String relative) {
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

  /** One JSON object per non-blank line; {@code .gz} files are decompressed. */
  public static List<JsonNode> jsonLines(String relative) {
    Path path = file(relative);
    try (InputStream raw = Files.newInputStream(path);
        InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<JsonNode> records = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          records.add(MAPPER.readTree(line));
        }
      }
      return records;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
