package io.lodestar.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema version this build ships: the current one (compiled into the generated classes) and
 * each released version kept under {@code lodestar/schemas/history/<version>/}. Decoders resolve a
 * writer's fingerprint against this set, so data written by any released version reads.
 */
public final class ShippedSchemas {

  private static final String HISTORY = "lodestar/schemas/history/";

  private ShippedSchemas() {}

  /** Released versions, oldest first. */
  public static List<String> releasedVersions() {
    List<String> versions = new ArrayList<>();
    for (String line : readLines(HISTORY + "VERSIONS")) {
      versions.add(line);
    }
    return versions;
  }

  /** The named schemas of one released version, by full name, parsed in dependency order. */
  public static Map<String, Schema> released(String version) {
    return RELEASED.computeIfAbsent(version, ShippedSchemas::parseRelease);
  }

  // Parsing is slow and the files never change: each release is parsed once per JVM.
  private static final Map<String, Map<String, Schema>> RELEASED = new ConcurrentHashMap<>();

  private static Map<String, Schema> parseRelease(String version) {
    Schema.Parser parser = new Schema.Parser();
    Map<String, Schema> byName = new LinkedHashMap<>();
    for (String file : readLines(HISTORY + version + "/ORDER")) {
      Schema schema = parser.parse(read(HISTORY + version + "/" + file));
      byName.put(schema.getFullName(), schema);
    }
    return Collections.unmodifiableMap(byName);
  }

  /** A store that knows every released writer schema of {@code current}'s full name. */
  public static SchemaStore.Cache storeFor(Schema current) {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    cache.addSchema(current);
    for (String version : releasedVersions()) {
      Schema old = released(version).get(current.getFullName());
      if (old != null) {
        cache.addSchema(old);
      }
    }
    return cache;
  }

  private static List<String> readLines(String resource) {
    List<String> lines = new ArrayList<>();
    for (String line : read(resource).split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        lines.add(trimmed);
      }
    }
    return lines;
  }

  private static String read(String resource) {
    try (InputStream in = ShippedSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing from the build: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema resource " + resource, e);
    }
  }
}
