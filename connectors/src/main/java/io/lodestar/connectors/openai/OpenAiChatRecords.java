package io.lodestar.connectors.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodeErrors;
import io.lodestar.connectors.serde.DecodedMessage;
import io.lodestar.connectors.serde.InputFormat;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps logged OpenAI Chat Completions traffic to Lodestar's {@link Generation}s: one record (the
 * request, the response and optional metadata) becomes one group of {@code n} generations, one per
 * choice. The shape is the one OpenAI documents and vLLM, SGLang and TGI's OpenAI-compatible
 * servers return, with their extensions for token ids; a streamed response may be given as its list
 * of chunks. The mapping, field by field, is specified in {@code docs/inputs.md}.
 *
 * <p>A record is used whole or not at all: a partial or inconsistent one (choices without a
 * response id, {@code n} different from the number of choices, log-probs that do not line up with
 * the token ids, a choice without a finish reason) is refused with one reason, since passing on the
 * choices that look fine would leave their group short of members it expects. Generation ids are
 * {@code <response id>:<choice index>}, so a replayed record makes the same ids and de-duplication
 * drops it. Pure and stateless: safe to share.
 */
public final class OpenAiChatRecords implements InputFormat<Generation> {

  private static final long serialVersionUID = 1L;

  /**
   * A log-prob token that carries its id, as vLLM writes it with {@code
   * return_tokens_as_token_ids}.
   */
  private static final Pattern TOKEN_ID = Pattern.compile("token_id:(-?\\d{1,10})");

  /** Request parameters kept verbatim in {@code policy.samplingParams}. */
  private static final List<String> SAMPLING_PARAMS =
      List.of(
          "n",
          "seed",
          "top_k",
          "min_p",
          "presence_penalty",
          "frequency_penalty",
          "repetition_penalty",
          "stop",
          "min_tokens",
          "reasoning_effort");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public DecodedMessage<Generation> decode(byte[] message) {
    ObjectNode record;
    try {
      record = Json.parseObject(message);
    } catch (Refusal r) {
      return DecodedMessage.failure(r.kind(), r.getMessage(), null);
    }
    return map(record);
  }

  /** The generations of one record, or why it cannot be used. Never throws for any input. */
  public static DecodedMessage<Generation> map(JsonNode record) {
    Mapping mapping = new Mapping();
    try {
      return DecodedMessage.ok(mapping.generations(record));
    } catch (Refusal r) {
      return DecodedMessage.failure(r.kind(), r.getMessage(), mapping.responseId);
    } catch (StackOverflowError e) {
      return DecodedMessage.failure(
          DecodeErrors.MALFORMED, "record is nested too deeply to map", mapping.responseId);
    } catch (RuntimeException e) {
      // A value out of range for arithmetic, or a mapping bug: one dead letter, never a failed job.
      return DecodedMessage.failure(
          DecodeErrors.MALFORMED,
          "record cannot be mapped: " + e.getClass().getSimpleName(),
          mapping.responseId);
    }
  }

  /** One record's mapping; remembers the response id once read, to name the record in a refusal. */
  private static final class Mapping {
    String responseId;

