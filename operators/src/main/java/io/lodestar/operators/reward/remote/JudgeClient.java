package io.lodestar.operators.reward.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An LLM judge behind an OpenAI-compatible {@code POST {base}/v1/chat/completions}: the rubric with
 * the prompt, reference and response filled in, temperature 0, and the strict {@code SCORE: n}
 * reply read by {@link JudgeVerdicts}, normalised to [0, 1]. Responses without an answer (master
 * keys) are settled by {@link JudgeGuard} without a call. The request id travels in headers only:
 * OpenAI-style servers reject unknown body fields.
 */
public final class JudgeClient implements RewardClient {

  private static final long serialVersionUID = 1L;

  private final JudgeSettings settings;
  private final URI endpoint;
  private final String version;

  public JudgeClient(JudgeSettings settings) {
    this.settings = settings;
    this.endpoint = chatCompletions(settings.call().url());
    this.version =
        "judge:"
            + settings.call().model()
            + "/rubric-"
            + shortHash(settings.systemPrompt() + '\u0000' + settings.rubric());
  }

  /**
   * {@code base} + {@code /v1/chat/completions}, without doubling a {@code /v1} the base already
   * ends in.
   */
  static URI chatCompletions(URI base) {
    String s = base.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("/chat/completions")) {
      return URI.create(s);
    }
    return URI.create(s.endsWith("/v1") ? s + "/chat/completions" : s + "/v1/chat/completions");
  }

  @Override
  public String name() {
    return settings.componentName();
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public RewardSource source() {
    return RewardSource.JUDGE;
  }

  @Override
  public CallSettings call() {
    return settings.call();
  }

  @Override
  public Optional<RewardComponent> screen(Generation g) {
    if (!JudgeGuard.isMasterKey(g.getResponse(), g.getTask())) {
      return Optional.empty();
    }
    return Optional.of(
        settings.guardPolicy() == GuardPolicy.ZERO
            ? component(0.0, RewardStatus.OK, "judge-guard")
            : component(null, RewardStatus.UNSCORABLE, "judge-guard"));
  }

  @Override
  public RemoteRequest request(Generation g, String requestId) {
    String reference =
        g.getTask().getGroundTruth() == null ? "(none)" : g.getTask().getGroundTruth();
    String withoutResponse =
        JudgeRubric.fill(
            settings.rubric(),
            Map.of("prompt", transcript(g), "reference", reference, "response", ""));
    String user =
        JudgeRubric.fill(
            settings.rubric(),
            Map.of("prompt", transcript(g), "reference", reference, "response", g.getResponse()));
    ObjectNode body = OpenRlhfRewardClient.JSON.createObjectNode();
    body.put("model", settings.call().model());
    ArrayNode messages = body.putArray("messages");
    if (!settings.systemPrompt().isEmpty()) {
      messages.addObject().put("role", "system").put("content", settings.systemPrompt());
    }
    messages.addObject().put("role", "user").put("content", user);
    body.put("temperature", 0);
    if (settings.maxTokens() != null) {
      body.put("max_tokens", settings.maxTokens());
    }
    long tokens =
        TokenEstimates.ofText(settings.systemPrompt())
            + TokenEstimates.ofText(withoutResponse)
            + TokenEstimates.ofResponse(g)
            + (settings.maxTokens() == null ? 0 : settings.maxTokens());
    try {
      return new RemoteRequest(endpoint, OpenRlhfRewardClient.JSON.writeValueAsBytes(body), tokens);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "judge request for " + g.getGenerationId() + " could not be written", e);
    }
  }

  @Override
  public RewardComponent parse(String body) {
    JsonNode content;
    try {
      JsonNode root = OpenRlhfRewardClient.JSON.readTree(body);
      content = root == null ? null : root.path("choices").path(0).path("message").get("content");
    } catch (JsonProcessingException | RuntimeException e) {
      return component(null, RewardStatus.ERROR, "judge-malformed");
    }
    if (content == null || !content.isTextual()) {
      return component(null, RewardStatus.ERROR, "judge-malformed");
    }
    OptionalInt score = JudgeVerdicts.parse(content.asText());
    if (score.isEmpty()) {
      return component(null, RewardStatus.ERROR, "judge-format");
    }
    return component(
        JudgeVerdicts.normalise(score.getAsInt()), RewardStatus.OK, "score=" + score.getAsInt());
  }

  /** The conversation so far, one {@code role: content} block per message. */
  private static String transcript(Generation g) {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : g.getPrompt()) {
      if (sb.length() > 0) {
        sb.append("\n\n");
      }
      sb.append(m.getRole()).append(": ").append(m.getContent());
    }
    return sb.toString();
  }

  private static String shortHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
