package io.lodestar.operators.reward.model;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options of the embedding stages (similarity to the reference answer, group diversity); messages
 * name the option keys ({@code embedding-model.*}).
 *
 * @param path local model folder; empty means the bundled all-MiniLM-L6-v2 (quantised)
 * @param device auto, cpu or gpu:N
 * @param batchSize most texts per model call
 * @param maxWait longest a record waits for its batch to fill
 * @param componentName the similarity component's name
 */
public record EmbeddingSettings(
    String path, DeviceSpec device, int batchSize, Duration maxWait, String componentName)
    implements Serializable {

  public static final String PREFIX = "embedding-model.";
  public static final String DEFAULT_COMPONENT_NAME = "embedding_similarity";

  public EmbeddingSettings {
    path = path == null ? "" : path.trim();
    if (device == null) {
      throw new IllegalArgumentException(PREFIX + "device must be auto, cpu or gpu:N");
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException(
          PREFIX + "batch-size must be between 1 and 4096, got " + batchSize);
    }
    if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(
          PREFIX + "max-wait must be between 0 ms and 1 min, got " + maxWait);
    }
    if (componentName == null || !componentName.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          PREFIX
              + "component-name must be lower snake case (e.g. embedding_similarity), got '"
              + componentName
              + "'");
    }
  }

  /** The bundled MiniLM on the default device, batches of 32 or 50 ms. */
  public static EmbeddingSettings bundledMiniLm() {
    return new EmbeddingSettings(
        "", DeviceSpec.AUTO, 32, Duration.ofMillis(50), DEFAULT_COMPONENT_NAME);
  }

  public EmbeddingSettings withDevice(DeviceSpec value) {
    return new EmbeddingSettings(path, value, batchSize, maxWait, componentName);
  }

  public EmbeddingSettings withBatch(int size, Duration wait) {
    return new EmbeddingSettings(path, device, size, wait, componentName);
  }

  /** The folder to load: the configured one, or the bundled MiniLM copied out once per process. */
  public Path folder() {
    return path.isEmpty() ? ClasspathModels.sharedMiniLm() : Path.of(path);
  }
}