    List<Generation> generations(JsonNode record) {
      if (!record.isObject()) {
        throw Refusal.malformed("record is not a JSON object");
      }
      if (record.has("generationId")) {
        // A producer still writing Lodestar's own records to a topic read as chat logs.
        throw Refusal.malformed(
            "record is a Lodestar Generation (it has generationId), not an OpenAI chat record");
      }
      ObjectNode request;
      JsonNode responseNode;
      ObjectNode params;
      if (record.has("request") || (record.has("response") && !record.has("messages"))) {
        request = unwrapBody(Json.object(record, "request", "request"), "request");
        responseNode = record.get("response");
        params = request;
      } else if (record.has("messages") && record.has("response")) {
        // The flattened shape some gateways log: the request's fields beside the response.
        request = (ObjectNode) record;
        responseNode = record.get("response");
        ObjectNode modelParameters = Json.object(record, "model_parameters", "model_parameters");
        params = modelParameters == null ? request : merged(request, modelParameters);
      } else if (record.has("choices")) {
        throw Refusal.invalid(
            "record is a bare response: without its request the prompt is unknown");
      } else {
        throw Refusal.malformed(
            "record has neither request and response nor messages and response");
      }
      if (Json.absent(responseNode)) {
        throw Refusal.malformed("response is missing");
      }
      ObjectNode response = response(responseNode);
      responseId = Json.text(response, "id", "response.id");
      if (request == null) {
        throw Refusal.invalid("request is missing: without it the prompt is unknown");
      }
      ArrayNode choices = Json.array(response, "choices", "response.choices");
      if (responseId == null || responseId.isBlank()) {
        responseId = null;
        throw Refusal.invalid(
            "response has no id: its "
                + (choices == null ? 0 : choices.size())
                + " choices cannot be given generation ids");
      }
      if (choices == null || choices.isEmpty()) {
        throw Refusal.invalid("response has no choices");
      }
      ChatMetadata metadata =
          ChatMetadata.of(
              Json.object(request, "metadata", "request.metadata"),
              Json.object(record, "metadata", "metadata"));

      long n = requestedChoices(params);
      if (n != choices.size()) {
        throw Refusal.invalid(
            "request asked for n=" + n + " but the response has " + choices.size() + " choices");
      }
      List<ChatMessage> prompt = prompt(request);
      String modelId = Json.text(response, "model", "response.model");
      if (modelId == null || modelId.isBlank()) {
        modelId = Json.text(request, "model", "request.model");
      }
      if (modelId == null || modelId.isBlank()) {
        throw Refusal.invalid("neither the response nor the request names a model");
      }
      long createdAtMs = createdAtMs(response, metadata);
      Policy policy = policy(modelId, params, metadata);
      TaskMetadata task =
          TaskMetadata.newBuilder()
              .setDataSource(orDefault(metadata.text(ChatMetadata.DATA_SOURCE), "unknown"))
              .setKind(metadata.taskKind())
              .setGroundTruth(metadata.text(ChatMetadata.GROUND_TRUTH))
              .setUnitTests(metadata.unitTests())
              .setExtra(new LinkedHashMap<>(metadata.extra()))
              .build();
      String promptId = metadata.text(ChatMetadata.PROMPT_ID);
      if (promptId == null) {
        promptId = promptIdOf(prompt);
      }
      Grouping grouping = grouping(metadata, choices.size());
      String userIdHash = metadata.text(ChatMetadata.USER_ID_HASH);
      if (userIdHash == null) {
        String user = Json.text(request, "safety_identifier", "request.safety_identifier");
        if (user == null) {
          user = Json.text(request, "user", "request.user");
        }
        // The request's user field may hold a raw id; only its hash enters Lodestar.
        userIdHash = user == null || user.isEmpty() ? null : Json.sha256Hex(user, 32);
      }
      String requestId = orDefault(metadata.text(ChatMetadata.REQUEST_ID), responseId);
      boolean consent = metadata.flag(ChatMetadata.CONSENT_TO_TRAIN, false);

      List<Integer> promptTokenIds =
          tokenIds(response, "prompt_token_ids", "response.prompt_token_ids");
      List<ChoiceOutput> outputs = new ArrayList<>(choices.size());
      Set<Integer> indices = new HashSet<>();
      for (int i = 0; i < choices.size(); i++) {
        ChoiceOutput output = choice(choices.get(i), "response.choices[" + i + "]");
        if (!indices.add(output.index)) {
          throw Refusal.invalid(
              "response.choices[" + i + "].index " + output.index + " is given twice");
        }
        if (output.promptTokenIds != null) {
          if (promptTokenIds == null) {
            promptTokenIds = output.promptTokenIds;
          } else if (!promptTokenIds.equals(output.promptTokenIds)) {
            throw Refusal.invalid(
                "response.choices["
                    + i
                    + "].prompt_token_ids differ from the response's other prompt token ids");
          }
        }
        outputs.add(output);
      }
      for (ChoiceOutput output : outputs) {
        if (output.index >= choices.size()) {
          throw Refusal.invalid(
              "choice index "
                  + output.index
                  + " is outside 0.."
                  + (choices.size() - 1)
                  + " for "
                  + choices.size()
                  + " choices");
        }
      }
      checkUsage(response, outputs, promptTokenIds);

      List<Generation> generations = new ArrayList<>(outputs.size());
      outputs.sort((a, b) -> Integer.compare(a.index, b.index));
      for (ChoiceOutput output : outputs) {
        generations.add(
            Generation.newBuilder()
                .setGenerationId(responseId + ":" + output.index)
                .setRequestId(requestId)
                .setPromptId(promptId)
                .setGroupId(grouping.groupId == null ? responseId : grouping.groupId)
                .setExpectedGroupSize(
                    grouping.groupId == null ? Integer.valueOf(choices.size()) : grouping.size)
                .setSampleIndex(
                    grouping.groupId == null ? output.index : grouping.firstIndex + output.index)
                .setPrompt(copyOf(prompt))
                .setResponse(output.text)
                .setTask(TaskMetadata.newBuilder(task).build())
                .setPolicy(Policy.newBuilder(policy).build())
                .setPromptTokenIds(promptTokenIds == null ? null : new ArrayList<>(promptTokenIds))
                .setResponseTokenIds(output.tokenIds)
                .setResponseLogprobs(output.tokenIds == null ? null : output.logprobs)
                .setFinishReason(output.finishReason)
                .setCreatedAtMs(createdAtMs)
                .setTenant(metadata.text(ChatMetadata.TENANT))
                .setApp(metadata.text(ChatMetadata.APP))
                .setUserIdHash(userIdHash)
                .setConsentToTrain(consent)
                .build());
      }
      return generations;
    }
  }

