package io.lodestar.connectors.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assembles the chunks of a streamed chat completion ({@code chat.completion.chunk} objects, in the
 * order they were sent) into the one {@code chat.completion} object a non-streamed request would
 * have returned, so both map alike. Per choice index: content, reasoning and refusal deltas are
 * concatenated; tool calls are merged by their own index (id, type and name from the first delta
 * that has them, arguments concatenated); log-prob entries and token ids are appended; the last
 * finish reason given wins. The usage is the last one sent (a final chunk with no choices when
 * {@code stream_options.include_usage} is set), and prompt token ids come from the chunk that
 * carries them. Every chunk must carry the same id.
 */
final class ChatStream {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ChatStream() {}

  /** One choice as its deltas build it. */
  private static final class Choice {
    final int index;
    StringBuilder content;
    StringBuilder reasoning;
    StringBuilder refusal;
    final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
    ObjectNode functionCall;
    ArrayNode logprobs;
    ArrayNode tokenIds;
    JsonNode promptTokenIds;
    JsonNode finishReason;

    Choice(int index) {
      this.index = index;
    }
  }

  static ObjectNode assemble(ArrayNode chunks, String path) {
    if (chunks.isEmpty()) {
      throw Refusal.malformed(path + " is an empty list of stream chunks");
    }
    String id = null;
    JsonNode created = null;
    JsonNode model = null;
    JsonNode usage = null;
    JsonNode promptTokenIds = null;
    Map<Integer, Choice> choices = new TreeMap<>();
    for (int c = 0; c < chunks.size(); c++) {
      String at = path + "[" + c + "]";
      JsonNode chunk = chunks.get(c);
      if (!chunk.isObject()) {
        throw Refusal.malformed(at + " is not an object");
      }
      String chunkId = Json.text(chunk, "id", at + ".id");
      if (chunkId != null) {
        if (id == null) {
          id = chunkId;
        } else if (!id.equals(chunkId)) {
          throw Refusal.invalid(
              at + ".id differs from the id of the stream's first chunk: chunks of two responses");
        }
      }
      if (created == null && !Json.absent(chunk.get("created"))) {
        created = chunk.get("created");
      }
      if (model == null && !Json.absent(chunk.get("model"))) {
        model = chunk.get("model");
      }
      if (Json.object(chunk, "usage", at + ".usage") != null) {
        usage = chunk.get("usage");
      }
      if (Json.array(chunk, "prompt_token_ids", at + ".prompt_token_ids") != null) {
        promptTokenIds = chunk.get("prompt_token_ids");
      }
      ArrayNode deltas = Json.array(chunk, "choices", at + ".choices");
      if (deltas == null) {
        continue;
      }
      for (int d = 0; d < deltas.size(); d++) {
        addDelta(choices, deltas.get(d), at + ".choices[" + d + "]");
      }
    }
    ObjectNode response = NODES.objectNode();
    if (id != null) {
      response.put("id", id);
    }
    response.put("object", "chat.completion");
    if (created != null) {
      response.set("created", created);
    }
    if (model != null) {
      response.set("model", model);
    }
    if (usage != null) {
      response.set("usage", usage);
    }
    if (promptTokenIds != null) {
      response.set("prompt_token_ids", promptTokenIds);
    }
    ArrayNode assembled = response.putArray("choices");
    for (Choice choice : choices.values()) {
      assembled.add(toChoice(choice));
    }
    return response;
  }

