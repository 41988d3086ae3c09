package io.lodestar.operators.reward.remote;

import java.io.Serializable;

/**
 * Settings of the OpenRLHF-protocol remote reward model: the call settings (prefix {@code
 * remote-reward}), the component name and how prompts are rendered.
 */
public record RemoteRewardSettings(
    CallSettings call, String componentName, PromptFormat promptFormat) implements Serializable {

  public static final String PREFIX = "remote-reward";
  public static final String DEFAULT_COMPONENT = "remote_rm";

  public RemoteRewardSettings {
    if (call == null) {
      throw new IllegalArgumentException(PREFIX + ".url is required");
    }
    if (componentName == null || !componentName.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          call.prefix()
              + ".component-name must be 1-64 letters, digits, '_', '.' or '-', got "
              + componentName);
    }
    if (promptFormat == null) {
      throw new IllegalArgumentException(call.prefix() + ".prompt-format must be plain or chatml");
    }
  }

  public RemoteRewardSettings(CallSettings call) {
    this(call, DEFAULT_COMPONENT, PromptFormat.PLAIN);
  }
}