  /**
   * A request or response wrapped as {@code {"body": {...}}} (as some gateways and batch files log
   * them).
   */
  private static ObjectNode unwrapBody(ObjectNode node, String path) {
    if (node != null && !node.has("messages") && !node.has("choices") && node.get("body") != null) {
      return Json.object(node, "body", path + ".body");
    }
    return node;
  }

  private static ObjectNode merged(ObjectNode base, ObjectNode overrides) {
    ObjectNode out = base.deepCopy();
    out.setAll(overrides);
    return out;
  }

  private static ObjectNode response(JsonNode node) {
    if (node.isArray()) {
      return ChatStream.assemble((ArrayNode) node, "response");
    }
    if (!node.isObject()) {
      throw Refusal.malformed("response is neither an object nor a list of stream chunks");
    }
    ObjectNode response = unwrapBody((ObjectNode) node, "response");
    if (response == null) {
      throw Refusal.malformed("response.body is missing");
    }
    if ("chat.completion.chunk".equals(Json.text(response, "object", "response.object"))) {
      ArrayNode one = NODES.arrayNode();
      one.add(response);
      return ChatStream.assemble(one, "response");
    }
    return response;
  }

  private static long requestedChoices(ObjectNode params) {
    Long n = Json.whole(params, "n", "request.n");
    if (n == null) {
      return 1;
    }
    if (n < 1) {
      throw Refusal.invalid("request.n is " + n + ", less than 1");
    }
    return n;
  }

  private static long createdAtMs(ObjectNode response, ChatMetadata metadata) {
    Long override = metadata.whole(ChatMetadata.CREATED_AT_MS);
    if (override != null) {
      return override;
    }
    Double created = Json.number(response, "created", "response.created");
    if (created == null) {
      throw Refusal.invalid(
          "response.created is missing and metadata has no " + ChatMetadata.CREATED_AT_MS);
    }
    JsonNode node = response.get("created");
    // created is in seconds; whole seconds are multiplied exactly.
    return node.isIntegralNumber() && node.canConvertToLong()
        ? Math.multiplyExact(node.longValue(), 1000L)
        : Math.round(created * 1000.0);
  }

  private static Policy policy(String modelId, ObjectNode params, ChatMetadata metadata) {
    Long version = metadata.atLeast(ChatMetadata.POLICY_VERSION, 0);
    Long maxTokens = Json.whole(params, "max_completion_tokens", "request.max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = Json.whole(params, "max_tokens", "request.max_tokens");
    }
    if (maxTokens != null && (maxTokens < 0 || maxTokens > Integer.MAX_VALUE)) {
      throw Refusal.invalid("request.max_tokens is outside 0.." + Integer.MAX_VALUE);
    }
    Map<String, String> sampling = new LinkedHashMap<>();
    for (String key : SAMPLING_PARAMS) {
      JsonNode value = params.get(key);
      if (!Json.absent(value)) {
        sampling.put(key, Json.asText(value));
      }
    }
    return Policy.newBuilder()
        .setModelId(modelId)
        .setPolicyVersion(version == null ? 0L : version)
        .setTemperature(Json.number(params, "temperature", "request.temperature"))
        .setTopP(Json.number(params, "top_p", "request.top_p"))
        .setMaxTokens(maxTokens == null ? null : maxTokens.intValue())
        .setSamplingParams(sampling)
        .build();
  }

  /** How the record's choices belong to a group. */
  private record Grouping(String groupId, Integer size, int firstIndex) {}

