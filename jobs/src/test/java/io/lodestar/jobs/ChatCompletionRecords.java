package io.lodestar.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Logged OpenAI chat completions as a vLLM server returns them (token ids and log-probs requested),
 * wrapped with their request and metadata as {@code topics.generations.format=openai-chat} reads
 * them.
 */
final class ChatCompletionRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatCompletionRecords() {}

  /**
   * A math question answered {@code answers.size()} times in one response ({@code n} choices), each
   * answer one token per character plus an end token, each token with log-prob -0.1.
   */
  static ObjectNode mathRecord(
      String responseId,
      long createdSeconds,
      String question,
      List<String> answers,
      long policyVersion) {
    ObjectNode record = JSON.createObjectNode();
    ObjectNode request = record.putObject("request");
    request.put("model", "qwen-chat");
    ArrayNode messages = request.putArray("messages");
    messages.addObject().put("role", "user").put("content", question);
    request
        .put("n", answers.size())
        .put("temperature", 1.0)
        .put("logprobs", true)
        .put("return_token_ids", true);
    request
        .putObject("metadata")
        .put("task_kind", "math")
        .put("ground_truth", "42")
        .put("data_source", "gsm8k");
    ObjectNode response = record.putObject("response");
    response
        .put("id", responseId)
        .put("object", "chat.completion")
        .put("created", createdSeconds)
        .put("model", "qwen-chat");
    ArrayNode promptIds = response.putArray("prompt_token_ids");
    for (int i = 0; i < question.length(); i++) {
      promptIds.add(1000 + question.charAt(i));
    }
    ArrayNode choices = response.putArray("choices");
    int completionTokens = 0;
    for (int c = 0; c < answers.size(); c++) {
      String answer = answers.get(c);
      ObjectNode choice = choices.addObject();
      choice.put("index", c);
      choice.putObject("message").put("role", "assistant").put("content", answer);
      ArrayNode ids = choice.putArray("token_ids");
      ArrayNode logprobs = choice.putObject("logprobs").putArray("content");
      for (int i = 0; i <= answer.length(); i++) {
        int id = i < answer.length() ? 2000 + answer.charAt(i) : 151645;
        ids.add(id);
        logprobs
            .addObject()
            .put("token", i < answer.length() ? answer.substring(i, i + 1) : "<|im_end|>")
            .put("logprob", -0.1);
      }
      completionTokens += answer.length() + 1;
      choice.put("finish_reason", "stop");
    }
    response
        .putObject("usage")
        .put("prompt_tokens", question.length())
        .put("completion_tokens", completionTokens)
        .put("total_tokens", question.length() + completionTokens);
    record.putObject("metadata").put("policy_version", policyVersion).put("consent_to_train", true);
    return record;
  }

  static byte[] bytes(ObjectNode record) {
    return record.toString().getBytes(StandardCharsets.UTF_8);
  }
}
