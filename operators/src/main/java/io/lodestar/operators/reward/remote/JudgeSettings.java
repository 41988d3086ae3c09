package io.lodestar.operators.reward.remote;

import java.io.Serializable;

/**
 * Settings of the OpenAI-compatible chat-completions judge: the call settings (prefix {@code
 * judge}; the url is the server's base, e.g. {@code https://api.example.com}), the component name,
 * what the guard gives master-key responses, the rubric, and an optional {@code max_tokens} (null:
 * not sent).
 */
public record JudgeSettings(
    CallSettings call,
    String componentName,
    GuardPolicy guardPolicy,
    String systemPrompt,
    String rubric,
    Integer maxTokens)
    implements Serializable {

  public static final String PREFIX = "judge";
  public static final String DEFAULT_COMPONENT = "judge";

  public JudgeSettings {
    if (call == null) {
      throw new IllegalArgumentException(PREFIX + ".url is required");
    }
    String p = call.prefix();
    if (call.model().isEmpty()) {
      throw new IllegalArgumentException(
          p + ".model is required (the judge model's name at the endpoint)");
    }
    if (componentName == null || !componentName.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          p
              + ".component-name must be 1-64 letters, digits, '_', '.' or '-', got "
              + componentName);
    }
    if (guardPolicy == null) {
      throw new IllegalArgumentException(p + ".guard must be zero or unscored");
    }
    if (systemPrompt == null) {
      throw new IllegalArgumentException(p + ".system-prompt must not be null (it may be empty)");
    }
    if (rubric == null || !rubric.contains("{response}")) {
      throw new IllegalArgumentException(p + ".rubric must contain the placeholder {response}");
    }
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException(p + ".max-tokens must be >= 1 when set, got " + maxTokens);
    }
  }

  /** The default rubric and guard (master keys score 0), no max_tokens. */
  public JudgeSettings(CallSettings call) {
    this(
        call,
        DEFAULT_COMPONENT,
        GuardPolicy.ZERO,
        JudgeRubric.DEFAULT_SYSTEM,
        JudgeRubric.DEFAULT_TEMPLATE,
        null);
  }
}