  /**
   * Without {@code sample_group_id} the response is the group. With it, separately requested
   * samples form one group: {@code sample_index} is the group position of this record's first
   * choice, {@code sample_group_size} the number of samples the group expects (absent: the group
   * timeout closes it).
   */
  private static Grouping grouping(ChatMetadata metadata, int choices) {
    String groupId = metadata.text(ChatMetadata.SAMPLE_GROUP_ID);
    Long index = metadata.atLeast(ChatMetadata.SAMPLE_INDEX, 0);
    Long size = metadata.atLeast(ChatMetadata.SAMPLE_GROUP_SIZE, 1);
    if (groupId == null || groupId.isBlank()) {
      if (index != null || size != null) {
        throw Refusal.invalid(
            "metadata."
                + ChatMetadata.SAMPLE_INDEX
                + " and ."
                + ChatMetadata.SAMPLE_GROUP_SIZE
                + " need metadata."
                + ChatMetadata.SAMPLE_GROUP_ID);
      }
      return new Grouping(null, null, 0);
    }
    if (index == null) {
      throw Refusal.invalid(
          "metadata."
              + ChatMetadata.SAMPLE_GROUP_ID
              + " needs metadata."
              + ChatMetadata.SAMPLE_INDEX);
    }
    if (size != null && index + choices > size) {
      throw Refusal.invalid(
          "metadata."
              + ChatMetadata.SAMPLE_INDEX
              + " "
              + index
              + " with "
              + choices
              + " choice(s) does not fit metadata."
              + ChatMetadata.SAMPLE_GROUP_SIZE
              + " "
              + size);
    }
    if ((size != null && size > Integer.MAX_VALUE) || index > Integer.MAX_VALUE - choices) {
      throw Refusal.invalid(
          "metadata."
              + ChatMetadata.SAMPLE_INDEX
              + " or ."
              + ChatMetadata.SAMPLE_GROUP_SIZE
              + " is too large");
    }
    return new Grouping(groupId, size == null ? null : size.intValue(), index.intValue());
  }

