package io.lodestar.operators.verify;

import io.lodestar.operators.verify.format.ExactMatchVerifier;
import io.lodestar.operators.verify.format.JsonSchemaVerifier;
import io.lodestar.operators.verify.format.TagFormatVerifier;
import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Picks the verifiers for a generation from its task metadata: a rule for its data source wins
 * over a rule for its task kind. Rules name verifiers from {@link #available()}.
 *
 * <p>Defaults: MATH tasks get {@code math_equivalence}; other kinds get none (their reward comes
 * from reward models, or stays unscored, never 0). Also available: {@code numeric_answer} (final
 * number only, cheaper), {@code format} (strict
 * {@code <think>…</think><answer>…</answer>}), {@code tag_count} (partial credit per tag),
 * {@code exact_match} (against the ground truth) and {@code json_schema} (against
 * {@code task.extra.json_schema}, or any JSON).
 */
public final class VerifierRegistry implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Every verifier a rule may name, by name. */
  private static final Map<String, Supplier<Verifier>> AVAILABLE = new LinkedHashMap<>();

  static {
    AVAILABLE.put(MathVerifier.NAME, MathEquivalence::new);
    AVAILABLE.put(NumericAnswerVerifier.NAME, NumericAnswer::new);
    AVAILABLE.put("format", () -> new OnResponse("format", TagFormatVerifier.strict(TagFormatVerifier.THINK_ANSWER)::verify));
    AVAILABLE.put("tag_count", () -> new OnResponse("tag_count", TagFormatVerifier.tagCount(TagFormatVerifier.THINK_ANSWER)::verify));
    AVAILABLE.put(ExactMatchVerifier.NAME, ExactMatch::new);
    AVAILABLE.put(JsonSchemaVerifier.NAME, JsonSchema::new);
  }

  private final Map<TaskKind, List<Verifier>> byKind = new LinkedHashMap<>();
  private final Map<String, List<Verifier>> bySource = new LinkedHashMap<>();

  private VerifierRegistry() {}

  /** The names a rule may use. */
  public static List<String> available() {
    return new ArrayList<>(AVAILABLE.keySet());
  }

  /** The default rules. */
  public static VerifierRegistry defaults() {
    return fromRules(Map.of());
  }

  /**
   * Builds a registry from rules {@code kind.<KIND>} or {@code source.<dataSource>} to
   * comma-separated verifier names (an empty list switches verifiers off for that selector). Rules
   * are added to the defaults, replacing a default for the same selector.
   *
   * @throws IllegalArgumentException naming the rule when a selector or verifier is unknown
   */
  public static VerifierRegistry fromRules(Map<String, String> rules) {
    return fromRules(rules, MathVerifier.Config.defaults());
  }

  /** As {@link #fromRules(Map)}, with {@code math} configuring every {@code math_equivalence}. */
  public static VerifierRegistry fromRules(Map<String, String> rules, MathVerifier.Config math) {
    VerifierRegistry registry = new VerifierRegistry();
    registry.byKind.put(TaskKind.MATH, List.of(create(MathVerifier.NAME, "default rule for MATH", math)));
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      String selector = rule.getKey();
      List<Verifier> verifiers = new ArrayList<>();
      for (String name : rule.getValue().split(",")) {
        if (!name.isBlank()) {
          verifiers.add(create(name.trim(), selector, math));
        }
      }
      if (selector.startsWith("kind.")) {
        registry.byKind.put(kind(selector), Collections.unmodifiableList(verifiers));
      } else if (selector.startsWith("source.") && selector.length() > "source.".length()) {
        registry.bySource.put(selector.substring("source.".length()), Collections.unmodifiableList(verifiers));
      } else {
        throw new IllegalArgumentException(
            "verifier rule '" + selector + "' must be kind.<MATH|CODE|CHAT|FORMAT|OTHER> or source.<dataSource>");
      }
    }
    return registry;
  }

  /** The verifiers that apply to {@code generation}, possibly none. */
  public List<Verifier> forGeneration(Generation generation) {
    List<Verifier> forSource = bySource.get(generation.getTask().getDataSource());
    if (forSource != null) {
      return forSource;
    }
    return byKind.getOrDefault(generation.getTask().getKind(), List.of());
  }

  /** Runs every applicable verifier; a verifier that throws yields an ERROR component, not a failure. */
  public List<RewardComponent> score(Generation generation) {
    List<RewardComponent> components = new ArrayList<>();
    for (Verifier verifier : forGeneration(generation)) {
      RewardComponent component;
      try {
        component = verifier.verify(generation);
      } catch (RuntimeException | StackOverflowError e) {
        component =
            VerifierResults.component(
                verifier.name(), "unknown", null, RewardStatus.ERROR, "verifier failed: " + e.getClass().getSimpleName());
      }
      components.add(component);
    }
    return components;
  }

  private static TaskKind kind(String selector) {
    String name = selector.substring("kind.".length()).toUpperCase(Locale.ROOT);
    try {
      return TaskKind.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("verifier rule '" + selector + "' names an unknown task kind", e);
    }
  }

  private static Verifier create(String name, String rule, MathVerifier.Config math) {
    Supplier<Verifier> factory = AVAILABLE.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(
          "verifier rule '" + rule + "' names unknown verifier '" + name + "'; available: " + AVAILABLE.keySet());
    }
    return name.equals(MathVerifier.NAME) ? new MathEquivalence(math) : factory.get();
  }

  /** A check of the response text alone. */
  static final class OnResponse implements Verifier {
    private static final long serialVersionUID = 1L;

    /** A serializable response check. */
    interface Check extends java.util.function.Function<String, RewardComponent>, Serializable {}

    private final String name;
    private final Check check;

    OnResponse(String name, Check check) {
      this.name = name;
      this.check = check;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public RewardComponent verify(Generation g) {
      return check.apply(g.getResponse());
    }
  }

  /** The response against the task's ground truth, whitespace collapsed and case ignored. */
  static final class ExactMatch implements Verifier {
    private static final long serialVersionUID = 1L;
    private final ExactMatchVerifier verifier = ExactMatchVerifier.normalised();

    @Override
    public String name() {
      return ExactMatchVerifier.NAME;
    }

    @Override
    public RewardComponent verify(Generation g) {
      return verifier.verify(g.getResponse(), g.getTask().getGroundTruth());
    }
  }

  /**
   * The response is JSON valid against the schema in the task's {@code extra.json_schema}, or any
   * JSON when the task gives none. Parsed schemas are kept, since tasks of one product share a few.
   */
  static final class JsonSchema implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final String SCHEMA_KEY = "json_schema";
    private static final int MAX_CACHED_SCHEMAS = 64;
    private transient Map<String, JsonSchemaVerifier> bySchema;

    @Override
    public String name() {
      return JsonSchemaVerifier.NAME;
    }

    @Override
    public RewardComponent verify(Generation g) {
      String schema = g.getTask().getExtra().get(SCHEMA_KEY);
      if (bySchema == null) {
        bySchema = new LinkedHashMap<>(16, 0.75f, true);
      }
      String key = schema == null ? "" : schema;
      JsonSchemaVerifier verifier = bySchema.get(key);
      if (verifier == null) {
        try {
          verifier = schema == null ? JsonSchemaVerifier.anyJson() : new JsonSchemaVerifier(schema);
        } catch (RuntimeException badSchema) {
          return VerifierResults.component(
              JsonSchemaVerifier.NAME, JsonSchemaVerifier.VERSION, null, RewardStatus.UNSCORABLE,
              "task.extra.json_schema is not a usable JSON Schema");
        }
        if (bySchema.size() >= MAX_CACHED_SCHEMAS) {
          bySchema.remove(bySchema.keySet().iterator().next());
        }
        bySchema.put(key, verifier);
      }
      return verifier.verify(g.getResponse());
    }
  }

  /** Math answer equivalence (numbers, LaTeX expressions, sets, intervals...) against the ground truth. */
  static final class MathEquivalence implements Verifier {
    private static final long serialVersionUID = 1L;
    private final MathVerifier verifier;

    MathEquivalence() {
      this(MathVerifier.Config.defaults());
    }

    MathEquivalence(MathVerifier.Config config) {
      this.verifier = new MathVerifier(config);
    }

    @Override
    public String name() {
      return MathVerifier.NAME;
    }

    @Override
    public RewardComponent verify(Generation g) {
      return verifier.verify(g.getResponse(), g.getTask().getGroundTruth());
    }
  }

  /** The final numeric answer against the task's ground truth. */
  static final class NumericAnswer implements Verifier {
    private static final long serialVersionUID = 1L;
    private final NumericAnswerVerifier verifier = new NumericAnswerVerifier();

    @Override
    public String name() {
      return NumericAnswerVerifier.NAME;
    }

    @Override
    public RewardComponent verify(Generation g) {
      return verifier.verify(g.getResponse(), g.getTask().getGroundTruth());
    }
  }
}
