package io.lodestar.operators.reward.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/**
 * OpenRLHF's remote reward protocol ({@code --remote_rm_url}): POST {@code {"query": [prompt +
 * response], "prompts": [prompt], "labels": [ground truth or ""]}} and read {@code {"rewards":
 * [r]}} (or {@code "scores"} when a server sends only that). One generation per request, so the
 * arrays have one element; {@code request_ids} is added, which servers that read fields by name
 * ignore. The raw reward is kept as it is (no rescaling): it is what the RM says.
 */
public final class OpenRlhfRewardClient implements RewardClient {

  private static final long serialVersionUID = 1L;
  static final JsonMapper JSON = new JsonMapper();

  private final RemoteRewardSettings settings;

  public OpenRlhfRewardClient(RemoteRewardSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return settings.componentName();
  }

  @Override
  public String version() {
    return "openrlhf-rm:"
        + (settings.call().model().isEmpty() ? "remote" : settings.call().model());
  }

  @Override
  public RewardSource source() {
    return RewardSource.MODEL;
  }

  @Override
  public CallSettings call() {
    return settings.call();
  }

  @Override
  public RemoteRequest request(Generation g, String requestId) {
    String prompt = settings.promptFormat().render(g.getPrompt());
    String label = g.getTask().getGroundTruth() == null ? "" : g.getTask().getGroundTruth();
    ObjectNode body = JSON.createObjectNode();
    body.putArray("query").add(prompt + g.getResponse());
    body.putArray("prompts").add(prompt);
    body.putArray("labels").add(label);
    body.putArray("request_ids").add(requestId);
    try {
      return new RemoteRequest(
          settings.call().url(),
          JSON.writeValueAsBytes(body),
          TokenEstimates.ofPrompt(g, prompt) + TokenEstimates.ofResponse(g));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "request body for " + g.getGenerationId() + " could not be written", e);
    }
  }

  @Override
  public RewardComponent parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException | RuntimeException e) {
      return component(null, RewardStatus.ERROR, "rm-malformed");
    }
    if (root == null || !root.isObject()) {
      return component(null, RewardStatus.ERROR, "rm-malformed");
    }
    JsonNode rewards = root.has("rewards") ? root.get("rewards") : root.get("scores");
    if (rewards == null || !rewards.isArray()) {
      return component(null, RewardStatus.ERROR, "rm-malformed");
    }
    if (rewards.size() != 1) {
      return component(null, RewardStatus.ERROR, "rm-length");
    }
    JsonNode reward = rewards.get(0);
    if (!reward.isNumber() || !Double.isFinite(reward.asDouble())) {
      return component(null, RewardStatus.ERROR, "rm-malformed");
    }
    return component(reward.asDouble(), RewardStatus.OK, null);
  }
}
