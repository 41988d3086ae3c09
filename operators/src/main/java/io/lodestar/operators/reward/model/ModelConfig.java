package io.lodestar.operators.reward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code reward-model.json} beside a model: its name and version, the most tokens it takes, and
 * the ONNX inputs it expects (a subset of input_ids, attention_mask, token_type_ids).
 */
public record ModelConfig(String name, String version, int maxLength, List<String> inputs) {

  public static final String FILE = "reward-model.json";
  public static final List<String> BERT_INPUTS =
      List.of("input_ids", "attention_mask", "token_type_ids");

  public ModelConfig {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
    }
    for (String input : inputs) {
      if (!BERT_INPUTS.contains(input)) {
        throw new IllegalArgumentException(
            "unknown model input '" + input + "'; known: " + BERT_INPUTS);
      }
    }
    if (!inputs.contains("input_ids")) {
      throw new IllegalArgumentException("inputs must include input_ids");
    }
    inputs = List.copyOf(inputs);
  }

  static ModelConfig read(Path folder) {
    Path file = folder.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("model folder " + folder + " has no " + FILE);
    }
    try {
      JsonNode json = new ObjectMapper().readTree(file.toFile());
      List<String> inputs = new ArrayList<>();
      json.path("inputs").forEach(n -> inputs.add(n.asText()));
      return new ModelConfig(
          required(json, "name", file),
          json.path("version").asText("0"),
          json.path("maxLength").asInt(512),
          inputs.isEmpty() ? BERT_INPUTS : inputs);
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  void write(Path folder) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    var json = mapper.createObjectNode();
    json.put("name", name).put("version", version).put("maxLength", maxLength);
    inputs.forEach(json.putArray("inputs")::add);
    Files.writeString(
        folder.resolve(FILE), mapper.writerWithDefaultPrettyPrinter().writeValueAsString(json));
  }

  private static String required(JsonNode json, String field, Path file) {
    String value = json.path(field).asText("");
    if (value.isBlank()) {
      throw new ModelLoadException(file + " has no '" + field + "'");
    }
    return value;
  }
}
