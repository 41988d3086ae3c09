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
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Decides whether two parsed answers are mathematically the same. <b>Sound first:</b> it says
 * "equal" only when the two are equal on their whole common domain; when it cannot tell, it says
 * "not equal" (the verifier's budget aside, which gives UNSCORABLE). The contract, with its
 * deliberate choices, is written out in {@code docs/rewards.md} ("Math answers").
 *
 * <p><b>Numbers.</b> Trees built only from rationals, {@code + - * /} and integer powers are
 * evaluated exactly ({@link ExactNumber}) and compared exactly. Decimal literals are exact
 * rationals too ({@code 0.1+0.2} is {@code 0.3}); only when exactly one side is written with
 * decimals (an approximation of the other) are both rounded to {@code floatRounding} places and
 * compared, as Math-Verify does ({@code 1/3} equals {@code 0.333} at 3 places, not at 4), and never
 * across a change of sign or from a non-zero value to zero.
 *
 * <p><b>Expressions with variables.</b> Each free variable gets a reproducible value derived from
 * its name at each of {@value #POINTS} points: positive and negative, near zero, moderate and
 * large, with the signs of different variables mixed at some points. Rational functions (variables,
 * rationals, {@code + - * /}, integer powers) are evaluated exactly at these (rational) points.
 * Anything else (radicals, π, trigonometry, logarithms) is evaluated in double precision with a
 * running bound on its rounding error, and two values agree when they differ by no more than a
 * small multiple of the two bounds: a tolerance relative to the magnitudes involved, not an
 * absolute one, so {@code x^2} and {@code x^2+10^{-12}x} differ. A point where one side is defined
 * and the other is not (a square root or logarithm of a negative, a division by zero, an overflow)
 * is a difference: {@code \sqrt{x^2}} is not {@code x}, {@code \ln(x^2)} is not {@code 2\ln x}. A
 * point where neither is defined is skipped, and at least {@value #MIN_COMPARED_POINTS} points must
 * agree. Removable singularities at isolated points are not sampled, so {@code x/x} equals {@code
 * 1} and {@code (x^2-1)/(x-1)} equals {@code x+1}: they are equal wherever both are defined. Odd
 * roots of negatives are real ({@code \sqrt[3]{-8} = -2}).
 *
 * <p><b>Structures.</b> Sets (also several linked boxed answers and {@code \pm}, which is the set
 * {a+b, a-b}) match order-free; tuples and matrices element-wise; intervals by ends and closedness
 * (a pair {@code (a, b)} also reads as the open interval); unions order-free. Equations and
 * inequalities are brought to {@code d op 0} and match when the differences are proportional (for
 * inequalities by a positive factor), so {@code 5 >= x} equals {@code x <= 5} and {@code -x > -1}
 * equals {@code x < 1}. An equation whose left side names the quantity (a variable, {@code |AB|},
 * {@code (p, q)}, a function applied to a bracket such as {@code f(2)} or {@code g(x)}: see {@link
 * Rel#named()}) and whose right side does not mention the names also matches its right side alone:
 * {@code f(2) = 1} is 1 and {@code g(x) = x^2} is {@code x^2}, while {@code 2x = 4} and {@code
 * x(x+1) = 6} state conditions and match neither side.
 *
 * <p><b>Complex numbers.</b> When either answer speaks of them ({@code i}, {@code z}, {@code w}, a
 * conjugate, Re, Im, arg), values are compared in the complex numbers by {@link ComplexValues}:
 * exactly for Gaussian rationals, otherwise with error bounds on both parts, with {@code z} and
 * {@code w} sampled off the real line. An {@code i} used as an index ({@code a_i}) on either side
 * is a variable on both.
 *
 * <p><b>Degrees.</b> A degree mark is π/180 inside a function's argument ({@code \sin 30^\circ} is
 * 1/2). Elsewhere it is a unit: an answer matches when it matches under either reading, the mark
 * dropped ({@code 30^\circ} is 30) or read as π/180 ({@code 30^\circ} is {@code \pi/6}), the same
 * reading on both sides.
 *
 * <p><b>Relations against sets.</b> A gold chain {@code a <= x <= b} or inequality {@code x > a}
 * matches the interval it describes; a gold interval matches a predicted chain or inequality only
 * when {@code allowSetRelationComparison} is set (Math-Verify's asymmetry; the pipeline's default
 * sets it). With {@code strict} off, answers that differ only in the names of their variables
 * ({@code f(x)} vs {@code f(y)}) match.
 */
final class Equivalence {

  /** Comparison options, see the class comment. */
  record Settings(int floatRounding, boolean strict, boolean allowSetRelationComparison) {}

  static final int POINTS = 12;
  static final int MIN_COMPARED_POINTS = 2;

  /** Unit roundoff of a double. */
  private static final double U = 0x1.0p-53;

  /** Values agree when they differ by at most this many times their error bounds. */
  private static final double SLACK = 8;

  /**
   * A point whose error bound exceeds this share of the values' size (at least 1) decides nothing.
   */
  private static final double UNINFORMATIVE = 1e-6;

  private static final int MAX_ALTERNATIVES = 64;
  private static final int MAX_EXACT_BITS = 20_000;
  private static final MathNode INFINITY = new Const("inf");

  private static final MathNode ONE = new Num(BigDecimal.ONE, false);
  private static final MathNode RADIANS_PER_DEGREE =
      new Bin('/', new Const("pi"), new Num(BigDecimal.valueOf(180), false));

  private final Settings settings;
  private final Budget budget;

  /** Non-null when the answers speak of complex numbers: values are then compared there. */
  private final ComplexValues complex;

  private Equivalence(Settings settings, Budget budget, boolean complex) {
    this.settings = settings;
    this.budget = budget;
    this.complex = complex ? new ComplexValues(settings, budget) : null;
  }

  static boolean equivalent(MathNode gold, MathNode predicted, Settings settings, Budget budget) {
    MathNode g = gold;
    MathNode p = predicted;
    int features = MathNodes.features(g) | MathNodes.features(p);
    if ((features & MathNodes.INDEX_I) != 0) {
      g = indexAsVariable(g);
      p = indexAsVariable(p);
      features = MathNodes.features(g) | MathNodes.features(p);
    }
    Equivalence equivalence =
        new Equivalence(settings, budget, (features & MathNodes.COMPLEX) != 0);
    if ((features & MathNodes.DEGREES) != 0) {
      // The mark as a unit that may be left out, or as the angle π/180: the same reading on both
      // sides.
      return equivalence.same(degrees(g, ONE), degrees(p, ONE))
          || equivalence.same(degrees(g, RADIANS_PER_DEGREE), degrees(p, RADIANS_PER_DEGREE));
    }
    return equivalence.same(g, p);
  }

  private static MathNode indexAsVariable(MathNode node) {
    return MathNodes.replace(
        node, n -> n instanceof Const c && c.name().equals("i") ? new Sym("i") : null);
  }

  /** Degree marks as {@code outside}, except inside a function's argument, where they are π/180. */
  private static MathNode degrees(MathNode node, MathNode outside) {
    return MathNodes.replace(
        node,
        n -> {
          if (n instanceof Const c && c.name().equals("deg")) {
            return outside;
          }
          if (n instanceof Func f) {
            return new Func(f.name(), degrees(f.arg(), RADIANS_PER_DEGREE));
          }
          return null;
        });
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
    if (g instanceof Rel gr && isInequality(gr) && isIntervalLike(p)) {
      Interval asInterval = toInterval(gr);
      return asInterval != null && same(asInterval, p);
    }
    if (p instanceof Rel pr && isInequality(pr) && isIntervalLike(g)) {
      Interval asInterval = settings.allowSetRelationComparison() ? toInterval(pr) : null;
      return asInterval != null && same(g, asInterval);
    }
    if (g instanceof Rel gr && !(p instanceof Rel) && !(p instanceof Between)) {
      return namesItsValue(gr) && same(gr.rhs(), p);
    }
    if (p instanceof Rel pr && !(g instanceof Rel) && !(g instanceof Between)) {
      return namesItsValue(pr) && same(g, pr.rhs());
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
      return gi.lowClosed() == pi.lowClosed()
          && gi.highClosed() == pi.highClosed()
          && same(gi.low(), pi.low())
          && same(gi.high(), pi.high());
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
    if (g instanceof Matrix gm && p instanceof Matrix pm && sameShape(gm, pm)) {
      // Entry by entry first, so exact entries are compared exactly.
      return matchInOrder(entries(gm), entries(pm)) || sameValue(g, p);
    }
    if (isStructure(g) || isStructure(p)) {
      return false;
    }
    return sameValue(g, p);
  }

  private static boolean isStructure(MathNode n) {
    return n instanceof SetOf
        || n instanceof Tuple
        || n instanceof Interval
        || n instanceof Union
        || n instanceof Rel
        || n instanceof Between
        || n instanceof Text;
  }

  private static boolean isInequality(Rel r) {
    return !r.op().equals("=") && !r.op().equals("!=");
  }

  private static boolean isIntervalLike(MathNode n) {
    return n instanceof Interval || (n instanceof Tuple t && t.items().size() == 2);
  }

  private static boolean sameShape(Matrix a, Matrix b) {
    if (a.rows().size() != b.rows().size()) {
      return false;
    }
    for (int i = 0; i < a.rows().size(); i++) {
      if (a.rows().get(i).size() != b.rows().get(i).size()) {
        return false;
      }
    }
    return true;
  }

  private static List<MathNode> entries(Matrix m) {
    List<MathNode> out = new ArrayList<>();
    m.rows().forEach(out::addAll);
    return out;
  }

  /**
   * {@code x = 5}, {@code f(2) = 5}, {@code g(x) = x^2}, {@code |AB| = 5}, {@code (p, q) = (3, 2)}
   * stand for their right side: the left names the quantity asked for (the parser decides, see
   * {@link Rel#named()}). {@code 2x = 4}, {@code x + y = 1} or {@code 7 = 11a + c} state a
   * condition instead, and so does an equation whose right side uses a name from the left.
   */
  private static boolean namesItsValue(Rel r) {
    if (!r.op().equals("=") || r.named().isEmpty()) {
      return false;
    }
    Set<String> used = MathNodes.freeSymbols(r.rhs());
    return r.named().stream().noneMatch(used::contains);
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
    return proportional(
        new Bin('-', gn.lhs(), gn.rhs()), new Bin('-', pn.lhs(), pn.rhs()), !symmetric);
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
    return gn != null
        && pn != null
        && gn.lowOp().equals(pn.lowOp())
        && gn.highOp().equals(pn.highOp())
        && same(gn.low(), pn.low())
        && same(gn.middle(), pn.middle())
        && same(gn.high(), pn.high());
  }

  private static Between ascending(Between b) {
    boolean up = b.lowOp().startsWith("<") && b.highOp().startsWith("<");
    boolean down = b.lowOp().startsWith(">") && b.highOp().startsWith(">");
    if (up) {
      return b;
    }
    if (down) {
      return new Between(
          b.high(), b.highOp().replace('>', '<'), b.middle(), b.lowOp().replace('>', '<'), b.low());
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

  /** {@code x < 3} as {@code (-\infty, 3)}, {@code 2 \le y} as {@code [2, \infty)}; else null. */
  private static Interval toInterval(Rel r) {
    Rel up = ascending(r);
    boolean strict = up.op().equals("<");
    if (!strict && !up.op().equals("<=")) {
      return null;
    }
    if (up.lhs() instanceof Sym && !MathNodes.hasFreeSymbols(up.rhs())) {
      return new Interval(new Neg(INFINITY), up.rhs(), false, !strict);
    }
    if (up.rhs() instanceof Sym && !MathNodes.hasFreeSymbols(up.lhs())) {
      return new Interval(up.lhs(), INFINITY, !strict, false);
    }
    return null;
  }

  /**
   * d1 = c * d2 for one constant c (positive when {@code positiveOnly}) wherever either is defined:
   * exactly for rational functions, else within the error bounds at every sample point.
   */
  private boolean proportional(MathNode d1, MathNode d2, boolean positiveOnly) {
    if (complex != null) {
      return complex.proportional(d1, d2, positiveOnly);
    }
    if (isRationalFunction(d1) && isRationalFunction(d2)) {
      Boolean exact = exactlyProportional(d1, d2, positiveOnly);
      if (exact != null) {
        return exact;
      }
    }
    double ratio = Double.NaN;
    double ratioError = 0;
    int informative = 0;
    boolean bothZeroSomewhere = false;
    for (int k = 0; k < POINTS; k++) {
      budget.tick();
      final int point = k;
      Val a = evaluate(d1, name -> sample(name, point));
      Val b = evaluate(d2, name -> sample(name, point));
      if (a == null || b == null || a.matrix != null || b.matrix != null) {
        return false;
      }
      boolean aDefined = Double.isFinite(a.scalar);
      boolean bDefined = Double.isFinite(b.scalar);
      if (aDefined != bDefined) {
        return false; // defined on one side only: the relations hold on different sets
      }
      if (!aDefined) {
        continue;
      }
      boolean aZero = Math.abs(a.scalar) <= SLACK * a.error;
      boolean bZero = Math.abs(b.scalar) <= SLACK * b.error;
      if (aZero || bZero) {
        if (aZero != bZero) {
          return false;
        }
        bothZeroSomewhere = true;
        continue;
      }
      double r = a.scalar / b.scalar;
      double rError =
          Math.abs(r) * (a.error / Math.abs(a.scalar) + b.error / Math.abs(b.scalar) + 2 * U);
      if (rError > UNINFORMATIVE * Math.abs(r)) {
        continue;
      }
      if (Double.isNaN(ratio)) {
        ratio = r;
        ratioError = rError;
      } else if (Math.abs(r - ratio) > SLACK * (rError + ratioError)) {
        return false;
      }
      informative++;
    }
    if (informative == 0) {
      return bothZeroSomewhere
          && !positiveOnly; // both sides vanish identically: both hold everywhere
    }
    return !positiveOnly || ratio > 0;
  }

  /** Exact version of {@link #proportional} at the rational sample points; null when too large. */
  private Boolean exactlyProportional(MathNode d1, MathNode d2, boolean positiveOnly) {
    ExactNumber ratio = null;
    int compared = 0;
    boolean bothZeroSomewhere = false;
    for (int k = 0; k < POINTS; k++) {
      final int point = k;
      Exact a = exactAt(d1, name -> exactSample(name, point));
      Exact b = exactAt(d2, name -> exactSample(name, point));
      if (a == Exact.TOO_LARGE || b == Exact.TOO_LARGE) {
        return null;
      }
      if (a.undefined() || b.undefined()) {
        if (a.undefined() != b.undefined()) {
          return false;
        }
        continue;
      }
      if (a.value().signum() == 0 || b.value().signum() == 0) {
        if (a.value().signum() != b.value().signum()) {
          return false;
        }
        bothZeroSomewhere = true;
        continue;
      }
      ExactNumber r = a.value().divide(b.value());
      if (ratio == null) {
        ratio = r;
      } else if (!ratio.equals(r)) {
        return false;
      }
      compared++;
    }
    if (compared == 0) {
      return bothZeroSomewhere && !positiveOnly;
    }
    return !positiveOnly || ratio.signum() > 0;
  }

  // ------------------------------------------------------------ values

  private boolean sameValue(MathNode g, MathNode p) {
    if (complex != null) {
      return complex.sameValue(g, p);
    }
    boolean gApproximate = MathNodes.hasDecimal(g);
    boolean pApproximate = MathNodes.hasDecimal(p);
    // Decimals on both sides are two exact numbers; on one side, an approximation of the other.
    boolean rounding = gApproximate != pApproximate;
    ExactNumber eg = exact(g);
    ExactNumber ep = eg == null ? null : exact(p);
    if (eg != null && ep != null) {
      return eg.equals(ep) || (rounding && roundedEqual(eg, ep, gApproximate ? ep : eg, places()));
    }
    if (agree(g, p, Map.of(), rounding)) {
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
        return agree(g, p, rename, rounding);
      }
    }
    return false;
  }

  /** Exactly for rational functions, else by evaluation with error bounds. */
  private boolean agree(
      MathNode g, MathNode p, Map<String, String> renamePredicted, boolean rounding) {
    if (isRationalFunction(g) && isRationalFunction(p)) {
      Boolean exact = exactlyEqual(g, p, renamePredicted);
      if (exact != null && (exact || !rounding)) {
        return exact;
      }
    }
    return agreeEverywhere(g, p, renamePredicted, rounding);
  }

  /**
   * Equal at every rational sample point, computed exactly; null when the numbers grow too large.
   */
  private Boolean exactlyEqual(MathNode g, MathNode p, Map<String, String> renamePredicted) {
    int compared = 0;
    for (int k = 0; k < POINTS; k++) {
      budget.tick();
      final int point = k;
      Exact a = exactAt(g, name -> exactSample(name, point));
      Exact b = exactAt(p, name -> exactSample(renamePredicted.getOrDefault(name, name), point));
      if (a == Exact.TOO_LARGE || b == Exact.TOO_LARGE) {
        return null;
      }
      if (a.undefined() || b.undefined()) {
        if (a.undefined() != b.undefined()) {
          return false;
        }
        continue;
      }
      if (!a.value().equals(b.value())) {
        return false;
      }
      compared++;
    }
    return compared >= MIN_COMPARED_POINTS;
  }

  private boolean agreeEverywhere(
      MathNode g, MathNode p, Map<String, String> renamePredicted, boolean rounding) {
    boolean constant = !MathNodes.hasFreeSymbols(g) && !MathNodes.hasFreeSymbols(p);
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
            if (compare(a.matrix[i][j], a.error, b.matrix[i][j], b.error, rounding, constant)
                != Point.AGREE) {
              return false;
            }
          }
        }
        if (constant) {
          return true;
        }
        compared++;
        continue;
      }
      Point result = compare(a.scalar, a.error, b.scalar, b.error, rounding, constant);
      if (result == Point.DIFFER) {
        return false;
      }
      if (result == Point.AGREE) {
        if (constant) {
          return true; // constants: one point decides
        }
        compared++;
      }
    }
    return !constant && compared >= MIN_COMPARED_POINTS;
  }

  private enum Point {
    AGREE,
    DIFFER,
    UNDECIDED
  }

  /**
   * One point: undefined on both sides decides nothing, on one side only is a difference; defined
   * values agree within their error bounds (or, for an approximation, at {@code floatRounding}).
   */
  private Point compare(
      double a, double aError, double b, double bError, boolean rounding, boolean constant) {
    boolean aDefined = Double.isFinite(a);
    boolean bDefined = Double.isFinite(b);
    if (!aDefined || !bDefined) {
      if (aDefined || bDefined) {
        return Point.DIFFER;
      }
      // Both undefined. A constant such as \infty is a value: the same infinity agrees.
      if (constant && Double.isInfinite(a) && a == b) {
        return Point.AGREE;
      }
      return constant ? Point.DIFFER : Point.UNDECIDED;
    }
    double size = Math.max(Math.abs(a), Math.abs(b));
    double bound = SLACK * (aError + bError) + Double.MIN_NORMAL;
    if (Math.abs(a - b) <= bound) {
      // Agreement within an error bound as large as the values themselves (or, near zero, as large
      // as 10^-6) shows nothing.
      return aError + bError <= UNINFORMATIVE * Math.max(size, 1) || a == b
          ? Point.AGREE
          : Point.UNDECIDED;
    }
    if (rounding && roundedEqual(a, b, constant, places())) {
      return Point.AGREE;
    }
    return Point.DIFFER;
  }

  /**
   * Math-Verify's rounding, never across a sign or from a non-zero value to zero, and only when the
   * exact value has no exact decimal form within the places compared: {@code 0.333333} may stand
   * for {@code 1/3}, but {@code 0.9999999} does not stand for {@code 1}, which it could have
   * written.
   */
  static boolean roundedEqual(ExactNumber a, ExactNumber b, ExactNumber exactSide, int places) {
    if (a.signum() != b.signum()) {
      return false;
    }
    if (multiply(exactSide, ExactNumber.of(BigInteger.TEN.pow(places), BigInteger.ONE))
        .isInteger()) {
      return false;
    }
    BigDecimal ra =
        new BigDecimal(a.numerator())
            .divide(new BigDecimal(a.denominator()), places, RoundingMode.HALF_UP);
    BigDecimal rb =
        new BigDecimal(b.numerator())
            .divide(new BigDecimal(b.denominator()), places, RoundingMode.HALF_UP);
    return ra.compareTo(rb) == 0;
  }

  /**
   * For constants, rounding to {@code floatRounding} places; with variables, where a value may be
   * tiny or huge, the same precision relative to the values' size.
   */
  static boolean roundedEqual(double a, double b, boolean constant, int places) {
    if (Math.signum(a) != Math.signum(b)) {
      return false;
    }
    if (!constant) {
      return Math.abs(a - b) <= 0.5 * Math.pow(10, -places) * Math.max(Math.abs(a), Math.abs(b));
    }
    BigDecimal ra = BigDecimal.valueOf(a).setScale(places, RoundingMode.HALF_UP);
    BigDecimal rb = BigDecimal.valueOf(b).setScale(places, RoundingMode.HALF_UP);
    return ra.compareTo(rb) == 0;
  }

  private int places() {
    return Math.max(0, Math.min(settings.floatRounding(), 15));
  }

  private static boolean sameShape(double[][] a, double[][] b) {
    return a.length == b.length && (a.length == 0 || a[0].length == b[0].length);
  }

  // ------------------------------------------------------------ sample points

  /**
   * A reproducible value for a variable at one point, derived from its name (thread-safe, no shared
   * generator). Magnitudes by point: around 1, 3 to 12, 0.05 to 0.95, 10^-4 to 10^-3 (near zero),
   * 100 to 10^4 (large), around 1 again; points 0-5 positive, 6-11 negative, except points 4, 5, 10
   * and 11, where each variable's sign comes from its name, so signs mix. Every value is a dyadic
   * rational with at most 20 significant bits, so exact evaluation stays small.
   */
  static double sample(String name, int point) {
    long h = name.hashCode() * 0x9E3779B97F4A7C15L + (point + 1) * 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    h ^= h >>> 29;
    double unit = (h >>> 11) * 0x1.0p-53;
    double magnitude =
        switch (point % 6) {
          case 0, 5 -> 0.3 + 2.4 * unit;
          case 1 -> 3.0 + 9.0 * unit;
          case 2 -> 0.05 + 0.9 * unit;
          case 3 -> 1e-4 + 9e-4 * unit;
          default -> 100 + 9900 * unit;
        };
    boolean mixed = point % 6 >= 4;
    boolean negative = mixed ? (h & 1) == 1 : point >= 6;
    int shift = 19 - Math.getExponent(magnitude);
    double rounded = Math.scalb(Math.rint(Math.scalb(magnitude, shift)), -shift);
    return negative ? -rounded : rounded;
  }

  /** {@link #sample} as an exact rational. */
  static ExactNumber exactSample(String name, int point) {
    double d = sample(name, point);
    int exponent = Math.getExponent(d) - 52;
    long mantissa = (long) Math.scalb(Math.abs(d), -exponent);
    BigInteger numerator = BigInteger.valueOf(d < 0 ? -mantissa : mantissa);
    return exponent >= 0
        ? ExactNumber.of(numerator.shiftLeft(exponent), BigInteger.ONE)
        : ExactNumber.of(numerator, BigInteger.ONE.shiftLeft(-exponent));
  }

  // ------------------------------------------------------------ exact arithmetic

  /** Variables, rationals, {@code + - * /} and integer powers only. */
  private static boolean isRationalFunction(MathNode node) {
    if (node instanceof Num || node instanceof Sym) {
      return true;
    }
    if (node instanceof Neg n) {
      return isRationalFunction(n.operand());
    }
    if (node instanceof Bin b) {
      if (b.op() == '^') {
        return isRationalFunction(b.left())
            && !MathNodes.hasFreeSymbols(b.right())
            && isRationalFunction(b.right());
      }
      return isRationalFunction(b.left()) && isRationalFunction(b.right());
    }
    return false;
  }

  /** An exact value at a point: a number, undefined (division by zero), or too large to compute. */
  private record Exact(ExactNumber value, boolean tooLarge) {
    static final Exact UNDEFINED = new Exact(null, false);
    static final Exact TOO_LARGE = new Exact(null, true);

    boolean undefined() {
      return value == null && !tooLarge;
    }
  }

  private Exact exactAt(MathNode node, Function<String, ExactNumber> variables) {
    budget.tick();
    if (node instanceof Sym s) {
      return new Exact(variables.apply(s.name()), false);
    }
    if (node instanceof Num) {
      ExactNumber v = exact(node);
      return v == null ? Exact.TOO_LARGE : new Exact(v, false);
    }
    if (node instanceof Neg neg) {
      Exact x = exactAt(neg.operand(), variables);
      return x.value() == null ? x : new Exact(x.value().negate(), false);
    }
    if (!(node instanceof Bin b)) {
      return Exact.TOO_LARGE;
    }
    Exact l = exactAt(b.left(), variables);
    if (l.value() == null) {
      return l;
    }
    Exact r = exactAt(b.right(), variables);
    if (r.value() == null) {
      return r;
    }
    switch (b.op()) {
      case '+':
        return new Exact(l.value().add(r.value()), false);
      case '-':
        return new Exact(l.value().add(r.value().negate()), false);
      case '*':
        return new Exact(multiply(l.value(), r.value()), false);
      case '/':
        return r.value().signum() == 0
            ? Exact.UNDEFINED
            : new Exact(l.value().divide(r.value()), false);
      case '^':
        {
          if (!r.value().isInteger()) {
            return Exact.TOO_LARGE;
          }
          if (r.value().signum() < 0 && l.value().signum() == 0) {
            return Exact.UNDEFINED;
          }
          ExactNumber raised = power(l.value(), r.value());
          return raised == null ? Exact.TOO_LARGE : new Exact(raised, false);
        }
      default:
        return Exact.TOO_LARGE;
    }
  }

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
    return ExactNumber.of(
        a.numerator().multiply(b.numerator()), a.denominator().multiply(b.denominator()));
  }

  /** Integer powers only, and only while the result stays small (10^{10^{10}} is refused). */
  private static ExactNumber power(ExactNumber base, ExactNumber exponent) {
    if (!exponent.isInteger() || exponent.numerator().bitLength() > 31) {
      return null;
    }
    int e = exponent.numerator().intValueExact();
    long bits =
        (long) Math.max(base.numerator().bitLength(), base.denominator().bitLength())
            * Math.abs((long) e);
    if (bits > MAX_EXACT_BITS) {
      return null;
    }
    if (e < 0 && base.signum() == 0) {
      return null;
    }
    ExactNumber raised =
        ExactNumber.of(base.numerator().pow(Math.abs(e)), base.denominator().pow(Math.abs(e)));
    return e >= 0 ? raised : ExactNumber.ONE.divide(raised);
  }

  // ------------------------------------------------------------ numeric evaluation

  /**
   * A scalar or a matrix value with a bound on its accumulated rounding error (first order: each
   * operation adds its own rounding and propagates its operands' errors). Not finite means
   * undefined at that point.
   */
  private static final class Val {
    final double scalar;
    final double[][] matrix;
    final double error;

    Val(double scalar, double error) {
      this.scalar = scalar;
      this.matrix = null;
      this.error = Double.isFinite(error) ? Math.abs(error) : Double.POSITIVE_INFINITY;
    }

    Val(double[][] matrix, double error) {
      this.scalar = Double.NaN;
      this.matrix = matrix;
      this.error = Double.isFinite(error) ? Math.abs(error) : Double.POSITIVE_INFINITY;
    }

    static Val exactly(double v) {
      return new Val(v, 0);
    }

    static Val rounded(double v) {
      return new Val(v, U * Math.abs(v));
    }
  }

  /** The value at one point, or null when the tree is not a number or matrix (a set, text, ...). */
  private Val evaluate(MathNode node, ToDoubleFunction<String> variables) {
    budget.tick();
    if (node instanceof Num n) {
      double v = n.value().doubleValue();
      boolean representable =
          !n.decimal() && Math.abs(v) < 0x1.0p53 && n.value().stripTrailingZeros().scale() <= 0;
      return representable ? Val.exactly(v) : Val.rounded(v);
    }
    if (node instanceof Const c) {
      return switch (c.name()) {
        case "pi" -> Val.rounded(Math.PI);
        case "e" -> Val.rounded(Math.E);
        default -> Val.exactly(Double.POSITIVE_INFINITY);
      };
    }
    if (node instanceof Sym s) {
      return Val.exactly(variables.applyAsDouble(s.name()));
    }
    if (node instanceof Neg n) {
      Val v = evaluate(n.operand(), variables);
      return v == null ? null : scale(v, -1, 0);
    }
    if (node instanceof Func f) {
      Val v = evaluate(f.arg(), variables);
      return v == null || v.matrix != null ? null : applyWithError(f.name(), v);
    }
    if (node instanceof Matrix m) {
      int rows = m.rows().size();
      int cols = m.rows().get(0).size();
      double[][] out = new double[rows][cols];
      double error = 0;
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          Val v = evaluate(m.rows().get(i).get(j), variables);
          if (v == null || v.matrix != null) {
            return null;
          }
          out[i][j] = v.scalar;
          error = Math.max(error, v.error);
        }
      }
      return new Val(out, error);
    }
    if (node instanceof Bin b) {
      Val l = evaluate(b.left(), variables);
      Val r = l == null ? null : evaluate(b.right(), variables);
      if (r == null) {
        return null;
      }
      if (b.op() == '^' && l.matrix == null && r.matrix == null) {
        return power(l, r, b.right());
      }
      return combine(b.op(), l, r);
    }
    return null;
  }

  private static Val combine(char op, Val l, Val r) {
    if (l.matrix == null && r.matrix == null) {
      double a = l.scalar;
      double b = r.scalar;
      return switch (op) {
        case '+' -> withRounding(a + b, l.error + r.error);
        case '-' -> withRounding(a - b, l.error + r.error);
        case '*' ->
            withRounding(a * b, Math.abs(a) * r.error + Math.abs(b) * l.error + l.error * r.error);
        case '/' -> {
          double q = a / b;
          // An error bound that reaches the divisor means the quotient could be anything.
          double err =
              r.error >= Math.abs(b)
                  ? Double.POSITIVE_INFINITY
                  : (l.error + Math.abs(q) * r.error) / (Math.abs(b) - r.error);
          yield withRounding(q, err);
        }
        default -> null;
      };
    }
    switch (op) {
      case '+':
      case '-':
        {
          if (l.matrix == null || r.matrix == null || !sameShape(l.matrix, r.matrix)) {
            return null;
          }
          double[][] sum = new double[l.matrix.length][l.matrix[0].length];
          double largest = 0;
          for (int i = 0; i < sum.length; i++) {
            for (int j = 0; j < sum[i].length; j++) {
              sum[i][j] =
                  op == '+' ? l.matrix[i][j] + r.matrix[i][j] : l.matrix[i][j] - r.matrix[i][j];
              largest = Math.max(largest, Math.abs(sum[i][j]));
            }
          }
          return new Val(sum, l.error + r.error + U * largest);
        }
      case '*':
        if (l.matrix == null) {
          return scale(r, l.scalar, l.error);
        }
        if (r.matrix == null) {
          return scale(l, r.scalar, r.error);
        }
        return product(l, r);
      case '/':
        if (r.matrix != null || r.error >= Math.abs(r.scalar)) {
          return null;
        }
        return scale(l, 1 / r.scalar, r.error / (r.scalar * r.scalar));
      default:
        return null;
    }
  }

  private static Val withRounding(double v, double propagated) {
    return new Val(v, propagated + U * Math.abs(v));
  }

  /** {@code v * factor}, where {@code factor} carries an error of its own. */
  private static Val scale(Val v, double factor, double factorError) {
    if (v.matrix == null) {
      return withRounding(
          v.scalar * factor, Math.abs(factor) * v.error + Math.abs(v.scalar) * factorError);
    }
    double[][] out = new double[v.matrix.length][];
    double largest = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = v.matrix[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        largest = Math.max(largest, Math.abs(out[i][j]));
        out[i][j] *= factor;
      }
    }
    return new Val(
        out, Math.abs(factor) * v.error + largest * factorError + U * largest * Math.abs(factor));
  }

  private static Val product(Val l, Val r) {
    double[][] a = l.matrix;
    double[][] b = r.matrix;
    if (a[0].length != b.length || (long) a.length * b[0].length * b.length > 10_000) {
      return null;
    }
    double[][] out = new double[a.length][b[0].length];
    double largestA = 0;
    double largestB = 0;
    for (double[] row : a) {
      for (double x : row) {
        largestA = Math.max(largestA, Math.abs(x));
      }
    }
    for (double[] row : b) {
      for (double x : row) {
        largestB = Math.max(largestB, Math.abs(x));
      }
    }
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        double s = 0;
        for (int k = 0; k < b.length; k++) {
          s += a[i][k] * b[k][j];
        }
        out[i][j] = s;
      }
    }
    int n = b.length;
    double error =
        n
            * (largestA * r.error
                + largestB * l.error
                + l.error * r.error
                + (n + 1) * U * largestA * largestB);
    return new Val(out, error);
  }

  /**
   * {@code base^exponent}. A rational exponent with an odd denominator takes the real root of a
   * negative base ({@code (-8)^{1/3} = -2}); the error is propagated through the neighbouring
   * values.
   */
  private Val power(Val base, Val exponent, MathNode exponentTree) {
    double a = base.scalar;
    double b = exponent.scalar;
    double v = Math.pow(a, b);
    if (Double.isNaN(v) && a < 0 && Double.isFinite(a)) {
      ExactNumber e = MathNodes.hasFreeSymbols(exponentTree) ? null : exact(exponentTree);
      if (e != null && e.denominator().testBit(0) && e.denominator().bitLength() < 31) {
        double magnitude = Math.pow(-a, b);
        v = e.numerator().testBit(0) ? -magnitude : magnitude;
      }
    }
    if (!Double.isFinite(v) || (base.error == 0 && exponent.error == 0)) {
      return Val.rounded(v);
    }
    double spread = 0;
    for (double da : new double[] {-base.error, base.error}) {
      for (double db : new double[] {-exponent.error, exponent.error}) {
        double w = Math.pow(a + da, b + db);
        if (Double.isNaN(w) && a < 0 && a + da < 0) {
          w = Math.signum(v) * Math.pow(-(a + da), b + db); // the real root, as for v
        }
        spread = Math.max(spread, Double.isFinite(w) ? Math.abs(w - v) : Double.POSITIVE_INFINITY);
      }
    }
    return new Val(v, spread + 2 * U * Math.abs(v));
  }

  /** A function applied to a value with an error: the spread of the function over that error. */
  private static Val applyWithError(String function, Val x) {
    double v = apply(function, x.scalar);
    double error = 2 * U * Math.abs(v);
    if (x.error > 0 && Double.isFinite(v)) {
      double below = apply(function, x.scalar - x.error);
      double above = apply(function, x.scalar + x.error);
      double spread = 0;
      for (double w : new double[] {below, above}) {
        if (!Double.isNaN(w)) {
          spread =
              Math.max(spread, Double.isFinite(w) ? Math.abs(w - v) : Double.POSITIVE_INFINITY);
        }
      }
      error += spread;
    }
    if (function.equals("fact")) {
      error += 170 * U * Math.abs(v);
    }
    return new Val(v, error);
  }

  /** A real function at a real point; NaN where it is not defined. */
  static double apply(String function, double x) {
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
      case "ln", "log" -> x == 0 ? Double.NaN : Math.log(x);
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
    if (node instanceof Rel r && r.op().equals("=") && !MathNodes.containsPlusMinus(r.lhs())) {
      // x = \pm 3 is the two equations x = 3 and x = -3.
      return alternatives(r.rhs()).stream()
          .map(x -> (MathNode) new Rel("=", r.lhs(), x, r.named()))
          .toList();
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
