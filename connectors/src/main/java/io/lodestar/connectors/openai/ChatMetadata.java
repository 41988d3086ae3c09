package io.lodestar.connectors.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.schema.TaskKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The metadata keys an OpenAI chat record may carry for Lodestar: what the task is, which policy
 * version answered, how separately requested samples form one group, and the record's user, consent
 * and event time. They are read from the request's {@code metadata} object, then from the record's
 * own {@code metadata} object, whose keys win. OpenAI's API takes only string values in a request's
 * metadata, so every value may also be given as a string ({@code "12"}, {@code "true"}). Keys this
 * class does not know are ignored.
 */
final class ChatMetadata {

  static final String POLICY_VERSION = "policy_version";
  static final String DATA_SOURCE = "data_source";
  static final String TASK_KIND = "task_kind";
  static final String GROUND_TRUTH = "ground_truth";
  static final String UNIT_TESTS = "unit_tests";
  static final String EXTRA_PREFIX = "extra.";
  static final String PROMPT_ID = "prompt_id";
  static final String REQUEST_ID = "request_id";
  static final String SAMPLE_GROUP_ID = "sample_group_id";
  static final String SAMPLE_INDEX = "sample_index";
  static final String SAMPLE_GROUP_SIZE = "sample_group_size";
  static final String USER_ID_HASH = "user_id_hash";
  static final String CONSENT_TO_TRAIN = "consent_to_train";
  static final String TENANT = "tenant";
  static final String APP = "app";
  static final String CREATED_AT_MS = "created_at_ms";

  private static final String KNOWN_KINDS =
      Arrays.stream(TaskKind.values()).map(Enum::name).collect(Collectors.joining(", "));

  private final Map<String, JsonNode> values;

  private ChatMetadata(Map<String, JsonNode> values) {
    this.values = values;
  }

  /** The request's metadata overlaid with the record's; either may be null. */
  static ChatMetadata of(ObjectNode requestMetadata, ObjectNode recordMetadata) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    for (ObjectNode source : new ObjectNode[] {requestMetadata, recordMetadata}) {
      if (source == null) {
        continue;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!Json.absent(field.getValue())) {
          values.put(field.getKey(), field.getValue());
        }
      }
    }
    return new ChatMetadata(values);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  /** A string value; a number or boolean given instead reads as its text. */
  String text(String key) {
    JsonNode node = values.get(key);
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    throw Refusal.malformed("metadata." + key + " is not a string");
  }

  /** A whole number, given as a number or as its decimal text. */
  Long whole(String key) {
    JsonNode node = values.get(key);
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.textValue().trim());
      } catch (NumberFormatException e) {
        throw Refusal.invalid("metadata." + key + " is not a whole number");
      }
    }
    if (!node.isNumber()) {
      throw Refusal.invalid("metadata." + key + " is not a whole number");
    }
    try {
      return Json.whole(node, "metadata." + key);
    } catch (Refusal r) {
      throw Refusal.invalid("metadata." + key + " is not a whole number");
    }
  }

  /** A whole number that is at least {@code min}, or null when absent. */
  Long atLeast(String key, long min) {
    Long value = whole(key);
    if (value != null && value < min) {
      throw Refusal.invalid("metadata." + key + " is " + value + ", less than " + min);
    }
    return value;
  }

  /** {@code true}/{@code false}, as a boolean or as that text; {@code fallback} when absent. */
  boolean flag(String key, boolean fallback) {
    JsonNode node = values.get(key);
    if (node == null) {
      return fallback;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isTextual()) {
      String text = node.textValue().trim().toLowerCase(Locale.ROOT);
      if (text.equals("true") || text.equals("false")) {
        return text.equals("true");
      }
    }
    throw Refusal.invalid("metadata." + key + " is not true or false");
  }

  /**
   * The task kind, case-insensitive; OTHER when absent. An unknown kind is refused, naming the
   * known ones.
   */
  TaskKind taskKind() {
    String kind = text(TASK_KIND);
    if (kind == null) {
      return TaskKind.OTHER;
    }
    try {
      return TaskKind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid("metadata." + TASK_KIND + " is not one of " + KNOWN_KINDS);
    }
  }

  /**
   * The unit tests: a JSON array of strings, a string holding such an array (request metadata takes
   * only strings), or one test as a plain string.
   */
  List<String> unitTests() {
    JsonNode node = values.get(UNIT_TESTS);
    if (node == null) {
      return List.of();
    }
    if (node.isTextual()) {
      String text = node.textValue();
      if (text.trim().startsWith("[")) {
        try {
          JsonNode parsed = Json.MAPPER.readTree(text);
          if (parsed != null && parsed.isArray()) {
            return strings(parsed);
          }
        } catch (IOException e) {
          // Not an array after all: one test that happens to start with a bracket.
        }
      }
      return List.of(text);
    }
    if (node.isArray()) {
      return strings(node);
    }
    throw Refusal.malformed(
        "metadata." + UNIT_TESTS + " is neither a string nor an array of strings");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isTextual()) {
        throw Refusal.malformed("metadata." + UNIT_TESTS + "[" + i + "] is not a string");
      }
      out.add(array.get(i).textValue());
    }
    return out;
  }

  /** Every {@code extra.<name>} key, prefix removed, in name order. */
  Map<String, String> extra() {
    Map<String, String> extra = new TreeMap<>();
    for (String key : values.keySet()) {
      if (key.startsWith(EXTRA_PREFIX) && key.length() > EXTRA_PREFIX.length()) {
        extra.put(key.substring(EXTRA_PREFIX.length()), text(key));
      }
    }
    return extra;
  }
}
