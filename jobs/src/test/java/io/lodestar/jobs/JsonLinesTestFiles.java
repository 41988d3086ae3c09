package io.lodestar.jobs;

import io.lodestar.connectors.serde.PlainJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;

/** Reads back what a file sink finished: hidden in-progress and pending parts are left out. */
final class JsonLinesTestFiles {

  private JsonLinesTestFiles() {}

  /** The finished files in {@code folder}, sorted; none when it does not exist. */
  static List<Path> finished(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  /** The non-blank lines of {@code files}, in order. */
  static List<String> lines(List<Path> files) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  /** Every record of the finished files in {@code folder}, decoded from the plain JSON encoding. */
  static <T extends SpecificRecordBase> List<T> read(Path folder, Class<T> type)
      throws IOException {
    List<T> records = new ArrayList<>();
    for (String line : lines(finished(folder))) {
      records.add(PlainJson.fromJson(line, type));
    }
    return records;
  }
}
