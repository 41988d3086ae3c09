package io.lodestar.operators.reward.compose;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Combines a generation's reward components into the one reward a trainer sees, applied once at the
 * end of scoring. In order:
 *
 * <ol>
 *   <li>Inputs: the generation's upstream components, then the components Lodestar computed. Copies
 *       of upstream components and the composition's own earlier outputs ({@value
 *       OverlongShaping#COMPONENT} and {@value #GATE_COMPONENT} from source SHAPING) are dropped,
 *       so composing twice gives the same record. Upstream components are also kept on the record,
 *       so trainers see them.
 *   <li>Gates, in order: the first that fails sets the reward to its penalty and adds a {@value
 *       #GATE_COMPONENT} component saying why; nothing else is added to a gated reward.
 *   <li>Weighted mean: reward = sum(w_i * v_i) / sum(w_i) over the usable components (status OK,
 *       finite value). A component with no usable value, or one that is named in the weights or the
 *       missing rules but absent, is handled by its {@link MissingPolicy}. No contributing weight
 *       means no reward (null), never 0.
 *   <li>Overlong shaping adds its own component and, when it scored, its value to the reward; when
 *       the length is unknown (UNSCORABLE) the reward is left unshaped, when the shaping failed
 *       (ERROR) the record is unscored.
 * </ol>
 *
 * With no configuration (all weights 1, missing components skipped, no gates, no shaping) this is
 * the plain mean of the components that scored OK. A reward that would not be finite is null.
 */
public final class RewardComposition implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Reward version of a record whose components have not been combined yet (reward null). */
  public static final String UNCOMBINED = "uncombined";

  /** Name of the component that records a failed gate. */
  public static final String GATE_COMPONENT = "gate";

  private static final Set<String> RESERVED = Set.of(OverlongShaping.COMPONENT, GATE_COMPONENT);

  /** What happened to a record. */
  public enum Outcome {
    SCORED,
    UNSCORED,
    GATED
  }

  /**
   * The composed reward (null when unscored), every component kept on the record, the version, and
   * the components it was computed from.
   */
  public record Composed(
      Double reward,
      List<RewardComponent> components,
      String rewardVersion,
      Outcome outcome,
      List<RewardComponent> inputs) {

    /**
     * {@code input} with these components, reward and version; generation and scoring time
     * unchanged.
     */
    public ScoredGeneration applyTo(ScoredGeneration input) {
      // Built field by field: the builder's copy constructor would deep-copy the whole generation.
      return ScoredGeneration.newBuilder()
          .setGeneration(input.getGeneration())
          .setComponents(new ArrayList<>(components))
          .setReward(reward)
          .setRewardVersion(rewardVersion)
          .setScoredAtMs(input.getScoredAtMs())
          .build();
    }
  }

  private final Weights weights;
  private final MissingRules missing;
  private final List<Gate> gates;
  private final OverlongShaping overlong;

  /** Names whose absence matters: those given a weight or a missing rule. */
  private final List<String> expected;

  private final String rule;
  // Records of one stream nearly always combine the same parts: hash each combination once.
  private static final int MAX_CACHED_VERSIONS = 256;
  private transient Map<String, String> versions;

  private RewardComposition(
      Weights weights, MissingRules missing, List<Gate> gates, OverlongShaping overlong) {
    this.weights = Objects.requireNonNull(weights, "weights");
    this.missing = Objects.requireNonNull(missing, "missing");
    this.gates = List.copyOf(gates);
    this.overlong = Objects.requireNonNull(overlong, "overlong");
    Set<String> named = new LinkedHashSet<>(weights.byName().keySet());
    named.addAll(missing.byName().keySet());
    this.gates.forEach(g -> named.add(g.component()));
    for (String name : named) {
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException(
            "'" + name + "' is the name of a component the composition adds itself");
      }
    }
    Set<String> expectedNames = new TreeSet<>(weights.byName().keySet());
    expectedNames.addAll(missing.byName().keySet());
    this.expected = List.copyOf(expectedNames);
    this.rule = describeRule();
  }

  /** The mean of the components that scored OK: no weights, gates or shaping. */
  public static RewardComposition defaults() {
    return new RewardComposition(
        Weights.EQUAL, MissingRules.SKIP_ALL, List.of(), OverlongShaping.NONE);
  }

  public static RewardComposition of(
      Weights weights, MissingRules missing, List<Gate> gates, OverlongShaping overlong) {
    return new RewardComposition(weights, missing, gates, overlong);
  }

  /**
   * This composition with {@code name} weighted {@code weight} unless its weights already name it:
   * for a component that a stage adds as a signal, not as a reward, by default.
   */
  public RewardComposition withDefaultWeight(String name, double weight) {
    if (weights.byName().containsKey(name)) {
      return this;
    }
    Map<String, Double> byName = new TreeMap<>(weights.byName());
    byName.put(name, weight);
    return new RewardComposition(
        new Weights(byName, weights.otherwise()), missing, gates, overlong);
  }

  /** Composes the reward of a scored generation from its upstream and computed components. */
  public Composed compose(ScoredGeneration scored) {
    return compose(scored.getGeneration(), scored.getComponents());
  }

  /** Composes the reward of {@code g} from its upstream components and {@code computed}. */
  public Composed compose(Generation g, List<RewardComponent> computed) {
    List<RewardComponent> inputs = inputs(g, computed);
    List<RewardComponent> kept = new ArrayList<>(inputs);
    RewardComponent shaping = overlong.shape(g);
    if (shaping != null) {
      kept.add(shaping);
    }
    String version = version(inputs);
    for (Gate gate : gates) {
      Optional<String> failure = gate.failure(inputs);
      if (failure.isPresent()) {
        kept.add(gateComponent(gate, failure.get()));
        return new Composed(gate.penalty(), List.copyOf(kept), version, Outcome.GATED, inputs);
      }
    }
    Double reward = weightedMean(inputs);
    if (reward != null && shaping != null) {
      if (shaping.getStatus() == RewardStatus.OK) {
        reward = reward + shaping.getValue();
      } else if (shaping.getStatus() == RewardStatus.ERROR) {
        reward = null; // shaping was due but failed: an unshaped reward would be silently wrong
      }
    }
    if (reward != null && !Double.isFinite(reward)) {
      reward = null; // an overflowing sum must not reach a trainer
    }
    return new Composed(
        reward,
        List.copyOf(kept),
        version,
        reward == null ? Outcome.UNSCORED : Outcome.SCORED,
        inputs);
  }

  /**
   * The upstream components, then the computed ones without copies of upstream ones (a record
   * composed before carries them) and without this rule's own earlier outputs.
   */
  static List<RewardComponent> inputs(Generation g, List<RewardComponent> computed) {
    List<RewardComponent> upstream = g.getUpstreamRewards();
    List<RewardComponent> inputs = new ArrayList<>(upstream);
    for (RewardComponent c : computed) {
      if (!upstream.contains(c) && !isOwnOutput(c)) {
        inputs.add(c);
      }
    }
    return inputs;
  }

  private static boolean isOwnOutput(RewardComponent c) {
    return c.getSource() == RewardSource.SHAPING && RESERVED.contains(c.getName());
  }

  private Double weightedMean(List<RewardComponent> inputs) {
    double weightSum = 0;
    double weightedSum = 0;
    Set<String> present = new LinkedHashSet<>();
    for (RewardComponent c : inputs) {
      present.add(c.getName());
      double w = weights.of(c.getName());
      if (w == 0) {
        continue;
      }
      Double value = usableValue(c);
      if (value == null) {
        MissingPolicy policy = missing.of(c.getName());
        if (policy.kind() == MissingPolicy.Kind.UNSCORED) {
          return null;
        }
        if (policy.kind() == MissingPolicy.Kind.SKIP) {
          continue;
        }
        value = policy.substituteValue();
      }
      weightSum += w;
      weightedSum += w * value;
    }
    for (String name : expected) {
      double w = weights.of(name);
      if (present.contains(name) || w == 0) {
        continue;
      }
      MissingPolicy policy = missing.of(name);
      if (policy.kind() == MissingPolicy.Kind.UNSCORED) {
        return null;
      }
      if (policy.kind() == MissingPolicy.Kind.SUBSTITUTE) {
        weightSum += w;
        weightedSum += w * policy.substituteValue();
      }
    }
    return weightSum > 0 ? weightedSum / weightSum : null;
  }

  private static Double usableValue(RewardComponent c) {
    if (c.getStatus() != RewardStatus.OK
        || c.getValue() == null
        || !Double.isFinite(c.getValue())) {
      return null;
    }
    return c.getValue();
  }

  private static RewardComponent gateComponent(Gate gate, String failure) {
    return RewardComponent.newBuilder()
        .setName(GATE_COMPONENT)
        .setValue(gate.penalty())
        .setStatus(RewardStatus.OK)
        .setSource(RewardSource.SHAPING)
        .setVersion("gate(" + gate.id() + ")")
        .setDetail(failure)
        .build();
  }

  /**
   * The rule and the versions of the parts it combined, then a short hash of both, e.g. {@code
   * mean(numeric_answer@numeric_answer/1)#1b4f0e9a}. Parts are sorted, so the order in which
   * components arrived does not change it.
   */
  public String version(List<RewardComponent> inputs) {
    List<String> parts = new ArrayList<>();
    for (RewardComponent c : inputs) {
      parts.add(c.getName() + "@" + c.getVersion());
    }
    Collections.sort(parts);
    String readable = rule + "(" + String.join(",", parts) + ")";
    Map<String, String> known = versions;
    if (known == null) {
      known = new ConcurrentHashMap<>();
      versions = known;
    }
    String version = known.get(readable);
    if (version == null) {
      version = readable + "#" + shortHash(readable);
      if (known.size() >= MAX_CACHED_VERSIONS) {
        known.clear();
      }
      known.put(readable, version);
    }
    return version;
  }

  /**
   * The configuration alone, e.g. {@code mean} or {@code wmean[format:0.5,*:1.0]+gates[format>=1.0
   * else -1.0]}.
   */
  public String rule() {
    return rule;
  }

  private String describeRule() {
    StringBuilder sb = new StringBuilder(weights.id());
    if (!missing.equals(MissingRules.SKIP_ALL)) {
      sb.append("+missing[").append(missing.id()).append(']');
    }
    if (!gates.isEmpty()) {
      List<String> ids = new ArrayList<>();
      gates.forEach(g -> ids.add(g.id()));
      sb.append("+gates[").append(String.join(";", ids)).append(']');
    }
    if (overlong.enabled()) {
      sb.append("+overlong:").append(overlong.id());
    }
    return sb.toString();
  }

  private static String shortHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  public Weights weights() {
    return weights;
  }

  public MissingRules missing() {
    return missing;
  }

  public List<Gate> gates() {
    return gates;
  }

  public OverlongShaping overlong() {
    return overlong;
  }

  @Override
  public String toString() {
    return rule;
  }

  /**
   * Weights per component name, written {@code name:weight,...}; {@code *:weight} sets the weight
   * of every other name (1 unless given). Weights are finite and >= 0; 0 leaves a component out.
   */
  public record Weights(Map<String, Double> byName, double otherwise) implements Serializable {

    public static final Weights EQUAL = new Weights(Map.of(), 1.0);

    public Weights {
      byName = Collections.unmodifiableMap(new TreeMap<>(byName));
      for (Map.Entry<String, Double> e : byName.entrySet()) {
        check(e.getKey(), e.getValue());
      }
      check("*", otherwise);
    }

    private static void check(String name, Double w) {
      if (w == null || !Double.isFinite(w) || w < 0) {
        throw new IllegalArgumentException(
            "weight of " + name + " must be a finite number >= 0, was " + w);
      }
    }

    public static Weights parse(String text) {
      Map<String, Double> byName = new TreeMap<>();
      double otherwise = 1.0;
      for (String entry : text.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
          throw new IllegalArgumentException("'" + entry.trim() + "' is not name:weight");
        }
        String name = entry.substring(0, colon).trim();
        double w;
        try {
          w = Double.parseDouble(entry.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'" + entry.trim() + "' has no number after the colon");
        }
        if (name.equals("*")) {
          otherwise = w;
        } else if (byName.put(name, w) != null) {
          throw new IllegalArgumentException(name + " is weighted twice");
        }
      }
      return new Weights(byName, otherwise);
    }

    public double of(String name) {
      return byName.getOrDefault(name, otherwise);
    }

    /** {@code mean} for equal weights, else {@code wmean[a:2.0,b:0.5,*:1.0]}. */
    public String id() {
      if (byName.values().stream().allMatch(w -> w == 1.0) && otherwise == 1.0) {
        return "mean";
      }
      List<String> entries = new ArrayList<>();
      byName.forEach((k, v) -> entries.add(k + ":" + v));
      entries.add("*:" + otherwise);
      return "wmean[" + String.join(",", entries) + "]";
    }
  }

  /**
   * Missing-component policies, written {@code skip,judge=unscored,code_tests=substitute:0}: an
   * entry without a name is the policy for every other component (skip unless given).
   */
  public record MissingRules(MissingPolicy otherwise, Map<String, MissingPolicy> byName)
      implements Serializable {

    public static final MissingRules SKIP_ALL = new MissingRules(MissingPolicy.SKIP, Map.of());

    public MissingRules {
      Objects.requireNonNull(otherwise, "otherwise");
      byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    public static MissingRules parse(String text) {
      MissingPolicy otherwise = null;
      Map<String, MissingPolicy> byName = new TreeMap<>();
      for (String entry : text.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        int eq = entry.indexOf('=');
        if (eq < 0) {
          if (otherwise != null) {
            throw new IllegalArgumentException(
                "two policies without a component name: "
                    + otherwise.id()
                    + " and "
                    + entry.trim());
          }
          otherwise = MissingPolicy.parse(entry);
        } else {
          String name = entry.substring(0, eq).trim();
          if (name.isEmpty()) {
            throw new IllegalArgumentException(
                "'" + entry.trim() + "' has no component name before =");
          }
          if (byName.put(name, MissingPolicy.parse(entry.substring(eq + 1))) != null) {
            throw new IllegalArgumentException(name + " has two missing-component policies");
          }
        }
      }
      return new MissingRules(otherwise == null ? MissingPolicy.SKIP : otherwise, byName);
    }

    public MissingPolicy of(String name) {
      return byName.getOrDefault(name, otherwise);
    }

    public String id() {
      List<String> entries = new ArrayList<>();
      entries.add(otherwise.id());
      byName.forEach((k, v) -> entries.add(k + "=" + v.id()));
      return String.join(",", entries);
    }
  }
}
