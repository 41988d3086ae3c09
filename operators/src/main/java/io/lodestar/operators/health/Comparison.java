package io.lodestar.operators.health;

/** How a rule compares a metric with its threshold. */
public enum Comparison {
  GREATER(">"),
  GREATER_OR_EQUAL(">="),
  LESS("<"),
  LESS_OR_EQUAL("<=");

  private final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  public boolean holds(double observed, double threshold) {
    switch (this) {
      case GREATER:
        return observed > threshold;
      case GREATER_OR_EQUAL:
        return observed >= threshold;
      case LESS:
        return observed < threshold;
      default:
        return observed <= threshold;
    }
  }

  /** The comparison written as {@code symbol}, or null. */
  public static Comparison ofSymbol(String symbol) {
    for (Comparison c : values()) {
      if (c.symbol.equals(symbol)) {
        return c;
      }
    }
    return null;
  }
}