  private static List<ChatMessage> prompt(ObjectNode request) {
    ArrayNode messages = Json.array(request, "messages", "request.messages");
    if (messages == null || messages.isEmpty()) {
      throw Refusal.invalid("request has no messages: the prompt is unknown");
    }
    List<ChatMessage> prompt = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      String at = "request.messages[" + i + "]";
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw Refusal.malformed(at + " is not an object");
      }
      String role = Json.text(message, "role", at + ".role");
      if (role == null || role.isBlank()) {
        throw Refusal.malformed(at + ".role is missing");
      }
      // Chat templates know system, not the developer role OpenAI's newer models take in its place.
      String kept = role.equals("developer") ? "system" : role;
      String content = joinWithToolCalls(content(message, at), message, at);
      prompt.add(new ChatMessage(kept, content));
    }
    return prompt;
  }

  /**
   * A message's text: a string, null, or text parts joined by newlines. Other parts are refused.
   */
  private static String content(JsonNode message, String at) {
    JsonNode content = message.get("content");
    if (Json.absent(content)) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (!content.isArray()) {
      throw Refusal.malformed(at + ".content is neither a string nor a list of parts");
    }
    StringBuilder text = new StringBuilder();
    for (int p = 0; p < content.size(); p++) {
      JsonNode part = content.get(p);
      String partAt = at + ".content[" + p + "]";
      if (!part.isObject()) {
        throw Refusal.malformed(partAt + " is not an object");
      }
      String type = Json.text(part, "type", partAt + ".type");
      if (!"text".equals(type)) {
        throw Refusal.invalid(
            partAt
                + (type == null ? " has no type" : " has type " + type)
                + ": only text parts can be kept");
      }
      String partText = Json.text(part, "text", partAt + ".text");
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(partText == null ? "" : partText);
    }
    return text.toString();
  }

  /**
   * Text followed by the message's tool calls, if any, as a JSON array in OpenAI's shape ({@code
   * [{"id", "type", "function": {"name", "arguments"}}]}, arguments as the string the model wrote),
   * on a line of its own; a legacy {@code function_call} is one such call without id.
   */
  private static String joinWithToolCalls(String text, JsonNode message, String at) {
    ArrayNode calls = NODES.arrayNode();
    ArrayNode toolCalls = Json.array(message, "tool_calls", at + ".tool_calls");
    if (toolCalls != null) {
      for (int t = 0; t < toolCalls.size(); t++) {
        calls.add(toolCall(toolCalls.get(t), at + ".tool_calls[" + t + "]"));
      }
    }
    ObjectNode functionCall = Json.object(message, "function_call", at + ".function_call");
    if (functionCall != null) {
      ObjectNode call = NODES.objectNode();
      call.put("type", "function");
      call.set("function", function(functionCall, at + ".function_call"));
      calls.add(call);
    }
    if (calls.isEmpty()) {
      return text;
    }
    return text.isEmpty() ? calls.toString() : text + "\n" + calls;
  }

  private static ObjectNode toolCall(JsonNode call, String at) {
    if (!call.isObject()) {
      throw Refusal.malformed(at + " is not an object");
    }
    ObjectNode out = NODES.objectNode();
    String id = Json.text(call, "id", at + ".id");
    if (id != null) {
      out.put("id", id);
    }
    out.put("type", orDefault(Json.text(call, "type", at + ".type"), "function"));
    ObjectNode function = Json.object(call, "function", at + ".function");
    if (function == null) {
      throw Refusal.malformed(at + ".function is missing");
    }
    out.set("function", function(function, at + ".function"));
    return out;
  }

  private static ObjectNode function(ObjectNode function, String at) {
    ObjectNode out = NODES.objectNode();
    String name = Json.text(function, "name", at + ".name");
    if (name == null || name.isBlank()) {
      throw Refusal.invalid(at + ".name is missing: a tool call cut short?");
    }
    out.put("name", name);
    JsonNode arguments = function.get("arguments");
    out.put("arguments", Json.absent(arguments) ? "" : Json.asText(arguments));
    return out;
  }

  /** What one choice contributes to its generation. */
  private record ChoiceOutput(
      int index,
      String text,
      FinishReason finishReason,
      List<Integer> tokenIds,
      List<Float> logprobs,
      List<Integer> promptTokenIds) {}

  private static ChoiceOutput choice(JsonNode choice, String at) {
    if (!choice.isObject()) {
      throw Refusal.malformed(at + " is not an object");
    }
    Long index = Json.whole(choice, "index", at + ".index");
    if (index == null) {
      throw Refusal.malformed(at + ".index is missing");
    }
    if (index < 0 || index > Integer.MAX_VALUE) {
      throw Refusal.invalid(at + ".index " + index + " is negative or too large");
    }
    ObjectNode message = Json.object(choice, "message", at + ".message");
    if (message == null) {
      throw Refusal.malformed(at + ".message is missing");
    }
    String content = content(message, at + ".message");
    if (content.isEmpty()) {
      String refusal = Json.text(message, "refusal", at + ".message.refusal");
      content = refusal == null ? "" : refusal;
    }
    String reasoning = Json.text(message, "reasoning_content", at + ".message.reasoning_content");
    if (reasoning == null) {
      reasoning = Json.text(message, "reasoning", at + ".message.reasoning");
    }
    // Verifiers, guards and trainers' templates read reasoning as a think section before the
    // answer.
    String text = reasoning == null ? content : "<think>" + reasoning + "</think>" + content;
    text = joinWithToolCalls(text, message, at + ".message");

    String finish = Json.text(choice, "finish_reason", at + ".finish_reason");
    if (finish == null) {
      throw Refusal.invalid(
          at + ".finish_reason is missing: the choice is not complete (a stream cut short?)");
    }
    List<Integer> tokenIds = tokenIds(choice, "token_ids", at + ".token_ids");
    List<Float> logprobs = null;
    List<Integer> idsInLogprobs = null;
    ObjectNode logprobsNode = Json.object(choice, "logprobs", at + ".logprobs");
    ArrayNode entries =
        logprobsNode == null ? null : Json.array(logprobsNode, "content", at + ".logprobs.content");
    if (entries != null) {
      logprobs = new ArrayList<>(entries.size());
      idsInLogprobs = new ArrayList<>(entries.size());
      for (int t = 0; t < entries.size(); t++) {
        String entryAt = at + ".logprobs.content[" + t + "]";
        JsonNode entry = entries.get(t);
        if (!entry.isObject()) {
          throw Refusal.malformed(entryAt + " is not an object");
        }
        JsonNode logprob = entry.get("logprob");
        if (Json.absent(logprob) || !logprob.isNumber()) {
          throw Refusal.invalid(entryAt + ".logprob is not a number");
        }
        logprobs.add(logprob.floatValue());
        String token = Json.text(entry, "token", entryAt + ".token");
        Matcher m = token == null ? null : TOKEN_ID.matcher(token);
        if (idsInLogprobs != null && m != null && m.matches()) {
          idsInLogprobs.add(Integer.valueOf(m.group(1)));
        } else {
          idsInLogprobs = null;
        }
      }
      if (idsInLogprobs != null && idsInLogprobs.isEmpty()) {
        idsInLogprobs = null;
      }
    }
    if (tokenIds != null && logprobs != null && tokenIds.size() != logprobs.size()) {
      throw Refusal.invalid(
          at
              + " has "
              + logprobs.size()
              + " log-probs but "
              + tokenIds.size()
              + " token ids: they do not line up");
    }
    if (idsInLogprobs != null) {
      if (tokenIds == null) {
        tokenIds = idsInLogprobs;
      } else if (!tokenIds.equals(idsInLogprobs)) {
        throw Refusal.invalid(
            at + ".logprobs.content tokens name other token ids than " + at + ".token_ids");
      }
    }
    List<Integer> promptTokenIds = tokenIds(choice, "prompt_token_ids", at + ".prompt_token_ids");
    return new ChoiceOutput(
        index.intValue(), text, finishReason(finish), tokenIds, logprobs, promptTokenIds);
  }

  /**
   * OpenAI's finish reasons, and the other servers' own: TGI's {@code eos_token} and {@code
   * stop_sequence} are stops; {@code abort} (vLLM, SGLang) and {@code content_filter} cut the
   * output short without the model ending it; anything else is UNKNOWN.
   */
  static FinishReason finishReason(String reason) {
    switch (reason.toLowerCase(Locale.ROOT)) {
      case "stop":
      case "eos_token":
      case "stop_sequence":
        return FinishReason.STOP;
      case "length":
        return FinishReason.LENGTH;
      case "tool_calls":
      case "function_call":
        return FinishReason.TOOL_CALLS;
      case "abort":
      case "content_filter":
        return FinishReason.ABORT;
      default:
        return FinishReason.UNKNOWN;
    }
  }

  private static List<Integer> tokenIds(JsonNode parent, String field, String at) {
    ArrayNode ids = Json.array(parent, field, at);
    if (ids == null) {
      return null;
    }
    List<Integer> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode id = ids.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt()) {
        throw Refusal.malformed(at + "[" + i + "] is not a token id");
      }
      out.add(id.intValue());
    }
    return out;
  }

  /**
   * The usage a server reports must agree with the token ids it returned: prompt tokens with the
   * prompt's ids, completion tokens with the choices' ids together (vLLM and SGLang count both that
   * way). A difference means a response assembled from a stream lost chunks. Without token ids the
   * usage cannot be split among the choices and is not kept.
   */
  private static void checkUsage(
      ObjectNode response, List<ChoiceOutput> outputs, List<Integer> promptTokenIds) {
    ObjectNode usage = Json.object(response, "usage", "response.usage");
    if (usage == null) {
      return;
    }
    Long promptTokens = Json.whole(usage, "prompt_tokens", "response.usage.prompt_tokens");
    if (promptTokens != null && promptTokenIds != null && promptTokens != promptTokenIds.size()) {
      throw Refusal.invalid(
          "response.usage.prompt_tokens is "
              + promptTokens
              + " but the prompt has "
              + promptTokenIds.size()
              + " token ids");
    }
    Long completionTokens =
        Json.whole(usage, "completion_tokens", "response.usage.completion_tokens");
    if (completionTokens == null || outputs.stream().anyMatch(o -> o.tokenIds == null)) {
      return;
    }
    long ids = outputs.stream().mapToLong(o -> o.tokenIds.size()).sum();
    if (completionTokens != ids) {
      throw Refusal.invalid(
          "response.usage.completion_tokens is "
              + completionTokens
              + " but the choices have "
              + ids
              + " token ids");
    }
  }

  /**
   * {@code prompt-} and the first 16 bytes (hex) of SHA-256 over each message's role and content,
   * NUL-separated: separately requested samples of one prompt get one prompt id.
   */
  static String promptIdOf(List<ChatMessage> prompt) {
    StringBuilder joined = new StringBuilder();
    for (ChatMessage m : prompt) {
      joined.append(m.getRole()).append('\0').append(m.getContent()).append('\0');
    }
    return "prompt-" + Json.sha256Hex(joined.toString(), 16);
  }

  /**
   * Each generation gets its own prompt: records are mutable and may be handed on without a copy.
   */
  private static List<ChatMessage> copyOf(List<ChatMessage> prompt) {
    List<ChatMessage> copy = new ArrayList<>(prompt.size());
    prompt.forEach(m -> copy.add(ChatMessage.newBuilder(m).build()));
    return copy;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
