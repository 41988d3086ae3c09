package io.lodestar.operators.verify.math;

import io.lodestar.operators.verify.ExactNumber;
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
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Decides whether two parsed answers are mathematically the same.
 *
 * <p><b>Numbers.</b> Trees built only from rationals, {@code + - * /} and integer powers are
 * evaluated exactly ({@link ExactNumber}) and compared exactly. When either side contains a decimal
 * literal, both values are rounded to {@code floatRounding} decimal places and compared, as
 * Math-Verify does ({@code 1/3} equals {@code 0.333} at 3 places, not at 4).
 *
 * <p><b>Everything else</b> (radicals, π, trigonometry, symbolic expressions, matrices) is compared
 * by evaluation: each free variable gets a pseudo-random value derived from its name at
 * {@value #POINTS} points (some small, some large), both sides are evaluated in double precision and
 * must agree to a relative {@value #RELATIVE_TOLERANCE} at every point where either is defined. Two
 * different expressions agreeing at all points by chance is vanishingly unlikely; the price is that
 * identities valid only on a domain we do not sample are missed.
 *
 * <p><b>Structures.</b> Sets (also several boxed answers and {@code \pm}, which is the set
 * {a+b, a-b}) match order-free; tuples and matrices element-wise; intervals by ends and closedness
 * (a pair {@code (a, b)} also reads as the open interval); unions order-free. Equations and
 * inequalities are brought to {@code d op 0} and match when the differences are proportional (for
 * inequalities by a positive factor), so {@code 5 >= x} equals {@code x <= 5} and
 * {@code -x > -1} equals {@code x < 1}. An equation whose left side is a single variable also
 * matches its right side alone ({@code k = 1} vs {@code 1}), in both directions.
 *
 * <p><b>Asymmetries kept from Math-Verify.</b> A gold chain {@code a <= x <= b} matches a predicted
 * interval {@code [a, b]}; a gold interval matches a predicted chain only when
 * {@code allowSetRelationComparison} is set. With {@code strict} off, answers that differ only in
 * the names of their variables ({@code f(x)} vs {@code f(y)}) match.
 */
final class Equivalence {

  /** Comparison options, see the class comment. */
  record Settings(int floatRounding, boolean strict, boolean allowSetRelationComparison) {}

  static final int POINTS = 6;
  static final double RELATIVE_TOLERANCE = 1e-9;
  private static final int MAX_ALTERNATIVES = 64;
  private static final int MAX_EXACT_BITS = 20_000;

  private final Settings settings;
  private final Budget budget;

  private Equivalence(Settings settings, Budget budget) {
    this.settings = settings;
    this.budget = budget;
  }

  static boolean equivalent(MathNode gold, MathNode predicted, Settings settings, Budget budget) {
    return new Equivalence(settings, budget).same(gold, predicted);
  }

  private boolean same(MathNode g, MathNode p) {
    budget.tick();
    if (MathNodes.containsPlusMinus(g) || MathNodes.containsPlusMinus(p)) {
      return same(expandPlusMinus(g), expandPlusMinus(p));
    }
    if (g instanceof SetOf gs && gs.items().size() == 1 && !(p instanceof SetOf)) {
      return same(gs.items().get(0), p);
    }
    if (p instanceof SetOf ps && ps.items().size() == 1 && !(g instanceof SetOf)) {
      return same(g, ps.items().get(0));
    }
    if (g instanceof Rel gr && !(p instanceof Rel) && !(p instanceof Between)) {
      return isEquationForVariable(gr) && same(gr.rhs(), p);
    }
    if (p instanceof Rel pr && !(g instanceof Rel) && !(g instanceof Between)) {
      return isEquationForVariable(pr) && same(g, pr.rhs());
    }
    if (g instanceof Between gb && isIntervalLike(p)) {
      Interval asInterval = toInterval(gb);
      return asInterval != null && same(asInterval, p);
    }
    if (p instanceof Between pb && isIntervalLike(g)) {
      Interval asInterval = settings.allowSetRelationComparison() ? toInterval(pb) : null;
      return asInterval != null && same(g, asInterval);
    }
    if (g instanceof Interval && p instanceof Tuple pt && pt.items().size() == 2) {
      return same(g, new Interval(pt.items().get(0), pt.items().get(1), false, false));
    }
    if (p instanceof Interval && g instanceof Tuple gt && gt.items().size() == 2) {
      return same(new Interval(gt.items().get(0), gt.items().get(1), false, false), p);
    }
    if (g instanceof SetOf gs && p instanceof SetOf ps) {
      return matchUnordered(gs.items(), ps.items());
    }
    if (g instanceof Union gu && p instanceof Union pu) {
      return matchUnordered(gu.parts(), pu.parts());
    }
    if (g instanceof Tuple gt && p instanceof Tuple pt) {
      return matchInOrder(gt.items(), pt.items());
    }
    if (g instanceof Interval gi && p instanceof Interval pi) {
      return gi.lowClosed() == pi.lowClosed() && gi.highClosed() == pi.highClosed()
          && same(gi.low(), pi.low()) && same(gi.high(), pi.high());
    }
    if (g instanceof Rel gr && p instanceof Rel pr) {
      return sameRelation(gr, pr);
    }
    if (g instanceof Between gb && p instanceof Between pb) {
      return sameBetween(gb, pb);
    }
    if (g instanceof Text gt && p instanceof Text pt) {
      return gt.text().equalsIgnoreCase(pt.text());
    }
    if (isStructure(g) || isStructure(p)) {
      return false;
    }
    return sameValue(g, p);
  }

  private static boolean isStructure(MathNode n) {
    return n instanceof SetOf || n instanceof Tuple || n instanceof Interval || n instanceof Union
        || n instanceof Rel || n instanceof Between || n instanceof Text;
  }

  private static boolean isIntervalLike(MathNode n) {
    return n instanceof Interval || (n instanceof Tuple t && t.items().size() == 2);
  }

  /** {@code x = 5} stands for 5; {@code 2x + z = 1} or {@code 7 = 11a + c} do not. */
  private static boolean isEquationForVariable(Rel r) {
    return r.op().equals("=") && r.lhs() instanceof Sym;
  }

  private boolean matchInOrder(List<MathNode> a, List<MathNode> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Every element on each side has an equal on the other (duplicates collapse, as in sets). */
  private boolean matchUnordered(List<MathNode> a, List<MathNode> b) {
    for (MathNode x : a) {
      if (b.stream().noneMatch(y -> same(x, y))) {
        return false;
      }
    }
    for (MathNode y : b) {
      if (a.stream().noneMatch(x -> same(x, y))) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------ relations

  private boolean sameRelation(Rel g, Rel p) {
    Rel gn = ascending(g);
    Rel pn = ascending(p);
    if (!gn.op().equals(pn.op())) {
      return false;
    }
    if (same(gn.lhs(), pn.lhs()) && same(gn.rhs(), pn.rhs())) {
      return true;
    }
    boolean symmetric = gn.op().equals("=") || gn.op().equals("!=");
    if (symmetric && same(gn.lhs(), pn.rhs()) && same(gn.rhs(), pn.lhs())) {
      return true;
    }
    return proportional(new Bin('-', gn.lhs(), gn.rhs()), new Bin('-', pn.lhs(), pn.rhs()), !symmetric);
  }

  /** {@code a > b} as {@code b < a}, so only {@code = != < <=} remain. */
  private static Rel ascending(Rel r) {
    return switch (r.op()) {
      case ">" -> new Rel("<", r.rhs(), r.lhs());
      case ">=" -> new Rel("<=", r.rhs(), r.lhs());
      default -> r;
    };
  }

  private boolean sameBetween(Between g, Between p) {
    Between gn = ascending(g);
    Between pn = ascending(p);
    return gn != null && pn != null && gn.lowOp().equals(pn.lowOp()) && gn.highOp().equals(pn.highOp())
        && same(gn.low(), pn.low()) && same(gn.middle(), pn.middle()) && same(gn.high(), pn.high());
  }

  private static Between ascending(Between b) {
    boolean up = b.lowOp().startsWith("<") && b.highOp().startsWith("<");
    boolean down = b.lowOp().startsWith(">") && b.highOp().startsWith(">");
    if (up) {
      return b;
    }
    if (down) {
      return new Between(b.high(), b.highOp().replace('>', '<'), b.middle(), b.lowOp().replace('>', '<'), b.low());
    }
    return null;
  }

  private static Interval toInterval(Between b) {
    Between up = ascending(b);
    if (up == null || !(up.middle() instanceof Sym)) {
      return null;
    }
    return new Interval(up.low(), up.high(), up.lowOp().equals("<="), up.highOp().equals("<="));
  }

  /** d1 = c * d2 for one constant c (positive when {@code positiveOnly}) at every sample point. */
  private boolean proportional(MathNode d1, MathNode d2, boolean positiveOnly) {
    Double ratio = null;
    for (int k = 0; k < POINTS; k++) {
      budget.tick();
      final int point = k;
      Val a = evaluate(d1, name -> sample(name, point));
      Val b = evaluate(d2, name -> sample(name, point));
      if (a == null || b == null || a.matrix != null || b.matrix != null) {
        return false;
      }
      if (Double.isNaN(a.scalar) || Double.isNaN(b.scalar)) {
        if (Double.isNaN(a.scalar) != Double.isNaN(b.scalar)) {
          return false;
        }
        continue;
      }
      boolean aZero = Math.abs(a.scalar) < 1e-12;
      boolean bZero = Math.abs(b.scalar) < 1e-12;
      if (aZero || bZero) {
        if (aZero != bZero) {
          return false;
        }
        continue;
      }
      double r = a.scalar / b.scalar;
      if (ratio == null) {
        ratio = r;
      } else if (Math.abs(r - ratio) > 1e-7 * Math.max(1, Math.abs(ratio))) {
        return false;
      }
    }
    return ratio == null || !positiveOnly || ratio > 0;
  }

  // ------------------------------------------------------------ values

  private boolean sameValue(MathNode g, MathNode p) {
    boolean rounding = MathNodes.hasDecimal(g) || MathNodes.hasDecimal(p);
    ExactNumber eg = exact(g);
    ExactNumber ep = eg == null ? null : exact(p);
    if (eg != null && ep != null) {
      if (eg.equals(ep)) {
        return true;
      }
      return rounding && closeEnough(toDouble(eg), toDouble(ep), true);
    }
    if (agreeEverywhere(g, p, Map.of(), rounding)) {
      return true;
    }
    if (!settings.strict()) {
      Set<String> gs = MathNodes.freeSymbols(g);
      Set<String> ps = MathNodes.freeSymbols(p);
      if (!gs.equals(ps) && gs.size() == ps.size()) {
        Map<String, String> rename = new HashMap<>();
        Iterator<String> target = gs.iterator();
        for (String name : ps) {
          rename.put(name, target.next());
        }
        return agreeEverywhere(g, p, rename, rounding);
      }
    }
    return false;
  }

  private boolean agreeEverywhere(MathNode g, MathNode p, Map<String, String> renamePredicted, boolean rounding) {
    int compared = 0;
    for (int k = 0; k < POINTS; k++) {
      budget.tick();
      final int point = k;
      Val a = evaluate(g, name -> sample(name, point));
      Val b = evaluate(p, name -> sample(renamePredicted.getOrDefault(name, name), point));
      if (a == null || b == null) {
        return false;
      }
      if (a.matrix != null || b.matrix != null) {
        if (a.matrix == null || b.matrix == null || !sameShape(a.matrix, b.matrix)) {
          return false;
        }
        for (int i = 0; i < a.matrix.length; i++) {
          for (int j = 0; j < a.matrix[i].length; j++) {
            if (!closeEnough(a.matrix[i][j], b.matrix[i][j], rounding)) {
              return false;
            }
          }
        }
        compared++;
        continue;
      }
      if (Double.isNaN(a.scalar) || Double.isNaN(b.scalar)) {
        if (Double.isNaN(a.scalar) != Double.isNaN(b.scalar)) {
          return false;
        }
        continue;
      }
      if (!closeEnough(a.scalar, b.scalar, rounding)) {
        return false;
      }
      compared++;
      if (!MathNodes.hasFreeSymbols(g) && !MathNodes.hasFreeSymbols(p)) {
        return true; // constants: one point decides
      }
    }
    return compared > 0;
  }

  private static boolean sameShape(double[][] a, double[][] b) {
    return a.length == b.length && (a.length == 0 || a[0].length == b[0].length);
  }

  private boolean closeEnough(double a, double b, boolean rounding) {
    if (a == b) {
      return true;
    }
    if (Double.isInfinite(a) || Double.isInfinite(b) || Double.isNaN(a) || Double.isNaN(b)) {
      return false;
    }
    double scale = Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    if (Math.abs(a - b) <= RELATIVE_TOLERANCE * scale) {
      return true;
    }
    if (!rounding) {
      return false;
    }
    int places = Math.max(0, Math.min(settings.floatRounding(), 15));
    BigDecimal ra = BigDecimal.valueOf(a).setScale(places, RoundingMode.HALF_UP);
    BigDecimal rb = BigDecimal.valueOf(b).setScale(places, RoundingMode.HALF_UP);
    return ra.compareTo(rb) == 0;
  }

  private static double toDouble(ExactNumber n) {
    return new BigDecimal(n.numerator()).divide(new BigDecimal(n.denominator()), MathContext.DECIMAL64).doubleValue();
  }

  /** Pseudo-random but reproducible value for a variable: thread-safe, no shared generator. */
  static double sample(String name, int point) {
    long h = name.hashCode() * 0x9E3779B97F4A7C15L + (point + 1) * 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    h ^= h >>> 29;
    double unit = (h >>> 11) * 0x1.0p-53;
    return point < POINTS / 2 ? 0.3 + 2.4 * unit : 3.0 + 9.0 * unit;
  }

  // ------------------------------------------------------------ exact arithmetic

  /** The exact rational value of a tree of rationals, or null when it has anything else. */
  private ExactNumber exact(MathNode node) {
    budget.tick();
    if (node instanceof Num n) {
      BigDecimal v = n.value();
      if (v.scale() > 200 || v.precision() > 2000) {
        return null;
      }
      return v.scale() <= 0
          ? ExactNumber.of(v.toBigInteger(), BigInteger.ONE)
          : ExactNumber.of(v.unscaledValue(), BigInteger.TEN.pow(v.scale()));
    }
    if (node instanceof Neg neg) {
      ExactNumber x = exact(neg.operand());
      return x == null ? null : x.negate();
    }
    if (!(node instanceof Bin b)) {
      return null;
    }
    ExactNumber l = exact(b.left());
    ExactNumber r = l == null ? null : exact(b.right());
    if (r == null) {
      return null;
    }
    switch (b.op()) {
      case '+':
        return l.add(r);
      case '-':
        return l.add(r.negate());
      case '*':
        return multiply(l, r);
      case '/':
        return r.signum() == 0 ? null : l.divide(r);
      case '^':
        return power(l, r);
      default:
        return null;
    }
  }

  private static ExactNumber multiply(ExactNumber a, ExactNumber b) {
    return ExactNumber.of(a.numerator().multiply(b.numerator()), a.denominator().multiply(b.denominator()));
  }

  /** Integer powers only, and only while the result stays small (10^{10^{10}} is refused). */
  private static ExactNumber power(ExactNumber base, ExactNumber exponent) {
    if (!exponent.isInteger() || exponent.numerator().bitLength() > 31) {
      return null;
    }
    int e = exponent.numerator().intValueExact();
    long bits = (long) Math.max(base.numerator().bitLength(), base.denominator().bitLength()) * Math.abs((long) e);
    if (bits > MAX_EXACT_BITS) {
      return null;
    }
    if (e < 0 && base.signum() == 0) {
      return null;
    }
    ExactNumber raised = ExactNumber.of(base.numerator().pow(Math.abs(e)), base.denominator().pow(Math.abs(e)));
    return e >= 0 ? raised : ExactNumber.ONE.divide(raised);
  }

  // ------------------------------------------------------------ numeric evaluation

  /** A scalar or a matrix value. */
  private static final class Val {
    final double scalar;
    final double[][] matrix;

    Val(double scalar) {
      this.scalar = scalar;
      this.matrix = null;
    }

    Val(double[][] matrix) {
      this.scalar = Double.NaN;
      this.matrix = matrix;
    }
  }

  /** The value at one point, or null when the tree is not a number or matrix (a set, text, ...). */
  private Val evaluate(MathNode node, ToDoubleFunction<String> variables) {
    budget.tick();
    if (node instanceof Num n) {
      return new Val(n.value().doubleValue());
    }
    if (node instanceof Const c) {
      return new Val(switch (c.name()) {
        case "pi" -> Math.PI;
        case "e" -> Math.E;
        default -> Double.POSITIVE_INFINITY;
      });
    }
    if (node instanceof Sym s) {
      return new Val(variables.applyAsDouble(s.name()));
    }
    if (node instanceof Neg n) {
      Val v = evaluate(n.operand(), variables);
      return v == null ? null : scale(v, -1);
    }
    if (node instanceof Func f) {
      Val v = evaluate(f.arg(), variables);
      return v == null || v.matrix != null ? null : new Val(apply(f.name(), v.scalar));
    }
    if (node instanceof Matrix m) {
      int rows = m.rows().size();
      int cols = m.rows().get(0).size();
      double[][] out = new double[rows][cols];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          Val v = evaluate(m.rows().get(i).get(j), variables);
          if (v == null || v.matrix != null) {
            return null;
          }
          out[i][j] = v.scalar;
        }
      }
      return new Val(out);
    }
    if (node instanceof Bin b) {
      Val l = evaluate(b.left(), variables);
      Val r = l == null ? null : evaluate(b.right(), variables);
      return r == null ? null : combine(b.op(), l, r);
    }
    return null;
  }

  private static Val combine(char op, Val l, Val r) {
    if (l.matrix == null && r.matrix == null) {
      double a = l.scalar;
      double b = r.scalar;
      return new Val(switch (op) {
        case '+' -> a + b;
        case '-' -> a - b;
        case '*' -> a * b;
        case '/' -> a / b;
        default -> Math.pow(a, b);
      });
    }
    switch (op) {
      case '+':
      case '-':
        if (l.matrix == null || r.matrix == null || !sameShape(l.matrix, r.matrix)) {
          return null;
        }
        double[][] sum = new double[l.matrix.length][l.matrix[0].length];
        for (int i = 0; i < sum.length; i++) {
          for (int j = 0; j < sum[i].length; j++) {
            sum[i][j] = op == '+' ? l.matrix[i][j] + r.matrix[i][j] : l.matrix[i][j] - r.matrix[i][j];
          }
        }
        return new Val(sum);
      case '*':
        if (l.matrix == null) {
          return scale(r, l.scalar);
        }
        if (r.matrix == null) {
          return scale(l, r.scalar);
        }
        return product(l.matrix, r.matrix);
      case '/':
        return r.matrix == null ? scale(l, 1 / r.scalar) : null;
      default:
        return null;
    }
  }

  private static Val scale(Val v, double factor) {
    if (v.matrix == null) {
      return new Val(v.scalar * factor);
    }
    double[][] out = new double[v.matrix.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.matrix[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] *= factor;
      }
    }
    return new Val(out);
  }

  private static Val product(double[][] a, double[][] b) {
    if (a[0].length != b.length || (long) a.length * b[0].length * b.length > 10_000) {
      return null;
    }
    double[][] out = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        double s = 0;
        for (int k = 0; k < b.length; k++) {
          s += a[i][k] * b[k][j];
        }
        out[i][j] = s;
      }
    }
    return new Val(out);
  }

  private static double apply(String function, double x) {
    return switch (function) {
      case "sin" -> Math.sin(x);
      case "cos" -> Math.cos(x);
      case "tan" -> Math.tan(x);
      case "sec" -> 1 / Math.cos(x);
      case "csc" -> 1 / Math.sin(x);
      case "cot" -> 1 / Math.tan(x);
      case "arcsin" -> Math.asin(x);
      case "arccos" -> Math.acos(x);
      case "arctan" -> Math.atan(x);
      case "arcsec" -> Math.acos(1 / x);
      case "arccsc" -> Math.asin(1 / x);
      case "arccot" -> Math.atan(1 / x);
      case "sinh" -> Math.sinh(x);
      case "cosh" -> Math.cosh(x);
      case "tanh" -> Math.tanh(x);
      case "ln", "log" -> Math.log(x);
      case "exp" -> Math.exp(x);
      case "sqrt" -> Math.sqrt(x);
      case "abs" -> Math.abs(x);
      case "fact" -> factorial(x);
      default -> Double.NaN;
    };
  }

  private static double factorial(double x) {
    if (x < 0 || x != Math.rint(x) || x > 170) {
      return x > 170 ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    double f = 1;
    for (int i = 2; i <= (int) x; i++) {
      f *= i;
    }
    return f;
  }

  // ------------------------------------------------------------ \pm

  private MathNode expandPlusMinus(MathNode node) {
    List<MathNode> alternatives = alternatives(node);
    return alternatives.size() == 1 ? alternatives.get(0) : new SetOf(alternatives);
  }

  private List<MathNode> alternatives(MathNode node) {
    budget.tick();
    if (node instanceof PlusMinus pm) {
      List<MathNode> out = new ArrayList<>();
      for (MathNode l : alternatives(pm.left())) {
        for (MathNode r : alternatives(pm.right())) {
          out.add(new Bin('+', l, r));
          out.add(new Bin('-', l, r));
        }
      }
      return capped(out);
    }
    if (node instanceof Bin b) {
      List<MathNode> out = new ArrayList<>();
      for (MathNode l : alternatives(b.left())) {
        for (MathNode r : alternatives(b.right())) {
          out.add(new Bin(b.op(), l, r));
        }
      }
      return capped(out);
    }
    if (node instanceof Neg n) {
      return alternatives(n.operand()).stream().map(x -> (MathNode) new Neg(x)).toList();
    }
    if (node instanceof Func f) {
      return alternatives(f.arg()).stream().map(x -> (MathNode) new Func(f.name(), x)).toList();
    }
    if (node instanceof SetOf s) {
      List<MathNode> out = new ArrayList<>();
      for (MathNode item : s.items()) {
        out.addAll(alternatives(item));
      }
      return List.of(new SetOf(capped(out)));
    }
    return List.of(node);
  }

  private static List<MathNode> capped(List<MathNode> out) {
    if (out.size() > MAX_ALTERNATIVES) {
      throw new Budget.Exceeded("too many \\pm alternatives");
    }
    return out;
  }
}