  private static void addDelta(Map<Integer, Choice> choices, JsonNode delta, String at) {
    if (!delta.isObject()) {
      throw Refusal.malformed(at + " is not an object");
    }
    Long index = Json.whole(delta, "index", at + ".index");
    if (index == null) {
      throw Refusal.malformed(at + ".index is missing");
    }
    if (index < 0 || index > Integer.MAX_VALUE) {
      throw Refusal.invalid(at + ".index is negative or too large");
    }
    Choice choice = choices.computeIfAbsent(index.intValue(), Choice::new);
    ObjectNode message = Json.object(delta, "delta", at + ".delta");
    if (message != null) {
      choice.content = append(choice.content, Json.text(message, "content", at + ".delta.content"));
      choice.reasoning =
          append(
              choice.reasoning,
              Json.text(message, "reasoning_content", at + ".delta.reasoning_content"));
      choice.reasoning =
          append(choice.reasoning, Json.text(message, "reasoning", at + ".delta.reasoning"));
      choice.refusal = append(choice.refusal, Json.text(message, "refusal", at + ".delta.refusal"));
      ArrayNode toolCalls = Json.array(message, "tool_calls", at + ".delta.tool_calls");
      if (toolCalls != null) {
        for (int t = 0; t < toolCalls.size(); t++) {
          addToolCallDelta(choice, toolCalls.get(t), at + ".delta.tool_calls[" + t + "]");
        }
      }
      ObjectNode functionCall = Json.object(message, "function_call", at + ".delta.function_call");
      if (functionCall != null) {
        choice.functionCall =
            mergeFunction(choice.functionCall, functionCall, at + ".delta.function_call");
      }
    }
    ObjectNode logprobs = Json.object(delta, "logprobs", at + ".logprobs");
    if (logprobs != null) {
      ArrayNode content = Json.array(logprobs, "content", at + ".logprobs.content");
      if (content != null) {
        if (choice.logprobs == null) {
          choice.logprobs = NODES.arrayNode();
        }
        choice.logprobs.addAll(content);
      }
    }
    ArrayNode tokenIds = Json.array(delta, "token_ids", at + ".token_ids");
    if (tokenIds != null) {
      if (choice.tokenIds == null) {
        choice.tokenIds = NODES.arrayNode();
      }
      choice.tokenIds.addAll(tokenIds);
    }
    if (Json.array(delta, "prompt_token_ids", at + ".prompt_token_ids") != null) {
      choice.promptTokenIds = delta.get("prompt_token_ids");
    }
    if (!Json.absent(delta.get("finish_reason"))) {
      choice.finishReason = delta.get("finish_reason");
    }
  }

  private static void addToolCallDelta(Choice choice, JsonNode call, String at) {
    if (!call.isObject()) {
      throw Refusal.malformed(at + " is not an object");
    }
    Long index = Json.whole(call, "index", at + ".index");
    // A server that sends each call whole in one delta may leave the index out.
    int key = index == null ? choice.toolCalls.size() : index.intValue();
    ObjectNode merged = choice.toolCalls.computeIfAbsent(key, k -> NODES.objectNode());
    String id = Json.text(call, "id", at + ".id");
    if (id != null && !merged.has("id")) {
      merged.put("id", id);
    }
    String type = Json.text(call, "type", at + ".type");
    if (type != null && !merged.has("type")) {
      merged.put("type", type);
    }
    ObjectNode function = Json.object(call, "function", at + ".function");
    if (function != null) {
      merged.set(
          "function",
          mergeFunction((ObjectNode) merged.get("function"), function, at + ".function"));
    }
  }

  private static ObjectNode mergeFunction(ObjectNode merged, ObjectNode delta, String at) {
    ObjectNode out = merged == null ? NODES.objectNode() : merged;
    String name = Json.text(delta, "name", at + ".name");
    if (name != null && !out.has("name")) {
      out.put("name", name);
    }
    String arguments = Json.text(delta, "arguments", at + ".arguments");
    if (arguments != null) {
      out.put(
          "arguments", (out.has("arguments") ? out.get("arguments").textValue() : "") + arguments);
    }
    return out;
  }

  private static StringBuilder append(StringBuilder to, String text) {
    if (text == null) {
      return to;
    }
    return (to == null ? new StringBuilder() : to).append(text);
  }

  private static ObjectNode toChoice(Choice choice) {
    ObjectNode out = NODES.objectNode();
    out.put("index", choice.index);
    ObjectNode message = out.putObject("message");
    message.put("role", "assistant");
    if (choice.content != null) {
      message.put("content", choice.content.toString());
    } else {
      message.putNull("content");
    }
    if (choice.reasoning != null) {
      message.put("reasoning_content", choice.reasoning.toString());
    }
    if (choice.refusal != null) {
      message.put("refusal", choice.refusal.toString());
    }
    if (!choice.toolCalls.isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      choice.toolCalls.values().forEach(calls::add);
    }
    if (choice.functionCall != null) {
      message.set("function_call", choice.functionCall);
    }
    if (choice.logprobs != null) {
      out.putObject("logprobs").set("content", choice.logprobs);
    }
    if (choice.tokenIds != null) {
      out.set("token_ids", choice.tokenIds);
    }
    if (choice.promptTokenIds != null) {
      out.set("prompt_token_ids", choice.promptTokenIds);
    }
    if (choice.finishReason != null) {
      out.set("finish_reason", choice.finishReason);
    }
    return out;
  }
}
