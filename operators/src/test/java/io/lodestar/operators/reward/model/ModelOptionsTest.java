package io.lodestar.operators.reward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelOptionsTest {

  @Test
  void parsesDevices() {
    assertThat(DeviceSpec.parse("auto")).isEqualTo(DeviceSpec.AUTO);
    assertThat(DeviceSpec.parse(" CPU ")).isEqualTo(DeviceSpec.CPU);
    assertThat(DeviceSpec.parse("gpu")).isEqualTo(DeviceSpec.gpu(0));
    assertThat(DeviceSpec.parse("gpu:3")).isEqualTo(DeviceSpec.gpu(3));
    assertThat(DeviceSpec.parse("gpu:3").toString()).isEqualTo("gpu:3");
  }

  @Test
  void rejectsMalformedDevicesWithTheAcceptedForms() {
    for (String bad : new String[] {"", "tpu", "gpu:", "gpu:-1", "gpu:x", "cuda:0", "gpu:99999"}) {
      assertThatThrownBy(() -> DeviceSpec.parse(bad)).hasMessageContaining("auto, cpu or gpu:N");
    }
  }

  @Test
  void autoResolvesToTheCpuWithoutCuda() {
    if (!DeviceSpec.cudaAvailable()) {
      assertThat(DeviceSpec.AUTO.resolve().isGpu()).isFalse();
    }
  }

  @Test
  void parsesNormalisations() {
    assertThat(Normalisation.parse("none").apply(2.5)).isEqualTo(2.5);
    assertThat(Normalisation.parse("sigmoid").apply(0)).isEqualTo(0.5);
    assertThat(Normalisation.parse("affine:2,-1").apply(3)).isEqualTo(5);
    assertThatThrownBy(() -> Normalisation.parse("affine:2"))
        .hasMessageContaining("affine:<scale>,<shift>");
    assertThatThrownBy(() -> Normalisation.parse("tanh")).hasMessageContaining("none, sigmoid");
  }

  @Test
  void rendersChatTemplates() {
    var prompt = TestRecords.prompt();
    assertThat(ChatTemplate.parse("role-prefixed").first(prompt, "42"))
        .isEqualTo("system: Answer with a number.\nuser: What is 6 * 7?\nassistant: 42");
    ChatTemplate pair = ChatTemplate.parse("text-pair");
    assertThat(pair.paired()).isTrue();
    assertThat(pair.first(prompt, "42"))
        .isEqualTo("system: Answer with a number.\nuser: What is 6 * 7?\n");
    assertThat(pair.second("42")).isEqualTo("42");
    assertThat(ChatTemplate.parse("last-user-pair").first(prompt, "42"))
        .isEqualTo("What is 6 * 7?");
    ChatTemplate custom =
        ChatTemplate.parse("format:<|{role}|>{content}\\n||<|assistant|>{response}");
    assertThat(custom.first(prompt, "42"))
        .isEqualTo("<|system|>Answer with a number.\n<|user|>What is 6 * 7?\n<|assistant|>42");
    assertThatThrownBy(() -> ChatTemplate.parse("chatml"))
        .hasMessageContaining("role-prefixed, text-pair");
  }

  @Test
  void settingsNameTheOptionKeyOfEachBadValue() {
    assertThatThrownBy(() -> RewardModelSettings.defaults(""))
        .hasMessageStartingWith("reward-model.path is required");
    RewardModelSettings ok = RewardModelSettings.defaults("/models/rm");
    assertThatThrownBy(() -> ok.withBatch(0, Duration.ofMillis(5)))
        .hasMessageStartingWith("reward-model.batch-size");
    assertThatThrownBy(() -> ok.withBatch(8, Duration.ofMillis(-1)))
        .hasMessageStartingWith("reward-model.max-wait");
    assertThatThrownBy(() -> ok.withComponentName("Reward Model"))
        .hasMessageStartingWith("reward-model.component-name");
    assertThatThrownBy(
            () ->
                RewardModelSettings.parse(
                    "/m", "gpu:x", 8, Duration.ZERO, "role-prefixed", "none", "rm"))
        .hasMessageStartingWith("reward-model.device");
    assertThatThrownBy(
            () -> RewardModelSettings.parse("/m", "cpu", 8, Duration.ZERO, "nope", "none", "rm"))
        .hasMessageStartingWith("reward-model.template");
    assertThatThrownBy(
            () ->
                RewardModelSettings.parse("/m", "cpu", 8, Duration.ZERO, "text-pair", "exp", "rm"))
        .hasMessageStartingWith("reward-model.normalisation");
    assertThat(
            RewardModelSettings.parse(
                "/m", "gpu:1", 8, Duration.ZERO, "text-pair", "sigmoid", "rm"))
        .isEqualTo(
            new RewardModelSettings(
                "/m",
                DeviceSpec.gpu(1),
                8,
                Duration.ZERO,
                ChatTemplate.TEXT_PAIR,
                Normalisation.SIGMOID,
                "rm"));
    assertThatThrownBy(() -> EmbeddingSettings.bundledMiniLm().withBatch(0, Duration.ZERO))
        .hasMessageStartingWith("embedding-model.batch-size");
  }
}
