package io.lodestar.operators.reward.model;

import io.lodestar.schema.ChatMessage;
import java.util.List;

/** What a reward model scores: the prompt's chat messages and one response. */
public record RewardInput(List<ChatMessage> prompt, String response) {}
