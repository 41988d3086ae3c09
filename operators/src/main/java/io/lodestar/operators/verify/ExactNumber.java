package io.lodestar.operators.verify;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact rational number: an immutable numerator/denominator pair kept in lowest terms with a
 * positive denominator, so that {@link #equals} is numeric equality ({@code 1/2} equals {@code
 * 0.5}).
 *
 * <p>Answers are compared exactly rather than as doubles because {@code 0.1 + 0.2}-style rounding
 * must never turn a wrong answer into a right one, nor the reverse.
 */
public final class ExactNumber implements Comparable<ExactNumber>, Serializable {

  private static final long serialVersionUID = 1L;

  public static final ExactNumber ZERO = new ExactNumber(BigInteger.ZERO, BigInteger.ONE);
  public static final ExactNumber ONE = new ExactNumber(BigInteger.ONE, BigInteger.ONE);

  private final BigInteger numerator;
  private final BigInteger denominator;

  private ExactNumber(BigInteger numerator, BigInteger denominator) {
    this.numerator = numerator;
    this.denominator = denominator;
  }

  /**
   * Returns {@code numerator / denominator} in lowest terms.
   *
   * @throws ArithmeticException if {@code denominator} is zero
   */
  public static ExactNumber of(BigInteger numerator, BigInteger denominator) {
    Objects.requireNonNull(numerator, "numerator");
    Objects.requireNonNull(denominator, "denominator");
    if (denominator.signum() == 0) {
      throw new ArithmeticException("denominator is zero");
    }
    if (numerator.signum() == 0) {
      return ZERO;
    }
    if (denominator.signum() < 0) {
      numerator = numerator.negate();
      denominator = denominator.negate();
    }
    BigInteger gcd = numerator.gcd(denominator);
    if (!gcd.equals(BigInteger.ONE)) {
      numerator = numerator.divide(gcd);
      denominator = denominator.divide(gcd);
    }
    return new ExactNumber(numerator, denominator);
  }

  public static ExactNumber of(long value) {
    return of(BigInteger.valueOf(value), BigInteger.ONE);
  }

  public BigInteger numerator() {
    return numerator;
  }

  /** Always positive. */
  public BigInteger denominator() {
    return denominator;
  }

  public boolean isInteger() {
    return denominator.equals(BigInteger.ONE);
  }

  public int signum() {
    return numerator.signum();
  }

  public ExactNumber negate() {
    return new ExactNumber(numerator.negate(), denominator);
  }

  public ExactNumber add(ExactNumber other) {
    return of(
        numerator.multiply(other.denominator).add(other.numerator.multiply(denominator)),
        denominator.multiply(other.denominator));
  }

  /**
   * @throws ArithmeticException if {@code divisor} is zero
   */
  public ExactNumber divide(ExactNumber divisor) {
    return of(numerator.multiply(divisor.denominator), denominator.multiply(divisor.numerator));
  }

  @Override
  public int compareTo(ExactNumber other) {
    return numerator.multiply(other.denominator).compareTo(other.numerator.multiply(denominator));
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ExactNumber)) {
      return false;
    }
    ExactNumber other = (ExactNumber) o;
    // Both sides are in lowest terms with a positive denominator, so the representation is unique.
    return numerator.equals(other.numerator) && denominator.equals(other.denominator);
  }

  @Override
  public int hashCode() {
    return 31 * numerator.hashCode() + denominator.hashCode();
  }

  /** Canonical form: {@code 42}, {@code -7/2}, {@code 0}. */
  @Override
  public String toString() {
    return isInteger() ? numerator.toString() : numerator + "/" + denominator;
  }
}
