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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
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

  /**
   * True when a decimal literal occurs: an answer written with decimals may be an approximation.
   */
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

  /**
   * A subscript that holds {@code i} as a letter of its own: {@code a_i}, {@code x_{i+1}}, {@code
   * \sum_{i=1}}.
   */
  private static final Pattern INDEX_I_PATTERN =
      Pattern.compile("_.*(?<![A-Za-z\\\\])i(?![A-Za-z])");

  /**
   * {@code z} and {@code w} (also {@code z_1}, {@code w'}) stand for complex numbers, by
   * convention.
   */
  static boolean isComplexVariable(String name) {
    if (name.isEmpty() || (name.charAt(0) != 'z' && name.charAt(0) != 'w')) {
      return false;
    }
    if (name.length() == 1 || name.charAt(1) == '_') {
      return true;
    }
    for (int k = 1; k < name.length(); k++) {
      if (name.charAt(k) != '\'') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@link #features} bit: the answer speaks of complex numbers ({@code i}, {@code z}, conjugates,
   * Re, Im, arg).
   */
  static final int COMPLEX = 1;

  /**
   * {@link #features} bit: {@code i} is an index somewhere ({@code a_i}), so a variable, not the
   * imaginary unit.
   */
  static final int INDEX_I = 2;

  /** {@link #features} bit: a degree mark occurs. */
  static final int DEGREES = 4;

  /** What the comparison must know about a tree, in one walk. */
  static int features(MathNode node) {
    int found = 0;
    if (node instanceof Const c) {
      found = c.name().equals("i") ? COMPLEX : c.name().equals("deg") ? DEGREES : 0;
    } else if (node instanceof Sym s) {
      found =
          (isComplexVariable(s.name()) ? COMPLEX : 0)
              | (s.name().indexOf('_') >= 0 && INDEX_I_PATTERN.matcher(s.name()).find()
                  ? INDEX_I
                  : 0);
    } else if (node instanceof Func f
        && (f.name().equals("conj")
            || f.name().equals("re")
            || f.name().equals("im")
            || f.name().equals("arg"))) {
      found = COMPLEX;
    }
    for (MathNode child : children(node)) {
      found |= features(child);
    }
    return found;
  }

  static boolean mentionsComplex(MathNode node) {
    return (features(node) & COMPLEX) != 0;
  }

  /**
   * Whether a degree mark stands outside every function's argument: the answer is measured in
   * degrees.
   */
  static boolean measuredInDegrees(MathNode node) {
    if (node instanceof Const c) {
      return c.name().equals("deg");
    }
    if (node instanceof Func) {
      return false; // \sin 30^\circ is a number, not an angle
    }
    for (MathNode child : children(node)) {
      if (measuredInDegrees(child)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A copy of {@code node} in which every sub-expression that {@code replacement} maps to a
   * non-null node is replaced by it (the replacement is not visited again).
   */
  static MathNode replace(MathNode node, UnaryOperator<MathNode> replacement) {
    MathNode replaced = replacement.apply(node);
    if (replaced != null) {
      return replaced;
    }
    if (node instanceof Neg n) {
      return new Neg(replace(n.operand(), replacement));
    } else if (node instanceof Bin b) {
      return new Bin(b.op(), replace(b.left(), replacement), replace(b.right(), replacement));
    } else if (node instanceof PlusMinus p) {
      return new PlusMinus(replace(p.left(), replacement), replace(p.right(), replacement));
    } else if (node instanceof Func f) {
      return new Func(f.name(), replace(f.arg(), replacement));
    } else if (node instanceof Tuple t) {
      return new Tuple(replaceAll(t.items(), replacement));
    } else if (node instanceof SetOf s) {
      return new SetOf(replaceAll(s.items(), replacement));
    } else if (node instanceof Union u) {
      return new Union(replaceAll(u.parts(), replacement));
    } else if (node instanceof Interval i) {
      return new Interval(
          replace(i.low(), replacement),
          replace(i.high(), replacement),
          i.lowClosed(),
          i.highClosed());
    } else if (node instanceof Matrix m) {
      List<List<MathNode>> rows = new ArrayList<>();
      for (List<MathNode> row : m.rows()) {
        rows.add(replaceAll(row, replacement));
      }
      return new Matrix(rows);
    } else if (node instanceof Rel r) {
      return new Rel(
          r.op(), replace(r.lhs(), replacement), replace(r.rhs(), replacement), r.named());
    } else if (node instanceof Between b) {
      return new Between(
          replace(b.low(), replacement),
          b.lowOp(),
          replace(b.middle(), replacement),
          b.highOp(),
          replace(b.high(), replacement));
    }
    return node;
  }

  private static List<MathNode> replaceAll(
      List<MathNode> nodes, UnaryOperator<MathNode> replacement) {
    List<MathNode> out = new ArrayList<>(nodes.size());
    for (MathNode n : nodes) {
      out.add(replace(n, replacement));
    }
    return out;
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
      return switch (c.name()) {
        case "pi" -> "\\pi";
        case "inf" -> "\\infty";
        case "deg" -> "\\degree";
        default -> c.name();
      };
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
      return (i.lowClosed() ? "[" : "(")
          + render(i.low())
          + ","
          + render(i.high())
          + (i.highClosed() ? "]" : ")");
    } else if (node instanceof Matrix m) {
      return "["
          + m.rows().stream().map(r -> "[" + join(r) + "]").collect(Collectors.joining(","))
          + "]";
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
