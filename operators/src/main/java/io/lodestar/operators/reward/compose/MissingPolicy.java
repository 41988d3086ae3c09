package io.lodestar.operators.reward.compose;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the composition does with a component that is expected but absent, or present without a
 * usable value (status other than OK, or a value that is null or not finite).
 */
public final class MissingPolicy implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The three treatments. */
  public enum Kind {
    /** Leave the component out; the weighted mean renormalises over the components present. */
    SKIP,
    /** The whole record is unscored: the combined reward is null. */
    UNSCORED,
    /** Use a fixed value in place of the missing one, with the component's weight. */
    SUBSTITUTE
  }

  public static final MissingPolicy SKIP = new MissingPolicy(Kind.SKIP, 0.0);
  public static final MissingPolicy UNSCORED = new MissingPolicy(Kind.UNSCORED, 0.0);

  private final Kind kind;
  private final double substitute;

  private MissingPolicy(Kind kind, double substitute) {
    this.kind = kind;
    this.substitute = substitute;
  }

  public static MissingPolicy substitute(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("substitute value must be finite, was " + value);
    }
    return new MissingPolicy(Kind.SUBSTITUTE, value);
  }

  /** Parses {@code skip}, {@code unscored} or {@code substitute:<value>}. */
  public static MissingPolicy parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("skip")) {
      return SKIP;
    }
    if (t.equalsIgnoreCase("unscored")) {
      return UNSCORED;
    }
    if (t.regionMatches(true, 0, "substitute:", 0, "substitute:".length())) {
      String number = t.substring("substitute:".length()).trim();
      double value;
      try {
        value = Double.parseDouble(number);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + t + "' has no number after substitute:");
      }
      return substitute(value);
    }
    throw new IllegalArgumentException(
        "'" + t + "' is not a missing-component policy: use skip, unscored or substitute:<value>");
  }

  public Kind kind() {
    return kind;
  }

  /** The value used in place of a missing one; meaningful only for {@link Kind#SUBSTITUTE}. */
  public double substituteValue() {
    return substitute;
  }

  /** The form {@link #parse} reads. */
  public String id() {
    return switch (kind) {
      case SKIP -> "skip";
      case UNSCORED -> "unscored";
      case SUBSTITUTE -> "substitute:" + substitute;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MissingPolicy other
        && other.kind == kind
        && Double.compare(other.substitute, substitute) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, substitute);
  }

  @Override
  public String toString() {
    return id();
  }
}
