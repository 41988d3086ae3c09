package io.lodestar.jobs.config;

import io.lodestar.operators.reward.model.DeviceSpec;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** A sentence-embedding model: similarity to the reference answer, and diversity of a group. */
public final class EmbeddingOptions {

  private EmbeddingOptions() {}

  public static final ConfigOption<Boolean> EMBEDDING_SIMILARITY =
      ConfigOptions.key("embedding-model.similarity")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Add the cosine of each response with the task's reference answer as a component.");
  public static final ConfigOption<Boolean> EMBEDDING_DIVERSITY =
      ConfigOptions.key("embedding-model.diversity")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Set each RL group's diversity (mean pairwise cosine distance of its responses).");
  public static final ConfigOption<String> EMBEDDING_PATH =
      ConfigOptions.key("embedding-model.path")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Folder of an ONNX sentence-embedding model; empty: the bundled all-MiniLM-L6-v2.");
  public static final ConfigOption<String> EMBEDDING_DEVICE =
      ConfigOptions.key("embedding-model.device")
          .stringType()
          .defaultValue("auto")
          .withDescription("auto (a GPU when present), cpu, gpu or gpu:N.");
  public static final ConfigOption<Integer> EMBEDDING_BATCH_SIZE =
      ConfigOptions.key("embedding-model.batch-size")
          .intType()
          .defaultValue(32)
          .withDescription("Texts per model call.");
  public static final ConfigOption<Duration> EMBEDDING_MAX_WAIT =
      ConfigOptions.key("embedding-model.max-wait")
          .durationType()
          .defaultValue(Duration.ofMillis(50))
          .withDescription("Longest a record waits for its batch to fill (processing time).");
  public static final ConfigOption<String> EMBEDDING_COMPONENT =
      ConfigOptions.key("embedding-model.component-name")
          .stringType()
          .defaultValue(EmbeddingSettings.DEFAULT_COMPONENT_NAME)
          .withDescription("Name of the similarity component.");

  /** The embedding model's settings, or empty when neither similarity nor diversity is on. */
  static Optional<EmbeddingSettings> embeddings(Configuration config) {
    if (!config.get(EMBEDDING_SIMILARITY) && !config.get(EMBEDDING_DIVERSITY)) {
      return Optional.empty();
    }
    DeviceSpec device = OptionChecks.parse(config, EMBEDDING_DEVICE, DeviceSpec::parse);
    EmbeddingSettings settings =
        new EmbeddingSettings(
            config.get(EMBEDDING_PATH),
            device,
            config.get(EMBEDDING_BATCH_SIZE),
            config.get(EMBEDDING_MAX_WAIT),
            config.get(EMBEDDING_COMPONENT));
    if (!settings.path().isEmpty() && !Files.isDirectory(settings.folder())) {
      throw new IllegalArgumentException(
          EMBEDDING_PATH.key() + " is not a folder: " + settings.path());
    }
    return Optional.of(settings);
  }
}
