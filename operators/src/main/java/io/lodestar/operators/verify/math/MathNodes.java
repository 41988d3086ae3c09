package io.lodestar.operators.verify.math;

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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Small structural queries over {@link MathNode} trees. */
final class MathNodes {

  private MathNodes() {}

  static boolean hasFreeSymbols(MathNode node) {
    return !freeSymbols(node).isEmpty();
  }

  static Set<String> freeSymbols(MathNode node) {
    Set<String> names = new TreeSet<>();
    collectSymbols(node, names);
    return names;
  }

  private static void collectSymbols(MathNode node, Set<String> out) {
    if (node instanceof Sym s) {
      out.add(s.name());
    } else {
      for (MathNode child : children(node)) {
        collectSymbols(child, out);
      }
    }
  }

  /** Direct sub-expressions of a node, in reading order. */
  static List<MathNode> children(MathNode node) {
    if (node instanceof Neg n) {
      return List.of(n.operand());
    } else if (node instanceof Bin b) {
      return List.of(b.left(), b.right());
    } else if (node instanceof PlusMinus p) {
      return List.of(p.left(), p.right());
    } else if (node instanceof Func f) {
      return List.of(f.arg());
    } else if (node instanceof Tuple t) {
      return t.items();
    } else if (node instanceof SetOf s) {
      return s.items();
    } else if (node instanceof Union u) {
      return u.parts();
    } else if (node instanceof Interval i) {
      return List.of(i.low(), i.high());
    } else if (node instanceof Matrix m) {
      return m.rows().stream().flatMap(List::stream).collect(Collectors.toList());
    } else if (node instanceof Rel r) {
      return List.of(r.lhs(), r.rhs());
    } else if (node instanceof Between b) {
      return List.of(b.low(), b.middle(), b.high());
    }
    return List.of();
  }

  /** True when a decimal literal occurs: an answer written with decimals may be an approximation. */
  static boolean hasDecimal(MathNode node) {
    if (node instanceof Num n) {
      return n.decimal();
    }
    for (MathNode child : children(node)) {
      if (hasDecimal(child)) {
        return true;
      }
    }
    return false;
  }

  static boolean containsPlusMinus(MathNode node) {
    if (node instanceof PlusMinus) {
      return true;
    }
    for (MathNode child : children(node)) {
      if (containsPlusMinus(child)) {
        return true;
      }
    }
    return false;
  }

  /** A compact, unambiguous rendering used for symbol names and result details. */
  static String render(MathNode node) {
    if (node instanceof Num n) {
      return n.value().toPlainString();
    } else if (node instanceof Sym s) {
      return s.name();
    } else if (node instanceof Const c) {
      return c.name().equals("pi") ? "\\pi" : c.name().equals("inf") ? "\\infty" : c.name();
    } else if (node instanceof Neg n) {
      return "-" + render(n.operand());
    } else if (node instanceof Bin b) {
      return "(" + render(b.left()) + b.op() + render(b.right()) + ")";
    } else if (node instanceof PlusMinus p) {
      return "(" + render(p.left()) + "\\pm " + render(p.right()) + ")";
    } else if (node instanceof Func f) {
      return f.name() + "(" + render(f.arg()) + ")";
    } else if (node instanceof Text t) {
      return "\\text{" + t.text() + "}";
    } else if (node instanceof Tuple t) {
      return "(" + join(t.items()) + ")";
    } else if (node instanceof SetOf s) {
      return "{" + join(s.items()) + "}";
    } else if (node instanceof Union u) {
      return u.parts().stream().map(MathNodes::render).collect(Collectors.joining(" \\cup "));
    } else if (node instanceof Interval i) {
      return (i.lowClosed() ? "[" : "(") + render(i.low()) + "," + render(i.high()) + (i.highClosed() ? "]" : ")");
    } else if (node instanceof Matrix m) {
      return "[" + m.rows().stream().map(r -> "[" + join(r) + "]").collect(Collectors.joining(",")) + "]";
    } else if (node instanceof Rel r) {
      return render(r.lhs()) + r.op() + render(r.rhs());
    } else if (node instanceof Between b) {
      return render(b.low()) + b.lowOp() + render(b.middle()) + b.highOp() + render(b.high());
    }
    return "?";
  }

  private static String join(List<MathNode> items) {
    return items.stream().map(MathNodes::render).collect(Collectors.joining(","));
  }
}
