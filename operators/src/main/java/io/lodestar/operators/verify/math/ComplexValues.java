package io.lodestar.operators.verify.math;

import io.lodestar.operators.verify.ExactNumber;
import io.lodestar.operators.verify.math.MathNode.Bin;
import io.lodestar.operators.verify.math.MathNode.Const;
import io.lodestar.operators.verify.math.MathNode.Func;
import io.lodestar.operators.verify.math.MathNode.Neg;
import io.lodestar.operators.verify.math.MathNode.Num;
import io.lodestar.operators.verify.math.MathNode.Sym;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Value comparison in the complex numbers, used by {@link Equivalence} when either answer speaks of
 * them (the imaginary unit {@code i}, a variable {@code z} or {@code w}, a conjugate, Re, Im, arg).
 * The same contract as the real comparison: "equal" only when sure.
 *
 * <p><b>Exactly</b> where possible: numbers built from rationals and {@code i} with {@code + - * /}
 * and integer powers are Gaussian rationals ({@code a + bi}, a and b exact), so {@code 3+4i} and
 * {@code 4i+3} are equal and {@code 3+4i} and {@code 3-4i} are not, whatever their size; rational
 * functions of variables are evaluated exactly at the sample points.
 *
 * <p><b>Otherwise in double precision</b> with a bound on the rounding error of the real and of the
 * imaginary part, as for real values: two values agree when both parts agree within a small
 * multiple of their bounds. Functions take their principal values ({@code \sqrt{-4} = 2i}, {@code
 * \ln(-1) = i\pi}); a real argument where the real function is defined takes the real function, and
 * an odd root of a negative real is real, as in the real comparison. The error of a function is the
 * spread of its values over the error of its argument, so a value near a branch cut (where a
 * rounding error could change the branch) decides nothing.
 *
 * <p><b>Sample points.</b> Variables other than {@code z} and {@code w} are real ({@code x + iy}
 * has real parts x and y), sampled as in the real comparison. {@code z} and {@code w} (also {@code
 * z_1}, {@code w'}) are complex: at each point both parts are drawn, in every quadrant, so
 * identities true only on the reals, such as {@code \bar z = z}, {@code |z|^2 = z^2}, {@code
 * \sqrt{z^2} = z}, are told apart.
 */
final class ComplexValues {

  private static final double U = 0x1.0p-53;
  private static final double SLACK = 8;
  private static final double UNINFORMATIVE = 1e-6;
  private static final int MAX_EXACT_BITS = 20_000;
  private static final String IMAGINARY_PART_SEED = "\u0001im";

  /** An exact Gaussian rational {@code re + im·i}. */
  record Gaussian(ExactNumber re, ExactNumber im) {
    static final Gaussian ONE = new Gaussian(ExactNumber.ONE, ExactNumber.ZERO);
    static final Gaussian I = new Gaussian(ExactNumber.ZERO, ExactNumber.ONE);

    static Gaussian real(ExactNumber re) {
      return new Gaussian(re, ExactNumber.ZERO);
    }

    boolean isZero() {
      return re.signum() == 0 && im.signum() == 0;
    }

    Gaussian add(Gaussian o) {
      return new Gaussian(re.add(o.re), im.add(o.im));
    }

    Gaussian negate() {
      return new Gaussian(re.negate(), im.negate());
    }

    Gaussian multiply(Gaussian o) {
      return new Gaussian(
          times(re, o.re).add(times(im, o.im).negate()), times(re, o.im).add(times(im, o.re)));
    }

    /** Null when {@code o} is zero. */
    Gaussian divide(Gaussian o) {
      ExactNumber norm = times(o.re, o.re).add(times(o.im, o.im));
      if (norm.signum() == 0) {
        return null;
      }
      Gaussian numerator = multiply(new Gaussian(o.re, o.im.negate()));
      return new Gaussian(numerator.re.divide(norm), numerator.im.divide(norm));
    }

    int bits() {
      return Math.max(
              Math.max(re.numerator().bitLength(), re.denominator().bitLength()),
              Math.max(im.numerator().bitLength(), im.denominator().bitLength()))
          + 1;
    }

    private static ExactNumber times(ExactNumber a, ExactNumber b) {
      return ExactNumber.of(
          a.numerator().multiply(b.numerator()), a.denominator().multiply(b.denominator()));
    }
  }

  /** An exact value at a point: a number, undefined (division by zero), or too large to compute. */
  private record Exact(Gaussian value, boolean tooLarge) {
    static final Exact UNDEFINED = new Exact(null, false);
    static final Exact TOO_LARGE = new Exact(null, true);

    boolean undefined() {
      return value == null && !tooLarge;
    }
  }

  /**
   * A value with bounds on the rounding error of its real and imaginary parts. A computation on
   * reals keeps an imaginary part of exactly 0 with no error, so reals stay reals. Not finite means
   * undefined at that point.
   */
  private record Val(double re, double im, double reError, double imError) {
    static Val of(double re, double im, double reError, double imError) {
      return new Val(re, im + 0.0, bound(reError), bound(imError)); // + 0.0 turns -0.0 into 0.0
    }

    private static double bound(double e) {
      return Double.isFinite(e) ? Math.abs(e) : Double.POSITIVE_INFINITY;
    }

    static Val real(double v, double error) {
      return of(v, 0, error, 0);
    }

    boolean defined() {
      return Double.isFinite(re) && Double.isFinite(im);
    }

    boolean isReal() {
      return im == 0 && imError == 0;
    }

    double modulus() {
      return Math.hypot(re, im);
    }

    double error() {
      return reError + imError;
    }
  }

  private static final Val ONE = Val.real(1, 0);
  private static final Val I = Val.of(0, 1, 0, 0);

  private final Equivalence.Settings settings;
  private final Budget budget;

  ComplexValues(Equivalence.Settings settings, Budget budget) {
    this.settings = settings;
    this.budget = budget;
  }

  // ------------------------------------------------------------ values

  boolean sameValue(MathNode g, MathNode p) {
    boolean gApproximate = MathNodes.hasDecimal(g);
    boolean pApproximate = MathNodes.hasDecimal(p);
    boolean rounding = gApproximate != pApproximate;
    Gaussian eg = exactConstant(g);
    Gaussian ep = eg == null ? null : exactConstant(p);
    if (eg != null && ep != null) {
      if (eg.equals(ep)) {
        return true;
      }
      Gaussian exactSide = gApproximate ? ep : eg;
      int places = places();
      return rounding
          && (eg.re().equals(ep.re())
              || Equivalence.roundedEqual(eg.re(), ep.re(), exactSide.re(), places))
          && (eg.im().equals(ep.im())
              || Equivalence.roundedEqual(eg.im(), ep.im(), exactSide.im(), places));
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

  private int places() {
    return Math.max(0, Math.min(settings.floatRounding(), 15));
  }

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

  private Boolean exactlyEqual(MathNode g, MathNode p, Map<String, String> renamePredicted) {
    int compared = 0;
    for (int k = 0; k < Equivalence.POINTS; k++) {
      budget.tick();
      final int point = k;
      Exact a = exactAt(g, name -> exactSample(name, point));
      Exact b = exactAt(p, name -> exactSample(renamePredicted.getOrDefault(name, name), point));
      if (a.tooLarge() || b.tooLarge()) {
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
    return compared >= Equivalence.MIN_COMPARED_POINTS;
  }

  private boolean agreeEverywhere(
      MathNode g, MathNode p, Map<String, String> renamePredicted, boolean rounding) {
    boolean constant = !MathNodes.hasFreeSymbols(g) && !MathNodes.hasFreeSymbols(p);
    int compared = 0;
    for (int k = 0; k < Equivalence.POINTS; k++) {
      budget.tick();
      final int point = k;
      Val a = evaluate(g, name -> sample(name, point));
      Val b = evaluate(p, name -> sample(renamePredicted.getOrDefault(name, name), point));
      if (a == null || b == null) {
        return false;
      }
      Point result = compare(a, b, rounding, constant);
      if (result == Point.DIFFER) {
        return false;
      }
      if (result == Point.AGREE) {
        if (constant) {
          return true;
        }
        compared++;
      }
    }
    return !constant && compared >= Equivalence.MIN_COMPARED_POINTS;
  }

  private enum Point {
    AGREE,
    DIFFER,
    UNDECIDED
  }

  /** One point, part by part, as {@code Equivalence} compares real values. */
  private Point compare(Val a, Val b, boolean rounding, boolean constant) {
    if (!a.defined() || !b.defined()) {
      if (a.defined() || b.defined()) {
        return Point.DIFFER;
      }
      boolean sameInfinity =
          Double.isInfinite(a.re()) && a.re() == b.re() && a.im() == 0 && b.im() == 0;
      return constant ? (sameInfinity ? Point.AGREE : Point.DIFFER) : Point.UNDECIDED;
    }
    boolean reWithin =
        Math.abs(a.re() - b.re()) <= SLACK * (a.reError() + b.reError()) + Double.MIN_NORMAL;
    boolean imWithin =
        Math.abs(a.im() - b.im()) <= SLACK * (a.imError() + b.imError()) + Double.MIN_NORMAL;
    boolean informative =
        a.error() + b.error() <= UNINFORMATIVE * Math.max(Math.max(a.modulus(), b.modulus()), 1);
    if (reWithin && imWithin) {
      return informative || (a.re() == b.re() && a.im() == b.im()) ? Point.AGREE : Point.UNDECIDED;
    }
    if (rounding) {
      boolean reClose = reWithin || Equivalence.roundedEqual(a.re(), b.re(), constant, places());
      boolean imClose = imWithin || Equivalence.roundedEqual(a.im(), b.im(), constant, places());
      if (reClose && imClose) {
        return informative ? Point.AGREE : Point.UNDECIDED;
      }
    }
    return Point.DIFFER;
  }

  // ------------------------------------------------------------ relations

  /**
   * {@code d1 = c · d2} for one complex constant c (real and positive when {@code positiveOnly}).
   */
  boolean proportional(MathNode d1, MathNode d2, boolean positiveOnly) {
    if (isRationalFunction(d1) && isRationalFunction(d2)) {
      Boolean exact = exactlyProportional(d1, d2, positiveOnly);
      if (exact != null) {
        return exact;
      }
    }
    Val ratio = null;
    int informative = 0;
    boolean bothZeroSomewhere = false;
    for (int k = 0; k < Equivalence.POINTS; k++) {
      budget.tick();
      final int point = k;
      Val a = evaluate(d1, name -> sample(name, point));
      Val b = evaluate(d2, name -> sample(name, point));
      if (a == null || b == null) {
        return false;
      }
      if (a.defined() != b.defined()) {
        return false;
      }
      if (!a.defined()) {
        continue;
      }
      boolean aZero = a.modulus() <= SLACK * a.error();
      boolean bZero = b.modulus() <= SLACK * b.error();
      if (aZero || bZero) {
        if (aZero != bZero) {
          return false;
        }
        bothZeroSomewhere = true;
        continue;
      }
      Val r = divide(a, b);
      if (!r.defined() || r.error() > UNINFORMATIVE * r.modulus()) {
        continue;
      }
      if (ratio == null) {
        ratio = r;
      } else if (Math.abs(r.re() - ratio.re()) > SLACK * (r.reError() + ratio.reError())
          || Math.abs(r.im() - ratio.im()) > SLACK * (r.imError() + ratio.imError())) {
        return false;
      }
      informative++;
    }
    if (informative == 0) {
      return bothZeroSomewhere && !positiveOnly;
    }
    return !positiveOnly || (Math.abs(ratio.im()) <= SLACK * ratio.imError() && ratio.re() > 0);
  }

  private Boolean exactlyProportional(MathNode d1, MathNode d2, boolean positiveOnly) {
    Gaussian ratio = null;
    int compared = 0;
    boolean bothZeroSomewhere = false;
    for (int k = 0; k < Equivalence.POINTS; k++) {
      budget.tick();
      final int point = k;
      Exact a = exactAt(d1, name -> exactSample(name, point));
      Exact b = exactAt(d2, name -> exactSample(name, point));
      if (a.tooLarge() || b.tooLarge()) {
        return null;
      }
      if (a.undefined() || b.undefined()) {
        if (a.undefined() != b.undefined()) {
          return false;
        }
        continue;
      }
      if (a.value().isZero() || b.value().isZero()) {
        if (a.value().isZero() != b.value().isZero()) {
          return false;
        }
        bothZeroSomewhere = true;
        continue;
      }
      Gaussian r = a.value().divide(b.value());
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
    return !positiveOnly || (ratio.im().signum() == 0 && ratio.re().signum() > 0);
  }

  // ------------------------------------------------------------ sample points

  /**
   * A real variable's value is the real comparison's; {@code z} and {@code w} get an imaginary part
   * too.
   */
  private static Val sample(String name, int point) {
    double re = Equivalence.sample(name, point);
    double im =
        MathNodes.isComplexVariable(name)
            ? Equivalence.sample(name + IMAGINARY_PART_SEED, point)
            : 0;
    return Val.of(re, im, 0, 0);
  }

  private static Gaussian exactSample(String name, int point) {
    ExactNumber re = Equivalence.exactSample(name, point);
    ExactNumber im =
        MathNodes.isComplexVariable(name)
            ? Equivalence.exactSample(name + IMAGINARY_PART_SEED, point)
            : ExactNumber.ZERO;
    return new Gaussian(re, im);
  }

  // ------------------------------------------------------------ exact arithmetic

  /** Variables, rationals, {@code i}, {@code + - * /} and powers by constants. */
  private static boolean isRationalFunction(MathNode node) {
    if (node instanceof Num
        || node instanceof Sym
        || (node instanceof Const c && c.name().equals("i"))) {
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

  /** The exact value of a number without variables, or null when it has none (or too large). */
  private Gaussian exactConstant(MathNode node) {
    if (!isRationalFunction(node) || MathNodes.hasFreeSymbols(node)) {
      return null;
    }
    return exactAt(node, name -> null).value();
  }

  private Exact exactAt(MathNode node, Function<String, Gaussian> variables) {
    budget.tick();
    if (node instanceof Sym s) {
      Gaussian v = variables.apply(s.name());
      return v == null ? Exact.TOO_LARGE : new Exact(v, false);
    }
    if (node instanceof Const c) {
      return c.name().equals("i") ? new Exact(Gaussian.I, false) : Exact.TOO_LARGE;
    }
    if (node instanceof Num n) {
      BigDecimal v = n.value();
      if (v.scale() > 200 || v.precision() > 2000) {
        return Exact.TOO_LARGE;
      }
      ExactNumber x =
          v.scale() <= 0
              ? ExactNumber.of(v.toBigInteger(), BigInteger.ONE)
              : ExactNumber.of(v.unscaledValue(), BigInteger.TEN.pow(v.scale()));
      return new Exact(Gaussian.real(x), false);
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
        return new Exact(l.value().multiply(r.value()), false);
      case '/':
        {
          Gaussian q = l.value().divide(r.value());
          return q == null ? Exact.UNDEFINED : new Exact(q, false);
        }
      case '^':
        return power(l.value(), r.value());
      default:
        return Exact.TOO_LARGE;
    }
  }

  /** Integer powers only, while the result stays small. */
  private static Exact power(Gaussian base, Gaussian exponent) {
    if (exponent.im().signum() != 0
        || !exponent.re().isInteger()
        || exponent.re().numerator().bitLength() > 31) {
      return Exact.TOO_LARGE;
    }
    int e = exponent.re().numerator().intValueExact();
    if ((long) base.bits() * Math.abs((long) e) > MAX_EXACT_BITS) {
      return Exact.TOO_LARGE;
    }
    if (e < 0 && base.isZero()) {
      return Exact.UNDEFINED;
    }
    Gaussian result = Gaussian.ONE;
    Gaussian square = base;
    for (int n = Math.abs(e); n > 0; n >>>= 1) {
      if ((n & 1) == 1) {
        result = result.multiply(square);
      }
      if (n > 1) {
        square = square.multiply(square);
      }
    }
    return new Exact(e >= 0 ? result : Gaussian.ONE.divide(result), false);
  }

  // ------------------------------------------------------------ numeric evaluation

  /** The value at one point, or null when the tree is not a number (a set, a matrix, text, ...). */
  private Val evaluate(MathNode node, Function<String, Val> variables) {
    budget.tick();
    if (node instanceof Num n) {
      double v = n.value().doubleValue();
      boolean representable =
          !n.decimal() && Math.abs(v) < 0x1.0p53 && n.value().stripTrailingZeros().scale() <= 0;
      return Val.real(v, representable ? 0 : U * Math.abs(v));
    }
    if (node instanceof Const c) {
      return switch (c.name()) {
        case "i" -> I;
        case "pi" -> Val.real(Math.PI, U * Math.PI);
        case "e" -> Val.real(Math.E, U * Math.E);
        case "deg" -> Val.real(Math.PI / 180, 2 * U * Math.PI / 180);
        default -> Val.real(Double.POSITIVE_INFINITY, 0);
      };
    }
    if (node instanceof Sym s) {
      return variables.apply(s.name());
    }
    if (node instanceof Neg n) {
      Val v = evaluate(n.operand(), variables);
      return v == null ? null : Val.of(-v.re(), -v.im(), v.reError(), v.imError());
    }
    if (node instanceof Func f) {
      Val v = evaluate(f.arg(), variables);
      return v == null ? null : apply(f.name(), v);
    }
    if (node instanceof Bin b) {
      Val l = evaluate(b.left(), variables);
      Val r = l == null ? null : evaluate(b.right(), variables);
      if (r == null) {
        return null;
      }
      return switch (b.op()) {
        case '+' -> add(l, r);
        case '-' -> add(l, Val.of(-r.re(), -r.im(), r.reError(), r.imError()));
        case '*' -> multiply(l, r);
        case '/' -> divide(l, r);
        case '^' -> power(l, r, b.right());
        default -> null;
      };
    }
    return null;
  }

  private static Val add(Val a, Val b) {
    double re = a.re() + b.re();
    double im = a.im() + b.im();
    return Val.of(
        re,
        im,
        a.reError() + b.reError() + U * Math.abs(re),
        a.imError() + b.imError() + U * Math.abs(im));
  }

  private static Val multiply(Val a, Val b) {
    double re = a.re() * b.re() - a.im() * b.im();
    double im = a.re() * b.im() + a.im() * b.re();
    double reError =
        Math.abs(b.re()) * a.reError()
            + Math.abs(a.re()) * b.reError()
            + a.reError() * b.reError()
            + Math.abs(b.im()) * a.imError()
            + Math.abs(a.im()) * b.imError()
            + a.imError() * b.imError()
            + 2 * U * (Math.abs(a.re() * b.re()) + Math.abs(a.im() * b.im()));
    double imError =
        Math.abs(b.im()) * a.reError()
            + Math.abs(a.re()) * b.imError()
            + a.reError() * b.imError()
            + Math.abs(b.re()) * a.imError()
            + Math.abs(a.im()) * b.reError()
            + a.imError() * b.reError()
            + 2 * U * (Math.abs(a.re() * b.im()) + Math.abs(a.im() * b.re()));
    return Val.of(re, im, reError, imError);
  }

  private static Val divide(Val a, Val b) {
    if (b.re() == 0 && b.im() == 0) {
      return Val.real(Double.NaN, 0);
    }
    if (a.isReal() && b.isReal()) {
      double q = a.re() / b.re();
      double error =
          b.reError() >= Math.abs(b.re())
              ? Double.POSITIVE_INFINITY
              : (a.reError() + Math.abs(q) * b.reError()) / (Math.abs(b.re()) - b.reError())
                  + U * Math.abs(q);
      return Val.real(q, error);
    }
    // Smith's algorithm: no overflow from squaring the divisor.
    double re;
    double im;
    if (Math.abs(b.re()) >= Math.abs(b.im())) {
      double t = b.im() / b.re();
      double d = b.re() + b.im() * t;
      re = (a.re() + a.im() * t) / d;
      im = (a.im() - a.re() * t) / d;
    } else {
      double t = b.re() / b.im();
      double d = b.re() * t + b.im();
      re = (a.re() * t + a.im()) / d;
      im = (a.im() * t - a.re()) / d;
    }
    double size = b.modulus();
    double divisorError = b.error();
    double q = Math.hypot(re, im);
    double error =
        divisorError >= size
            ? Double.POSITIVE_INFINITY
            : (a.error() + q * divisorError) / (size - divisorError) + 8 * U * q;
    return Val.of(re, im, error, error);
  }

  /**
   * {@code base^exponent}: integer powers by multiplication; a real base and exponent as in the
   * real comparison (odd roots of negatives are real); otherwise the principal value e^{b ln a}.
   */
  private Val power(Val base, Val exponent, MathNode exponentTree) {
    Gaussian e = MathNodes.hasFreeSymbols(exponentTree) ? null : exactConstant(exponentTree);
    if (e != null
        && e.im().signum() == 0
        && e.re().isInteger()
        && e.re().numerator().bitLength() <= 31) {
      return integerPower(base, e.re().numerator().intValueExact());
    }
    if (base.isReal() && exponent.isReal()) {
      Val real = realPower(base, exponent, e);
      if (real != null) {
        return real;
      }
    }
    if (base.re() == 0 && base.im() == 0 && base.error() == 0) {
      return exponent.re() > 0 ? Val.real(0, 0) : Val.real(Double.NaN, 0);
    }
    return apply("exp", multiply(exponent, apply("ln", base)));
  }

  private Val integerPower(Val base, int n) {
    if (n < 0 && base.re() == 0 && base.im() == 0) {
      return Val.real(Double.NaN, 0);
    }
    Val result = ONE;
    Val square = base;
    for (int k = Math.abs(n); k > 0; k >>>= 1) {
      budget.tick();
      if ((k & 1) == 1) {
        result = multiply(result, square);
      }
      if (k > 1) {
        square = multiply(square, square);
      }
    }
    return n >= 0 ? result : divide(ONE, result);
  }

  /**
   * The real power, with the real root of a negative base for odd denominators; null when not real.
   */
  private static Val realPower(Val base, Val exponent, Gaussian exactExponent) {
    double a = base.re();
    double b = exponent.re();
    double v = Math.pow(a, b);
    boolean oddRoot = false;
    if (Double.isNaN(v)
        && a < 0
        && Double.isFinite(a)
        && exactExponent != null
        && exactExponent.im().signum() == 0) {
      ExactNumber q = exactExponent.re();
      if (q.denominator().testBit(0) && q.denominator().bitLength() < 31) {
        double magnitude = Math.pow(-a, b);
        v = q.numerator().testBit(0) ? -magnitude : magnitude;
        oddRoot = true;
      }
    }
    if (Double.isNaN(v)) {
      return null;
    }
    if (!Double.isFinite(v) || (base.reError() == 0 && exponent.reError() == 0)) {
      return Val.real(v, U * Math.abs(v));
    }
    double spread = 0;
    for (double da : new double[] {-base.reError(), base.reError()}) {
      for (double db : new double[] {-exponent.reError(), exponent.reError()}) {
        double w = Math.pow(a + da, b + db);
        if (oddRoot && a + da < 0) {
          w = Math.signum(v) * Math.pow(-(a + da), b + db);
        }
        spread = Math.max(spread, Double.isFinite(w) ? Math.abs(w - v) : Double.POSITIVE_INFINITY);
      }
    }
    return Val.real(v, spread + 2 * U * Math.abs(v));
  }

  /**
   * A function: composed from others, or an elementary one with its spread over the argument's
   * error.
   */
  private Val apply(String function, Val x) {
    budget.tick();
    switch (function) {
      case "tan":
        return divide(apply("sin", x), apply("cos", x));
      case "sec":
        return divide(ONE, apply("cos", x));
      case "csc":
        return divide(ONE, apply("sin", x));
      case "cot":
        return divide(apply("cos", x), apply("sin", x));
      case "tanh":
        return divide(apply("sinh", x), apply("cosh", x));
      case "arcsec":
        return apply("arccos", divide(ONE, x));
      case "arccsc":
        return apply("arcsin", divide(ONE, x));
      case "arccot":
        return apply("arctan", divide(ONE, x));
      case "arcsin":
      case "arccos":
      case "arctan":
        if (x.isReal() && Double.isFinite(Equivalence.apply(function, x.re()))) {
          return elementary(function, x);
        }
        return inverseTrigonometric(function, x);
      case "log":
        return elementary("ln", x);
      default:
        return elementary(function, x);
    }
  }

  /**
   * Principal values: arcsin z = -i ln(iz + √(1-z²)), arccos z = π/2 - arcsin z, arctan z = (i/2)
   * ln((1-iz)/(1+iz)).
   */
  private Val inverseTrigonometric(String function, Val z) {
    Val iz = multiply(I, z);
    if (function.equals("arctan")) {
      Val difference = add(apply("ln", add(ONE, negate(iz))), negate(apply("ln", add(ONE, iz))));
      return multiply(Val.of(0, 0.5, 0, 0), difference);
    }
    Val root = apply("sqrt", add(ONE, negate(multiply(z, z))));
    Val arcsin = multiply(Val.of(0, -1, 0, 0), apply("ln", add(iz, root)));
    return function.equals("arcsin")
        ? arcsin
        : add(Val.real(Math.PI / 2, U * Math.PI / 2), negate(arcsin));
  }

  private static Val negate(Val v) {
    return Val.of(-v.re(), -v.im(), v.reError(), v.imError());
  }

  /**
   * An elementary function at {@code x}, with an error bound: the spread of its values over the
   * argument's error in each part, plus its own rounding. A real argument takes the real function
   * where that is defined, so reals stay reals.
   */
  private static Val elementary(String function, Val x) {
    double[] v = at(function, x.re(), x.im());
    if (!Double.isFinite(v[0]) || !Double.isFinite(v[1])) {
      return Val.real(Double.NaN, 0);
    }
    double reSpread = 0;
    double imSpread = 0;
    double[][] neighbours = {
      {x.re() - x.reError(), x.im()}, {x.re() + x.reError(), x.im()},
      {x.re(), x.im() - x.imError()}, {x.re(), x.im() + x.imError()}
    };
    for (int k = 0; k < neighbours.length; k++) {
      boolean moved = k < 2 ? x.reError() > 0 : x.imError() > 0;
      if (!moved) {
        continue;
      }
      double[] w = at(function, neighbours[k][0], neighbours[k][1]);
      if (!Double.isFinite(w[0]) || !Double.isFinite(w[1])) {
        reSpread = Double.POSITIVE_INFINITY;
        imSpread = Double.POSITIVE_INFINITY;
        break;
      }
      reSpread = Math.max(reSpread, Math.abs(w[0] - v[0]));
      imSpread = Math.max(imSpread, Math.abs(w[1] - v[1]));
    }
    double rounding = 4 * U * roundingScale(function, x, v);
    boolean realFromReal = x.im() == 0 && v[1] == 0;
    return Val.of(v[0], v[1], reSpread + rounding, imSpread + (realFromReal ? 0 : rounding));
  }

  /** The size the function's own rounding is relative to. */
  private static double roundingScale(String function, Val x, double[] v) {
    double size = Math.hypot(v[0], v[1]);
    return switch (function) {
      case "sin", "cos" -> x.im() == 0 ? size : Math.cosh(x.im());
      case "sinh", "cosh" -> x.im() == 0 ? size : Math.cosh(x.re());
      case "ln" -> 1 + size;
      case "arg" -> Math.PI;
      case "conj", "re", "im" -> 0;
      case "fact" -> 43 * size; // 170 multiplications at most, as in the real comparison
      default -> size;
    };
  }

  /**
   * {re, im} of a function at a point; a real point takes the real function where it is defined.
   */
  private static double[] at(String function, double re, double im) {
    if (im == 0) {
      double real = Equivalence.apply(function, re);
      if (!Double.isNaN(real) || function.equals("fact")) {
        return new double[] {real, 0};
      }
    }
    switch (function) {
      case "conj":
        return new double[] {re, -im};
      case "re":
        return new double[] {re, 0};
      case "im":
        return new double[] {im, 0};
      case "abs":
        return new double[] {Math.hypot(re, im), 0};
      case "arg":
        return re == 0 && im == 0
            ? new double[] {Double.NaN, 0}
            : new double[] {Math.atan2(im + 0.0, re), 0};
      case "exp":
        {
          double m = Math.exp(re);
          return new double[] {m * Math.cos(im), m * Math.sin(im)};
        }
      case "ln":
        return re == 0 && im == 0
            ? new double[] {Double.NaN, 0}
            : new double[] {Math.log(Math.hypot(re, im)), Math.atan2(im + 0.0, re)};
      case "sqrt":
        {
          double r = Math.hypot(re, im);
          if (re >= 0) {
            double t = Math.sqrt((r + re) / 2);
            return t == 0 ? new double[] {0, 0} : new double[] {t, im / (2 * t)};
          }
          double t = Math.sqrt((r - re) / 2);
          return new double[] {Math.abs(im) / (2 * t), im < 0 ? -t : t};
        }
      case "sin":
        return new double[] {Math.sin(re) * Math.cosh(im), Math.cos(re) * Math.sinh(im)};
      case "cos":
        return new double[] {Math.cos(re) * Math.cosh(im), -Math.sin(re) * Math.sinh(im)};
      case "sinh":
        return new double[] {Math.sinh(re) * Math.cos(im), Math.cosh(re) * Math.sin(im)};
      case "cosh":
        return new double[] {Math.cosh(re) * Math.cos(im), Math.sinh(re) * Math.sin(im)};
      default:
        return new double[] {
          Double.NaN, 0
        }; // fact of a non-real, or a name with no complex meaning
    }
  }
}
