package io.lodestar.operators.verify;

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

/**
 * Reads the public test data kept in the repository's {@code testdata/} folder (sources and
 * licences in its README). A missing file fails the test: the data ships with every clone, so a
 * skip would only hide a broken checkout.
 */
public final class TestDataFiles {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TestDataFiles() {}

  /** The repository's test data folder, found from the module or the repository root. */
  public static Path root() {
    for (Path candidate : List.of(Path.of("..", "testdata"), Path.of("testdata"))) {
      if (Files.isRegularFile(candidate.resolve("README.md"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("testdata/ not found from " + Path.of("").toAbsolutePath());
  }

  /**
   * A file under {@code testdata/}, e.g. {@code generations/groups.jsonl}; fails when it is absent.
   */
  public static Path file(String relative) {
    Path path = root().resolve(relative);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("test data file missing: " + path.toAbsolutePath());
    }
    return path;
  }

  /** One JSON object per non-blank line; {@code .gz} files are decompressed. */
  public static List<JsonNode> jsonLines(String relative) {
    Path path = file(relative);
    try (InputStream raw = Files.newInputStream(path);
        InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
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
