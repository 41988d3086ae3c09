package io.lodestar.operators.reward.model;

import java.io.Serializable;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Options of a learned reward model stage, validated once; messages name the option keys ({@code
 * reward-model.*}).
 *
 * @param path local folder with model.onnx, tokenizer.json and reward-model.json
 * @param device auto, cpu or gpu:N
 * @param batchSize most records per model call
 * @param maxWait longest a record waits for its batch to fill
 * @param template how prompt and response become model text
 * @param normalisation raw logit to reward
 * @param componentName the reward component's name
 */
public record RewardModelSettings(
    String path,
    DeviceSpec device,
    int batchSize,
    Duration maxWait,
    ChatTemplate template,
    Normalisation normalisation,
    String componentName)
    implements Serializable {

  public static final String PREFIX = "reward-model.";
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(50);
  public static final String DEFAULT_COMPONENT_NAME = "reward_model";

  public RewardModelSettings {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException(
          PREFIX + "path is required: a local folder with model.onnx and tokenizer.json");
    }
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
    if (template == null) {
      throw new IllegalArgumentException(PREFIX + "template is required");
    }
    if (normalisation == null) {
      throw new IllegalArgumentException(PREFIX + "normalisation is required");
    }
    if (componentName == null || !componentName.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          PREFIX
              + "component-name must be lower snake case (e.g. reward_model), got '"
              + componentName
              + "'");
    }
  }

  /** The defaults for everything but the folder. */
  public static RewardModelSettings defaults(String path) {
    return new RewardModelSettings(
        path,
        DeviceSpec.AUTO,
        DEFAULT_BATCH_SIZE,
        DEFAULT_MAX_WAIT,
        ChatTemplate.ROLE_PREFIXED,
        Normalisation.NONE,
        DEFAULT_COMPONENT_NAME);
  }

  /**
   * Settings from option strings, as they come from configuration; each bad value names its key.
   */
  public static RewardModelSettings parse(
      String path,
      String device,
      int batchSize,
      Duration maxWait,
      String template,
      String normalisation,
      String componentName) {
    return new RewardModelSettings(
        path,
        parsed(() -> DeviceSpec.parse(device), "device"),
        batchSize,
        maxWait,
        parsed(() -> ChatTemplate.parse(template), "template"),
        parsed(() -> Normalisation.parse(normalisation), "normalisation"),
        componentName);
  }

  public RewardModelSettings withDevice(DeviceSpec value) {
    return new RewardModelSettings(
        path, value, batchSize, maxWait, template, normalisation, componentName);
  }

  public RewardModelSettings withBatch(int size, Duration wait) {
    return new RewardModelSettings(
        path, device, size, wait, template, normalisation, componentName);
  }

  public RewardModelSettings withNormalisation(Normalisation value) {
    return new RewardModelSettings(
        path, device, batchSize, maxWait, template, value, componentName);
  }

  public RewardModelSettings withComponentName(String value) {
    return new RewardModelSettings(
        path, device, batchSize, maxWait, template, normalisation, value);
  }

  static <T> T parsed(Supplier<T> parse, String key) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PREFIX + key + ": " + e.getMessage(), e);
    }
  }
}
