package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathNode.Between;
import io.lodestar.operators.verify.math.MathNode.Bin;
import io.lodestar.operators.verify.math.MathNode.Func;
import io.lodestar.operators.verify.math.MathNode.Interval;
import io.lodestar.operators.verify.math.MathNode.Matrix;
import io.lodestar.operators.verify.math.MathNode.Neg;
import io.lodestar.operators.verify.math.MathNode.Num;
import io.lodestar.operators.verify.math.MathNode.PlusMinus;
import io.lodestar.operators.verify.math.MathNode.Rel;
import io.lodestar.operators.verify.math.MathNode.SetOf;
import io.lodestar.operators.verify.math.MathNode.Sym;
import io.lodestar.operators.verify.math.MathNode.Text;
import io.lodestar.operators.verify.math.MathNode.Tuple;
import io.lodestar.operators.verify.math.MathNode.Union;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rewriting a tree reaches every sub-expression of every kind of node; complex variable names. */
class MathNodeRewritingTest {

  private static final MathNode X = new Sym("x");
  private static final MathNode Y = new Sym("y");
  private static final MathNode ONE = new Num(BigDecimal.ONE, false);
  private static final UnaryOperator<MathNode> X_IS_ONE = n -> n.equals(X) ? ONE : null;

  private static MathNode rewritten(MathNode node) {
    return MathNodes.replace(node, X_IS_ONE);
  }

  @Test
  void everyKindOfNodeHasItsSubExpressionsRewritten() {
    assertThat(rewritten(X)).isEqualTo(ONE);
    assertThat(rewritten(Y)).isEqualTo(Y);
    assertThat(rewritten(new Text("x"))).isEqualTo(new Text("x"));
    assertThat(rewritten(new Neg(X))).isEqualTo(new Neg(ONE));
    assertThat(rewritten(new Bin('+', X, Y))).isEqualTo(new Bin('+', ONE, Y));
    assertThat(rewritten(new Bin('*', Y, X))).isEqualTo(new Bin('*', Y, ONE));
    assertThat(rewritten(new PlusMinus(X, X))).isEqualTo(new PlusMinus(ONE, ONE));
    assertThat(rewritten(new Func("sin", X))).isEqualTo(new Func("sin", ONE));
    assertThat(rewritten(new Tuple(List.of(X, Y)))).isEqualTo(new Tuple(List.of(ONE, Y)));
    assertThat(rewritten(new SetOf(List.of(Y, X)))).isEqualTo(new SetOf(List.of(Y, ONE)));
    assertThat(rewritten(new Interval(X, Y, true, false)))
        .isEqualTo(new Interval(ONE, Y, true, false));
    assertThat(rewritten(new Interval(Y, X, false, true)))
        .isEqualTo(new Interval(Y, ONE, false, true));
    assertThat(
            rewritten(
                new Union(
                    List.of(new Interval(X, Y, true, true), new Interval(Y, X, false, false)))))
        .isEqualTo(
            new Union(
                List.of(new Interval(ONE, Y, true, true), new Interval(Y, ONE, false, false))));
    assertThat(rewritten(new Matrix(List.of(List.of(X, Y), List.of(Y, X)))))
        .isEqualTo(new Matrix(List.of(List.of(ONE, Y), List.of(Y, ONE))));
    assertThat(rewritten(new Rel("<=", X, Y))).isEqualTo(new Rel("<=", ONE, Y));
    assertThat(rewritten(new Rel("=", Y, X))).isEqualTo(new Rel("=", Y, ONE));
    assertThat(rewritten(new Between(X, "<", Y, "<=", X)))
        .isEqualTo(new Between(ONE, "<", Y, "<=", ONE));
    assertThat(rewritten(new Between(Y, ">", X, ">=", Y)))
        .isEqualTo(new Between(Y, ">", ONE, ">=", Y));
  }

  @ParameterizedTest(name = "{0} is a complex variable")
  @ValueSource(strings = {"z", "w", "z_1", "w_{2}", "z'", "w''"})
  void zAndWWithAnIndexOrPrimesAreComplexVariables(String name) {
    assertThat(MathNodes.isComplexVariable(name)).isTrue();
  }

  @ParameterizedTest(name = "{0} is not a complex variable")
  @ValueSource(strings = {"", "x", "zz", "wa", "z'a", "y_1", "Z"})
  void otherNamesAreRealVariables(String name) {
    assertThat(MathNodes.isComplexVariable(name)).isFalse();
  }
}
