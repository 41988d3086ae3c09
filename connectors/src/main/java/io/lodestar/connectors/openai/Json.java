package io.lodestar.connectors.openai;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lodestar.connectors.serde.DecodeErrors;
import io.lodestar.connectors.serde.RecordCodec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Strict reading of the JSON records these formats map, with reasons that name fields by path. */
final class Json {

  static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}

  /**
   * The JSON object in {@code message}; refuses one that is empty, over {@link
   * RecordCodec#DEFAULT_MAX_BYTES}, not JSON or not an object, with the codec's error kinds.
   */
  static ObjectNode parseObject(byte[] message) {
    if (message == null || message.length == 0) {
      throw Refusal.of(DecodeErrors.EMPTY, "message has no bytes");
    }
    if (message.length > RecordCodec.DEFAULT_MAX_BYTES) {
      throw Refusal.of(
          DecodeErrors.OVERSIZED,
          "message of "
              + message.length
              + " bytes exceeds the limit of "
              + RecordCodec.DEFAULT_MAX_BYTES
              + " bytes");
    }
    if (firstNonWhitespace(message) != '{') {
      throw Refusal.of(
          DecodeErrors.UNRECOGNIZED_ENCODING,
          String.format(
              "not a JSON object; first byte is 0x%02X (this input is read as JSON records)",
              message[0]));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(message);
    } catch (StreamConstraintsException e) {
      throw Refusal.malformed("JSON exceeds a parser limit: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      // Jackson's messages quote the offending text; keep only where it went wrong.
      JsonLocation where = e.getLocation();
      throw Refusal.malformed(
          "not valid JSON"
              + (where == null
                  ? ""
                  : " at line " + where.getLineNr() + ", column " + where.getColumnNr()));
    } catch (IOException e) {
      throw Refusal.malformed("cannot read the JSON text: " + e.getClass().getSimpleName());
    }
    if (root == null || !root.isObject()) {
      throw Refusal.malformed("not a JSON object");
    }
    return (ObjectNode) root;
  }

  private static int firstNonWhitespace(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b;
      }
    }
    return -1;
  }

  /** True for an absent field or an explicit null. */
  static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  /** The object at {@code field}, or null when absent. */
  static ObjectNode object(JsonNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (absent(node)) {
      return null;
    }
    if (!node.isObject()) {
      throw Refusal.malformed(path + " is not an object");
    }
    return (ObjectNode) node;
  }

  /** The array at {@code field}, or null when absent. */
  static ArrayNode array(JsonNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (absent(node)) {
      return null;
    }
    if (!node.isArray()) {
      throw Refusal.malformed(path + " is not an array");
    }
    return (ArrayNode) node;
  }

  /** The string at {@code field}, or null when absent. */
  static String text(JsonNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (absent(node)) {
      return null;
    }
    if (!node.isTextual()) {
      throw Refusal.malformed(path + " is not a string");
    }
    return node.textValue();
  }

  /** The whole number at {@code field} (a JSON number without a fraction), or null when absent. */
  static Long whole(JsonNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    return absent(node) ? null : whole(node, path);
  }

  static long whole(JsonNode node, String path) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      BigDecimal value = node.decimalValue();
      try {
        return value.stripTrailingZeros().longValueExact();
      } catch (ArithmeticException e) {
        throw Refusal.malformed(path + " is not a whole number");
      }
    }
    throw Refusal.malformed(path + " is not a whole number");
  }

  /** The number at {@code field}, or null when absent. */
  static Double number(JsonNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (absent(node)) {
      return null;
    }
    if (!node.isNumber()) {
      throw Refusal.malformed(path + " is not a number");
    }
    return node.doubleValue();
  }

  /** The first {@code bytes} bytes of SHA-256 over {@code text}, in hex. */
  static String sha256Hex(String text, int bytes) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** A value as text: a string as it is, anything else as compact JSON. */
  static String asText(JsonNode node) {
    return node.isTextual() ? node.textValue() : node.toString();
  }
}
