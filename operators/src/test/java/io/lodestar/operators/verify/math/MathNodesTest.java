package io.lodestar.operators.verify.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.verify.math.MathNode.Between;
import io.lodestar.operators.verify.math.MathNode.Bin;
import io.lodestar.operators.verify.math.MathNode.Const;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rendering that names subscripted expressions and fills details, and a node's children. */
class MathNodesTest {

  private static final MathNode X = new Sym("x");
  private static final MathNode ONE = new Num(BigDecimal.ONE, false);
  private static final MathNode TWO = new Num(new BigDecimal("2.50"), true);

  @Test
  void everyKindOfNodeRendersCompactly() {
    assertThat(MathNodes.render(TWO)).isEqualTo("2.50");
    assertThat(MathNodes.render(X)).isEqualTo("x");
    assertThat(MathNodes.render(new Const("pi"))).isEqualTo("\\pi");
    assertThat(MathNodes.render(new Const("inf"))).isEqualTo("\\infty");
    assertThat(MathNodes.render(new Const("e"))).isEqualTo("e");
    assertThat(MathNodes.render(new Neg(X))).isEqualTo("-x");
    assertThat(MathNodes.render(new Bin('^', X, ONE))).isEqualTo("(x^1)");
    assertThat(MathNodes.render(new PlusMinus(X, ONE))).isEqualTo("(x\\pm 1)");
    assertThat(MathNodes.render(new Func("sqrt", X))).isEqualTo("sqrt(x)");
    assertThat(MathNodes.render(new Text("Paris"))).isEqualTo("\\text{Paris}");
    assertThat(MathNodes.render(new Tuple(List.of(X, ONE)))).isEqualTo("(x,1)");
    assertThat(MathNodes.render(new SetOf(List.of(X, ONE)))).isEqualTo("{x,1}");
    assertThat(
            MathNodes.render(
                new Union(
                    List.of(new Interval(X, ONE, true, false), new Interval(ONE, X, false, true)))))
        .isEqualTo("[x,1) \\cup (1,x]");
    assertThat(MathNodes.render(new Matrix(List.of(List.of(X, ONE), List.of(ONE, X)))))
        .isEqualTo("[[x,1],[1,x]]");
    assertThat(MathNodes.render(new Rel("<=", X, ONE))).isEqualTo("x<=1");
    assertThat(MathNodes.render(new Between(ONE, "<", X, "<=", TWO))).isEqualTo("1<x<=2.50");
  }

  @Test
  void differentTreesRenderDifferently() {
    // A pair and an open interval render alike on purpose: the comparison reads one as the other.
    assertThat(MathNodes.render(new Tuple(List.of(X, ONE))))
        .isEqualTo(MathNodes.render(new Interval(X, ONE, false, false)));
    List<MathNode> trees =
        List.of(
            new Tuple(List.of(X, ONE)),
            new Interval(X, ONE, true, false),
            new Interval(X, ONE, true, true),
            new SetOf(List.of(X, ONE)),
            new Bin('+', X, ONE),
            new Bin('-', X, ONE),
            new PlusMinus(X, ONE),
            new Rel("=", X, ONE),
            new Rel("<", X, ONE),
            new Func("sin", X),
            new Func("cos", X),
            new Neg(new Bin('+', X, ONE)),
            new Bin('+', new Neg(X), ONE));
    Set<String> rendered = new HashSet<>();
    trees.forEach(t -> rendered.add(MathNodes.render(t)));

    assertThat(rendered).hasSize(trees.size());
  }

  @Test
  void childrenAreTheDirectSubExpressionsInReadingOrder() {
    MathNode y = new Sym("y");
    assertThat(MathNodes.children(new Neg(X))).containsExactly(X);
    assertThat(MathNodes.children(new Bin('+', X, y))).containsExactly(X, y);
    assertThat(MathNodes.children(new PlusMinus(X, y))).containsExactly(X, y);
    assertThat(MathNodes.children(new Func("sin", X))).containsExactly(X);
    assertThat(MathNodes.children(new Tuple(List.of(X, y)))).containsExactly(X, y);
    assertThat(MathNodes.children(new SetOf(List.of(y, X)))).containsExactly(y, X);
    assertThat(MathNodes.children(new Union(List.of(new Interval(X, y, true, true)))))
        .containsExactly(new Interval(X, y, true, true));
    assertThat(MathNodes.children(new Interval(X, y, true, false))).containsExactly(X, y);
    assertThat(MathNodes.children(new Matrix(List.of(List.of(X, ONE), List.of(y, TWO)))))
        .containsExactly(X, ONE, y, TWO);
    assertThat(MathNodes.children(new Rel("=", X, y))).containsExactly(X, y);
    assertThat(MathNodes.children(new Between(ONE, "<", X, "<", TWO))).containsExactly(ONE, X, TWO);
    assertThat(MathNodes.children(X)).isEmpty();
  }

  @Test
  void aDecimalAnywhereInATreeIsFound() {
    assertThat(MathNodes.hasDecimal(new Rel("=", X, new Func("sqrt", TWO)))).isTrue();
    assertThat(MathNodes.hasDecimal(new Matrix(List.of(List.of(X, TWO))))).isTrue();
    assertThat(MathNodes.hasDecimal(new Between(ONE, "<", X, "<", TWO))).isTrue();
    assertThat(MathNodes.hasDecimal(new SetOf(List.of(X, ONE)))).isFalse();
  }
}
