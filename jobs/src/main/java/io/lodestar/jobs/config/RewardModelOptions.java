package io.lodestar.jobs.config;

import io.lodestar.operators.reward.model.RewardModelSettings;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** A local ONNX reward model that adds a reward component. */
public final class RewardModelOptions {

  private RewardModelOptions() {}

  public static final ConfigOption<String> REWARD_MODEL_PATH =
      ConfigOptions.key("reward-model.path")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Folder of a local ONNX reward model (model.onnx, tokenizer.json, reward-model.json); empty: off.");
  public static final ConfigOption<String> REWARD_MODEL_DEVICE =
      ConfigOptions.key("reward-model.device")
          .stringType()
          .defaultValue("auto")
          .withDescription("auto (a GPU when present), cpu, gpu or gpu:N.");
  public static final ConfigOption<Integer> REWARD_MODEL_BATCH_SIZE =
      ConfigOptions.key("reward-model.batch-size")
          .intType()
          .defaultValue(RewardModelSettings.DEFAULT_BATCH_SIZE)
          .withDescription("Records per model call.");
  public static final ConfigOption<Duration> REWARD_MODEL_MAX_WAIT =
      ConfigOptions.key("reward-model.max-wait")
          .durationType()
          .defaultValue(RewardModelSettings.DEFAULT_MAX_WAIT)
          .withDescription("Longest a record waits for its batch to fill (processing time).");
  public static final ConfigOption<String> REWARD_MODEL_TEMPLATE =
      ConfigOptions.key("reward-model.template")
          .stringType()
          .defaultValue("role-prefixed")
          .withDescription(
              "How (prompt, response) become model input: role-prefixed, text-pair, last-user-pair or format:...");
  public static final ConfigOption<String> REWARD_MODEL_NORMALISATION =
      ConfigOptions.key("reward-model.normalisation")
          .stringType()
          .defaultValue("none")
          .withDescription("none, sigmoid or affine:scale,bias applied to the model's logit.");
  public static final ConfigOption<String> REWARD_MODEL_COMPONENT =
      ConfigOptions.key("reward-model.component-name")
          .stringType()
          .defaultValue(RewardModelSettings.DEFAULT_COMPONENT_NAME)
          .withDescription("Name of the reward component the model adds.");

  /** The local reward model's settings, or empty when {@code reward-model.path} is not set. */
  static Optional<RewardModelSettings> rewardModel(Configuration config) {
    String path = config.get(REWARD_MODEL_PATH);
    if (path.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          RewardModelSettings.parse(
              path,
              config.get(REWARD_MODEL_DEVICE),
              config.get(REWARD_MODEL_BATCH_SIZE),
              config.get(REWARD_MODEL_MAX_WAIT),
              config.get(REWARD_MODEL_TEMPLATE),
              config.get(REWARD_MODEL_NORMALISATION),
              config.get(REWARD_MODEL_COMPONENT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reward-model.*: " + e.getMessage(), e);
    }
  }
}
