package io.lodestar.operators.reward.compose;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A condition a named component must meet, written {@code format>=1.0 else -1.0}: the component
 * must be present, scored OK with a finite value, and pass the comparison; otherwise the combined
 * reward is the penalty. A missing or unscored component fails the gate: an unverifiable format is
 * not a passing one.
 */
public record Gate(String component, Comparison comparison, double threshold, double penalty)
    implements Serializable {

  private static final Pattern FORM =
      Pattern.compile("^\\s*([^<>=\\s]+)\\s*(>=|<=|>|<)\\s*(\\S+)\\s+else\\s+(\\S+)\\s*$");

  /** The comparisons a gate may use. */
  public enum Comparison {
    AT_LEAST(">="),
    AT_MOST("<="),
    ABOVE(">"),
    BELOW("<");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    boolean holds(double value, double threshold) {
      return switch (this) {
        case AT_LEAST -> value >= threshold;
        case AT_MOST -> value <= threshold;
        case ABOVE -> value > threshold;
        case BELOW -> value < threshold;
      };
    }

    static Comparison fromSymbol(String symbol) {
      for (Comparison c : values()) {
        if (c.symbol.equals(symbol)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown comparison " + symbol);
    }
  }

  public Gate {
    if (component == null || component.isBlank()) {
      throw new IllegalArgumentException("a gate needs a component name");
    }
    if (!Double.isFinite(threshold) || !Double.isFinite(penalty)) {
      throw new IllegalArgumentException(
          "gate on " + component + " needs a finite threshold and penalty");
    }
  }

  /**
   * Parses one gate, {@code <component><op><threshold> else <penalty>} with op one of >=, <=, >, <.
   */
  public static Gate parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text.trim()
              + "' is not a gate: write <component><op><threshold> else <penalty>, e.g. format>=1.0 else -1.0");
    }
    return new Gate(
        m.group(1),
        Comparison.fromSymbol(m.group(2)),
        number(m.group(3), text),
        number(m.group(4), text));
  }

  /** Parses gates separated by {@code ;}, in evaluation order; blank text means no gates. */
  public static List<Gate> parseAll(String text) {
    List<Gate> gates = new ArrayList<>();
    for (String part : text.split(";")) {
      if (!part.isBlank()) {
        gates.add(parse(part));
      }
    }
    return List.copyOf(gates);
  }

  private static double number(String token, String text) {
    try {
      return Double.parseDouble(token);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + token + "' in gate '" + text.trim() + "' is not a number");
    }
  }

  /**
   * Why the gate fails for these components, or empty when it passes. Every component with the
   * gate's name must pass; at least one must be present.
   */
  public Optional<String> failure(List<RewardComponent> components) {
    boolean seen = false;
    for (RewardComponent c : components) {
      if (!c.getName().equals(component)) {
        continue;
      }
      seen = true;
      if (c.getStatus() != RewardStatus.OK) {
        return Optional.of(component + " status " + c.getStatus());
      }
      if (c.getValue() == null || !Double.isFinite(c.getValue())) {
        return Optional.of(component + " has no finite value");
      }
      if (!comparison.holds(c.getValue(), threshold)) {
        return Optional.of(
            component + " " + c.getValue() + " fails " + comparison.symbol() + threshold);
      }
    }
    return seen ? Optional.empty() : Optional.of(component + " missing");
  }

  /** The form {@link #parse} reads, with numbers printed canonically. */
  public String id() {
    return component + comparison.symbol() + threshold + " else " + penalty;
  }
}
