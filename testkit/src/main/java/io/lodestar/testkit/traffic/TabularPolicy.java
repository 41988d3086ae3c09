package io.lodestar.testkit.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A learnable simulated policy: per problem template, a softmax over the {@link AnswerStrategy}
 * values. It is a table of logits, not a language model; the learning loop trains it from
 * Lodestar's advantages and the simulator samples responses from it.
 *
 * <p>A policy file is JSON: {@code {"modelId", "policyVersion", "logits": {template: {strategy:
 * logit}}}} (a trainer may add fields of its own, which are ignored here). Missing strategies have
 * logit 0.
 */
public final class TabularPolicy {

  /** Every template {@link MathProblems} draws from. */
  public static final List<String> TEMPLATES =
      List.of(
          "shopping",
          "rate-time",
          "splitting",
          "percentages",
          "multi-step",
          "distance",
          "savings",
          "bulk-count");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final long version;
  private final Map<String, double[]> logits;

  public TabularPolicy(long version, Map<String, double[]> logits) {
    this.version = version;
    Map<String, double[]> copy = new LinkedHashMap<>();
    for (String template : TEMPLATES) {
      double[] row = logits.get(template);
      if (row == null || row.length != AnswerStrategy.values().length) {
        throw new IllegalArgumentException(
            "template " + template + " needs one logit per answer strategy");
      }
      for (double value : row) {
        if (!Double.isFinite(value)) {
          throw new IllegalArgumentException("template " + template + " has a non-finite logit");
        }
      }
      copy.put(template, row.clone());
    }
    this.logits = copy;
  }

  /**
   * A badly started policy, version 1: each template favours one wrong habit of its own, and the
   * right method gets about a tenth of the mass.
   */
  public static TabularPolicy initial() {
    Map<String, double[]> logits = new LinkedHashMap<>();
    int strategies = AnswerStrategy.values().length;
    for (int t = 0; t < TEMPLATES.size(); t++) {
      double[] row = new double[strategies];
      Arrays.fill(row, 1.0);
      row[AnswerStrategy.RIGHT_METHOD.ordinal()] = 0.5;
      row[1 + t % (strategies - 1)] = 2.0;
      logits.put(TEMPLATES.get(t), row);
    }
    return new TabularPolicy(1, logits);
  }

  public long version() {
    return version;
  }

  /** The strategies' probabilities for {@code template}, in {@link AnswerStrategy} order. */
  public double[] probabilities(String template) {
    double[] row = logits.get(template);
    if (row == null) {
      throw new IllegalArgumentException("unknown template '" + template + "'");
    }
    double max = Arrays.stream(row).max().orElse(0);
    double[] p = new double[row.length];
    double sum = 0;
    for (int i = 0; i < row.length; i++) {
      p[i] = Math.exp(row[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < row.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** Draws a strategy for a response to a problem of {@code template}. */
  public AnswerStrategy sample(String template, Random rnd) {
    double[] p = probabilities(template);
    double u = rnd.nextDouble();
    for (int i = 0; i < p.length - 1; i++) {
      u -= p[i];
      if (u < 0) {
        return AnswerStrategy.values()[i];
      }
    }
    return AnswerStrategy.values()[p.length - 1];
  }

  /** The chance that a response to a random template (uniform over them) uses the right method. */
  public double rightMethodProbability() {
    double sum = 0;
    for (String template : TEMPLATES) {
      sum += probabilities(template)[AnswerStrategy.RIGHT_METHOD.ordinal()];
    }
    return sum / TEMPLATES.size();
  }

  /** The policy file's content for this policy and {@code modelId}. */
  public ObjectNode toJson(String modelId) {
    ObjectNode root = JSON.createObjectNode();
    root.put("modelId", modelId);
    root.put("policyVersion", version);
    ObjectNode all = root.putObject("logits");
    logits.forEach(
        (template, row) -> {
          ObjectNode byStrategy = all.putObject(template);
          for (AnswerStrategy strategy : AnswerStrategy.values()) {
            byStrategy.put(strategy.id(), row[strategy.ordinal()]);
          }
        });
    return root;
  }

  /** Reads a policy file. */
  public static TabularPolicy read(Path file) throws IOException {
    return fromJson(JSON.readTree(Files.readAllBytes(file)));
  }

  /** Writes a policy file. */
  public void write(Path file, String modelId) throws IOException {
    Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(modelId)));
  }

  static TabularPolicy fromJson(JsonNode root) {
    JsonNode version = root.path("policyVersion");
    if (!version.canConvertToLong()) {
      throw new IllegalArgumentException("policy file without a policyVersion");
    }
    Map<String, double[]> logits = new LinkedHashMap<>();
    for (String template : TEMPLATES) {
      JsonNode byStrategy = root.path("logits").path(template);
      if (!byStrategy.isObject()) {
        throw new IllegalArgumentException("policy file without logits for " + template);
      }
      double[] row = new double[AnswerStrategy.values().length];
      for (AnswerStrategy strategy : AnswerStrategy.values()) {
        row[strategy.ordinal()] = byStrategy.path(strategy.id()).asDouble(0.0);
      }
      logits.put(template, row);
    }
    return new TabularPolicy(version.asLong(), logits);
  }
}
