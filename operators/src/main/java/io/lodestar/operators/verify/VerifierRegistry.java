package io.lodestar.operators.verify;

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

/**
 * Picks the verifiers for a generation from its task metadata: a rule for its data source wins over
 * a rule for its task kind. Rules name verifiers of {@link VerifierCatalogue} (what each one checks
 * is in {@code docs/rewards.md}, "Verifiers").
 *
 * <p>Defaults: MATH tasks get {@code math_equivalence}; other kinds get none (their reward comes
 * from reward models, or stays unscored, never 0).
 */
public final class VerifierRegistry implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Map<TaskKind, List<Verifier>> byKind = new LinkedHashMap<>();
  private final Map<String, List<Verifier>> bySource = new LinkedHashMap<>();

  private VerifierRegistry() {}

  /** The names a rule may use: the catalogue's. */
  public static List<String> available() {
    return new ArrayList<>(VerifierCatalogue.names());
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
    return fromRules(rules, new VerifierCatalogue.Settings(math));
  }

  /** As {@link #fromRules(Map)}, every verifier built from {@code settings}. */
  public static VerifierRegistry fromRules(
      Map<String, String> rules, VerifierCatalogue.Settings settings) {
    VerifierRegistry registry = new VerifierRegistry();
    registry.byKind.put(
        TaskKind.MATH, List.of(create(MathVerifier.NAME, "default rule for MATH", settings)));
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      String selector = rule.getKey();
      List<Verifier> verifiers = new ArrayList<>();
      for (String name : rule.getValue().split(",")) {
        if (!name.isBlank()) {
          verifiers.add(create(name.trim(), selector, settings));
        }
      }
      if (selector.startsWith("kind.")) {
        registry.byKind.put(kind(selector), Collections.unmodifiableList(verifiers));
      } else if (selector.startsWith("source.") && selector.length() > "source.".length()) {
        registry.bySource.put(
            selector.substring("source.".length()), Collections.unmodifiableList(verifiers));
      } else {
        throw new IllegalArgumentException(
            "verifier rule '"
                + selector
                + "' must be kind.<MATH|CODE|CHAT|FORMAT|OTHER> or source.<dataSource>");
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

  /**
   * Runs every applicable verifier; a verifier that throws yields an ERROR component, not a
   * failure.
   */
  public List<RewardComponent> score(Generation generation) {
    List<RewardComponent> components = new ArrayList<>();
    for (Verifier verifier : forGeneration(generation)) {
      RewardComponent component;
      try {
        component = verifier.score(generation);
      } catch (RuntimeException | StackOverflowError e) {
        component =
            VerifierResults.component(
                verifier.name(),
                "unknown",
                null,
                RewardStatus.ERROR,
                "verifier failed: " + e.getClass().getSimpleName());
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
      throw new IllegalArgumentException(
          "verifier rule '" + selector + "' names an unknown task kind", e);
    }
  }

  private static Verifier create(String name, String rule, VerifierCatalogue.Settings settings) {
    VerifierCatalogue.Entry entry =
        VerifierCatalogue.entry(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "verifier rule '"
                            + rule
                            + "' names unknown verifier '"
                            + name
                            + "'; available: "
                            + VerifierCatalogue.names()));
    return entry.factory().create(settings);
  }
}
