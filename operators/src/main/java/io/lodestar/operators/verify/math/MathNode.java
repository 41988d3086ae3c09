package io.lodestar.operators.verify.math;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/**
 * Expression tree produced by {@link MathParser}. Immutable records, so trees are safe to share
 * between threads.
 */
sealed interface MathNode {

  /**
   * A number as written; {@code decimal} marks a literal with a decimal point (a float in spirit).
   */
  record Num(BigDecimal value, boolean decimal) implements MathNode {}

  /** A free variable ({@code x}, {@code a_1}) or an opaque name such as {@code 204_5}. */
  record Sym(String name) implements MathNode {}

  /**
   * Named constants: {@code pi}, Euler's {@code e}, {@code inf}, the imaginary unit {@code i}, and
   * {@code deg}, the degree mark (π/180 inside a function's argument; see {@code Equivalence}).
   */
  record Const(String name) implements MathNode {}

  record Neg(MathNode operand) implements MathNode {}

  /** Binary arithmetic: {@code + - * / ^}. */
  record Bin(char op, MathNode left, MathNode right) implements MathNode {}

  /** {@code a \pm b}: two answers, compared as the set {a+b, a-b}. */
  record PlusMinus(MathNode left, MathNode right) implements MathNode {}

  /**
   * Known function applied to its argument ({@code sin}, {@code sqrt}, {@code abs}, {@code fact},
   * and for complex numbers {@code conj}, {@code re}, {@code im}, {@code arg}).
   */
  record Func(String name, MathNode arg) implements MathNode {}

  /** Words that are the answer themselves ({@code \text{Evelyn}}), compared case-insensitively. */
  record Text(String text) implements MathNode {}

  /** Ordered tuple {@code (a, b, c)}; a pair may also be read as an open interval. */
  record Tuple(List<MathNode> items) implements MathNode {}

  /** Unordered finite set: {@code \{a, b\}}, a bare list {@code a, b}, or several boxed answers. */
  record SetOf(List<MathNode> items) implements MathNode {}

  record Interval(MathNode low, MathNode high, boolean lowClosed, boolean highClosed)
      implements MathNode {}

  record Union(List<MathNode> parts) implements MathNode {}

  record Matrix(List<List<MathNode>> rows) implements MathNode {}

  /**
   * A relation {@code lhs op rhs}; op is one of {@code = != < <= > >=}. {@code named} holds the
   * symbols an equation's left side names when it only names a quantity ({@code x}, {@code f(2)},
   * {@code g(x)}, {@code |AB|}, {@code (p, q)}: the function's name, not its argument), else it is
   * empty. The parser decides, since only the written form tells {@code f(2)} from {@code 2f}.
   */
  record Rel(String op, MathNode lhs, MathNode rhs, Set<String> named) implements MathNode {
    Rel(String op, MathNode lhs, MathNode rhs) {
      this(op, lhs, rhs, Set.of());
    }
  }

  /** {@code a < x < b} style chains of two inequalities around one middle term. */
  record Between(MathNode low, String lowOp, MathNode middle, String highOp, MathNode high)
      implements MathNode {}
}
