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
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser for the LaTeX / plain-text math that answers are written in. Input is
 * expected to be normalised by {@link LatexNormaliser} first (units, wrappers and separators gone).
 *
 * <p>Grammar, loosest binding first: list ({@code ,}) → relation ({@code = < \le \in \approx}) →
 * union ({@code \cup}) → sum ({@code + - \pm}) → product (explicit or implicit) → unary minus →
 * power ({@code ^}, right-associative) → postfix ({@code !}, subscripts) → primary (numbers,
 * letters, commands, brackets, environments).
 *
 * <p>Depth and work are bounded by {@link #MAX_DEPTH} and the caller's {@link Budget}; anything not
 * understood yields {@link Optional#empty()}, never an exception.
 */
final class MathParser {

  static final int MAX_DEPTH = 64;

  private static final Set<String> FUNCTIONS =
      Set.of(
          "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh",
          "tanh", "ln", "log", "exp", "arg");
  private static final Set<String> TRANSPARENT =
      Set.of(
          "boxed",
          "fbox",
          "mathbf",
          "boldsymbol",
          "mathit",
          "mathbb",
          "mathcal",
          "bm",
          "vec",
          "hat");
  private static final Set<String> IGNORED =
      Set.of("displaystyle", "limits", "quad", "qquad", "cdots", "ldots", "dots");

  /** Commands that continue or close an expression, so they never start an implicit product. */
  private static final Set<String> NOT_OPERANDS =
      Set.of("cdot", "times", "div", "pm", "mp", "cup", "ast", "rvert", "vert", "rangle");

  private static final Pattern CHOICE_LETTER = Pattern.compile("\\(?([A-Za-z])\\)?");

  private final List<Token> tokens;
  private final Budget budget;

  /**
   * Products written as a function applied to a bracket ({@code f(2)}), by identity; made on first
   * use.
   */
  private Set<MathNode> applications = Set.of();

  private int pos;
  private int depth;

  private MathParser(List<Token> tokens, Budget budget) {
    this.tokens = tokens;
    this.budget = budget;
  }

  /** Parses a whole normalised answer; empty when any part of it is not understood. */
  static Optional<MathNode> parse(String normalised, Budget budget) {
    try {
      List<Token> tokens = Lexer.tokenize(normalised, budget);
      if (tokens.isEmpty()) {
        return Optional.empty();
      }
      if (tokens.size() > 1 && tokens.stream().anyMatch(Lexer::isClock)) {
        return Optional.empty(); // a time of day is an answer on its own, never an operand
      }
      MathParser parser = new MathParser(tokens, budget);
      List<MathNode> items = parser.list();
      if (parser.pos != tokens.size()) {
        return Optional.empty();
      }
      return Optional.of(items.size() == 1 ? items.get(0) : new SetOf(items));
    } catch (ParseFailure e) {
      return Optional.empty();
    }
  }

  /** Raised internally on input outside the grammar; cheap (no stack trace). */
  static final class ParseFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParseFailure() {
      super(null, null, false, false);
    }
  }

  // ---------------------------------------------------------------- grammar

  private List<MathNode> list() {
    List<MathNode> items = new ArrayList<>();
    items.add(relation());
    while (isOp(",")) {
      pos++;
      items.add(relation());
    }
    return items;
  }

  private MathNode relation() {
    budget.tick();
    List<MathNode> operands = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    operands.add(union());
    while (true) {
      String op = relationOp();
      if (op == null) {
        break;
      }
      if (op.equals("approx")) {
        // "x = 1/3 \approx 0.33": the exact value before the approximation is the answer.
        if (ops.contains("=")) {
          union();
          continue;
        }
        op = "=";
      }
      if (op.equals("in")) {
        // "x \in [0, 1)": the set is the answer.
        operands.clear();
        ops.clear();
        operands.add(union());
        continue;
      }
      ops.add(op);
      operands.add(union());
    }
    if (ops.isEmpty()) {
      return operands.get(0);
    }
    if (ops.stream().allMatch("="::equals)) {
      // A chain "x = 5+5+1 = 11" states the first term equals the last; the middle is working.
      MathNode lhs = operands.get(0);
      MathNode rhs = operands.get(operands.size() - 1);
      if (!MathNodes.hasFreeSymbols(lhs) && !MathNodes.hasFreeSymbols(rhs)) {
        // "1/2 = 10/9" is a computation, not an equation: the result is its last value.
        return rhs;
      }
      return new Rel("=", lhs, rhs, namedBy(lhs));
    }
    if (ops.size() == 1) {
      return new Rel(ops.get(0), operands.get(0), operands.get(1), Set.of());
    }
    if (ops.size() == 2 && !ops.contains("=") && !ops.contains("!=")) {
      return new Between(operands.get(0), ops.get(0), operands.get(1), ops.get(1), operands.get(2));
    }
    throw new ParseFailure();
  }

  /**
   * The symbols an equation's left side names when it does nothing else: a variable ({@code x},
   * {@code a_3}), a product of them ({@code AB}), {@code |AB|}, a tuple of them, or a function
   * written applied to a bracket ({@code f(2)}, {@code g(x)}, {@code f'(0)}, {@code f^{-1}(3)}),
   * which names the function only, its argument being a place, not an unknown. A number, sum or
   * power outside such a bracket ({@code 2x}, {@code x + y}, {@code x^2}) states a condition
   * instead, and so does a function symbol inside its own argument ({@code x(x+1)}). Empty then.
   */
  private Set<String> namedBy(MathNode lhs) {
    Set<String> named = namesOf(lhs);
    return named == null ? Set.of() : named;
  }

  private Set<String> namesOf(MathNode n) {
    if (n instanceof Sym s) {
      return Set.of(s.name());
    }
    if (n instanceof Func f && f.name().equals("abs")) {
      return namesOf(f.arg());
    }
    if (n instanceof Tuple t) {
      Set<String> all = new TreeSet<>();
      for (MathNode item : t.items()) {
        Set<String> named = namesOf(item);
        if (named == null) {
          return null;
        }
        all.addAll(named);
      }
      return all;
    }
    if (n instanceof Bin b && b.op() == '*') {
      if (applications.contains(b)) {
        String function = functionName(b.left());
        return MathNodes.freeSymbols(b.right()).contains(function) ? null : Set.of(function);
      }
      Set<String> left = namesOf(b.left());
      Set<String> right = left == null ? null : namesOf(b.right());
      if (right == null) {
        return null;
      }
      Set<String> all = new TreeSet<>(left);
      all.addAll(right);
      return all;
    }
    return null;
  }

  /**
   * {@code f} for {@code f}, {@code f'} for {@code f'}, {@code f} for {@code f^{-1}}; null
   * otherwise.
   */
  private static String functionName(MathNode n) {
    if (n instanceof Sym s) {
      return s.name();
    }
    if (n instanceof Bin b
        && b.op() == '^'
        && b.left() instanceof Sym s
        && b.right() instanceof Neg neg
        && neg.operand() instanceof Num one
        && one.value().compareTo(BigDecimal.ONE) == 0) {
      return s.name();
    }
    return null;
  }

  private String relationOp() {
    if (pos >= tokens.size()) {
      return null;
    }
    Token t = tokens.get(pos);
    String op = null;
    if (t.kind == Kind.OP) {
      op =
          switch (t.text) {
            case "=", "<", ">", "<=", ">=", "!=" -> t.text;
            default -> null;
          };
    } else if (t.kind == Kind.CMD) {
      op =
          switch (t.text) {
            case "le", "leq", "leqslant" -> "<=";
            case "ge", "geq", "geqslant" -> ">=";
            case "lt" -> "<";
            case "gt" -> ">";
            case "ne", "neq" -> "!=";
            case "approx", "simeq", "sim" -> "approx";
            case "in" -> "in";
            case "equiv" -> "=";
            default -> null;
          };
    }
    if (op != null) {
      pos++;
    }
    return op;
  }

  private MathNode union() {
    MathNode first = sum();
    if (!isCmd("cup")) {
      return first;
    }
    List<MathNode> parts = new ArrayList<>();
    parts.add(first);
    while (isCmd("cup")) {
      pos++;
      parts.add(sum());
    }
    return new Union(parts);
  }

  private MathNode sum() {
    MathNode left = product();
    while (pos < tokens.size()) {
      budget.tick();
      if (isOp("+")) {
        pos++;
        left = new Bin('+', left, product());
      } else if (isOp("-")) {
        pos++;
        left = new Bin('-', left, product());
      } else if (isCmd("pm") || isCmd("mp")) {
        pos++;
        left = new PlusMinus(left, product());
      } else {
        break;
      }
    }
    return left;
  }

  private MathNode product() {
    MathNode left = unary();
    while (pos < tokens.size()) {
      budget.tick();
      if (isOp("*") || isCmd("cdot") || isCmd("times") || isCmd("ast")) {
        pos++;
        left = new Bin('*', left, unary());
      } else if (isOp("/") || isCmd("div")) {
        pos++;
        left = new Bin('/', left, unary());
      } else if (startsPrimary()) {
        boolean fractionNext = isCmd("frac") || isCmd("dfrac") || isCmd("tfrac");
        boolean bracketNext = isOp("(");
        MathNode right = power();
        MathNode function = left;
        left =
            fractionNext && isMixedNumber(left, right)
                ? mixedNumber(left, right)
                : new Bin('*', left, right);
        if (bracketNext && functionName(function) != null && tokens.get(pos - 1).text.equals(")")) {
          if (applications.isEmpty()) {
            applications = Collections.newSetFromMap(new IdentityHashMap<>());
          }
          applications.add(
              left); // f(2): still a product for evaluation, but written as an application
        }
      } else {
        break;
      }
    }
    return left;
  }

  /**
   * {@code 1\frac{1}{4}} is one and a quarter: a whole number followed by a fraction of literals.
   */
  private static boolean isMixedNumber(MathNode whole, MathNode fraction) {
    MathNode integer = whole instanceof Neg neg ? neg.operand() : whole;
    return integer instanceof Num n
        && !n.decimal()
        && fraction instanceof Bin b
        && b.op() == '/'
        && b.left() instanceof Num top
        && !top.decimal()
        && b.right() instanceof Num bottom
        && !bottom.decimal();
  }

  private static MathNode mixedNumber(MathNode whole, MathNode fraction) {
    if (whole instanceof Neg neg) {
      return new Neg(new Bin('+', neg.operand(), fraction));
    }
    return new Bin('+', whole, fraction);
  }

  private MathNode unary() {
    budget.tick();
    if (isCmd("pm") || isCmd("mp")) {
      // A leading \pm a is the pair {a, -a}.
      pos++;
      return new PlusMinus(new Num(BigDecimal.ZERO, false), unary());
    }
    if (isOp("-")) {
      pos++;
      return new Neg(unary());
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    return power();
  }

  private MathNode power() {
    MathNode base = postfix();
    if (isOp("^")) {
      pos++;
      return new Bin('^', base, exponent());
    }
    return base;
  }

  private MathNode exponent() {
    if (isOp("-")) {
      pos++;
      return new Neg(exponent());
    }
    if (isOp("{")) {
      return braced();
    }
    return postfix();
  }

  private MathNode postfix() {
    MathNode node = primary();
    while (pos < tokens.size()) {
      if (isOp("!")) {
        pos++;
        node = new Func("fact", node);
      } else if (isOp("_")) {
        pos++;
        String sub = subscriptText();
        node = new Sym(MathNodes.render(node) + "_" + sub);
      } else if (isOp("'")) {
        pos++;
        node = new Sym(MathNodes.render(node) + "'");
      } else {
        break;
      }
    }
    return node;
  }

  private String subscriptText() {
    if (isOp("{")) {
      StringBuilder sb = new StringBuilder();
      int start = pos;
      int nesting = 0;
      do {
        Token t = next();
        if (t.kind == Kind.OP && t.text.equals("{")) {
          nesting++;
        } else if (t.kind == Kind.OP && t.text.equals("}")) {
          nesting--;
        }
        if (pos - start > 1 && nesting > 0) {
          sb.append(t.text);
        }
      } while (nesting > 0);
      return sb.toString();
    }
    Token t = next();
    if (t.kind == Kind.NUM && t.text.length() > 1) {
      // x_12 is x sub 1 times 2 in TeX; keep the first digit, push the rest back.
      tokens.set(pos - 1, new Token(Kind.NUM, t.text.substring(1)));
      pos--;
      return t.text.substring(0, 1);
    }
    return t.text;
  }

  private boolean startsPrimary() {
    if (pos >= tokens.size()) {
      return false;
    }
    Token t = tokens.get(pos);
    return switch (t.kind) {
      case NUM, LETTER, TEXT, BEGIN -> true;
      case OP -> t.text.equals("(") || t.text.equals("\\{") || t.text.equals("{");
      case CMD -> !NOT_OPERANDS.contains(t.text) && !isRelationCommand(t.text);
      default -> false;
    };
  }

  private static boolean isRelationCommand(String name) {
    return switch (name) {
      case "le",
          "leq",
          "leqslant",
          "ge",
          "geq",
          "geqslant",
          "lt",
          "gt",
          "ne",
          "neq",
          "approx",
          "simeq",
          "sim",
          "in",
          "equiv" ->
          true;
      default -> false;
    };
  }

  private MathNode primary() {
    budget.tick();
    if (++depth > MAX_DEPTH) {
      throw new ParseFailure();
    }
    try {
      Token t = next();
      switch (t.kind) {
        case NUM:
          return new Num(new BigDecimal(t.text), t.text.indexOf('.') >= 0);
        case LETTER:
          // e is Euler's number and i the imaginary unit; an i used as an index (a_i) is made a
          // variable again by the comparison, on both sides.
          return t.text.equals("e")
              ? new Const("e")
              : t.text.equals("i") ? new Const("i") : new Sym(t.text);
        case TEXT:
          return textNode(t.text);
        case BEGIN:
          return environment(t.text);
        case CMD:
          return command(t.text);
        case OP:
          return bracketed(t.text);
        default:
          throw new ParseFailure();
      }
    } finally {
      depth--;
    }
  }

  private MathNode textNode(String content) {
    String trimmed = content.trim();
    if (trimmed.isEmpty()) {
      throw new ParseFailure();
    }
    if (LatexNormaliser.SIGNED_DECIMAL.matcher(trimmed).matches()) {
      return new Num(new BigDecimal(trimmed), trimmed.indexOf('.') >= 0);
    }
    Matcher choice = CHOICE_LETTER.matcher(trimmed);
    if (choice.matches()) {
      // \text{B} and \text{(B)} are the letter B, as a bare B or (B) is.
      return new Sym(choice.group(1));
    }
    return new Text(String.join(" ", trimmed.split("\\s+")));
  }

  private MathNode bracketed(String open) {
    switch (open) {
      case "(":
      case "[":
        {
          List<MathNode> items = list();
          Token close = next();
          boolean roundOpen = open.equals("(");
          boolean roundClose = close.text.equals(")");
          if (close.kind != Kind.OP || !(roundClose || close.text.equals("]"))) {
            throw new ParseFailure();
          }
          if (items.size() == 1 && roundOpen == roundClose) {
            return items.get(0);
          }
          if (items.size() == 2 && !(roundOpen && roundClose)) {
            return new Interval(items.get(0), items.get(1), !roundOpen, !roundClose);
          }
          return new Tuple(items);
        }
      case "{":
        {
          List<MathNode> items = list();
          expectOp("}");
          return items.size() == 1 ? items.get(0) : new SetOf(items);
        }
      case "\\{":
        {
          if (isOp("\\}")) {
            pos++;
            return new SetOf(List.of());
          }
          List<MathNode> items = list();
          expectOp("\\}");
          return new SetOf(items);
        }
      case "|":
        {
          MathNode inner = sum();
          expectOp("|");
          return new Func("abs", inner);
        }
      default:
        throw new ParseFailure();
    }
  }

  private MathNode command(String name) {
    switch (name) {
      case "frac", "dfrac", "tfrac", "cfrac":
        {
          MathNode numerator = argument();
          MathNode denominator = argument();
          return new Bin('/', numerator, denominator);
        }
      case "sqrt":
        {
          if (isOp("[")) {
            pos++;
            MathNode index = sum();
            expectOp("]");
            return new Bin('^', argument(), new Bin('/', new Num(BigDecimal.ONE, false), index));
          }
          return new Func("sqrt", argument());
        }
      case "pi":
        return new Const("pi");
      case "imath":
        return new Const("i");
      case "degree":
        return new Const("deg");
      case "Re":
        return function("re");
      case "Im":
        return function("im");
      case "overline", "bar":
        {
          // A conjugate where the argument is complex; otherwise a mean, a segment or a name, which
          // is not its argument: an opaque symbol, so \bar{x} never equals x.
          MathNode inner = argument();
          return MathNodes.mentionsComplex(inner)
              ? new Func("conj", inner)
              : new Sym("\\overline{" + MathNodes.render(inner) + "}");
        }
      case "infty", "infin":
        return new Const("inf");
      case "emptyset", "varnothing":
        return new SetOf(List.of());
      case "lvert", "vert":
        {
          MathNode inner = sum();
          if (!isCmd("rvert") && !isCmd("vert")) {
            throw new ParseFailure();
          }
          pos++;
          return new Func("abs", inner);
        }
      default:
        break;
    }
    if (FUNCTIONS.contains(name)) {
      return function(name);
    }
    if (TRANSPARENT.contains(name)) {
      return argument();
    }
    if (IGNORED.contains(name)) {
      if (startsPrimary()) {
        return primary();
      }
      throw new ParseFailure();
    }
    // Greek letters and unknown commands are opaque symbols, so "\alpha + 1" still compares.
    return new Sym("\\" + name);
  }

  private MathNode function(String name) {
    MathNode power = null;
    if (isOp("^")) {
      // \sin^2 x is (sin x)^2; \sin^{-1} x is arcsin x.
      pos++;
      power = exponent();
    }
    if (isOp("_") && name.equals("log")) {
      pos++;
      MathNode base = isOp("{") ? braced() : primary();
      MathNode arg = functionArgument();
      MathNode value = new Bin('/', new Func("ln", arg), new Func("ln", base));
      return power == null ? value : new Bin('^', value, power);
    }
    MathNode arg = functionArgument();
    if (power instanceof Neg neg
        && neg.operand() instanceof Num one
        && one.value().compareTo(BigDecimal.ONE) == 0
        && name.length() == 3) {
      return new Func("arc" + name, arg);
    }
    MathNode value = new Func(name, arg);
    return power == null ? value : new Bin('^', value, power);
  }

  private MathNode functionArgument() {
    if (isOp("(")) {
      pos++;
      MathNode inner = sum();
      expectOp(")");
      return inner;
    }
    // "\sin 2x" takes the product that follows, stopping at the next + or relation.
    MathNode arg = power();
    while (startsPrimary()
        && !(tokens.get(pos).kind == Kind.CMD && FUNCTIONS.contains(tokens.get(pos).text))) {
      arg = new Bin('*', arg, power());
    }
    return arg;
  }

  /** A TeX macro argument: a braced group, or a single token ({@code \frac12}, {@code \sqrt3}). */
  private MathNode argument() {
    if (isOp("{")) {
      return braced();
    }
    if (pos < tokens.size()
        && tokens.get(pos).kind == Kind.NUM
        && tokens.get(pos).text.length() > 1) {
      String digits = tokens.get(pos).text;
      if (digits.indexOf('.') < 0) {
        tokens.set(pos, new Token(Kind.NUM, digits.substring(1)));
        return new Num(new BigDecimal(digits.substring(0, 1)), false);
      }
    }
    return primary();
  }

  private MathNode braced() {
    expectOp("{");
    if (++depth > MAX_DEPTH) {
      throw new ParseFailure();
    }
    try {
      List<MathNode> items = list();
      expectOp("}");
      return items.size() == 1 ? items.get(0) : new SetOf(items);
    } finally {
      depth--;
    }
  }

  private MathNode environment(String name) {
    if (!name.endsWith("matrix") && !name.equals("array")) {
      throw new ParseFailure();
    }
    if (name.equals("array") && isOp("{")) {
      // Column specification such as {cc}: not content.
      while (!isOp("}")) {
        next();
      }
      pos++;
    }
    List<List<MathNode>> rows = new ArrayList<>();
    List<MathNode> row = new ArrayList<>();
    while (true) {
      budget.tick();
      Token t = peek();
      if (t == null) {
        throw new ParseFailure();
      }
      if (t.kind == Kind.END) {
        pos++;
        if (!row.isEmpty()) {
          rows.add(row);
        }
        break;
      }
      if (t.kind == Kind.ROWSEP) {
        pos++;
        if (!row.isEmpty()) {
          rows.add(row);
        }
        row = new ArrayList<>();
        continue;
      }
      if (t.kind == Kind.OP && t.text.equals("&")) {
        pos++;
        continue;
      }
      row.add(relation());
    }
    if (rows.isEmpty() || rows.stream().anyMatch(r -> r.size() != rows.get(0).size())) {
      throw new ParseFailure();
    }
    return new Matrix(rows);
  }

  // ---------------------------------------------------------------- token helpers

  private Token next() {
    if (pos >= tokens.size()) {
      throw new ParseFailure();
    }
    return tokens.get(pos++);
  }

  private Token peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  private boolean isOp(String text) {
    return pos < tokens.size()
        && tokens.get(pos).kind == Kind.OP
        && tokens.get(pos).text.equals(text);
  }

  private boolean isCmd(String name) {
    return pos < tokens.size()
        && tokens.get(pos).kind == Kind.CMD
        && tokens.get(pos).text.equals(name);
  }

  private void expectOp(String text) {
    if (!isOp(text)) {
      throw new ParseFailure();
    }
    pos++;
  }

  enum Kind {
    NUM,
    LETTER,
    CMD,
    TEXT,
    BEGIN,
    END,
    ROWSEP,
    OP
  }

  record Token(Kind kind, String text) {}

  /**
   * Splits normalised text into tokens; single letters are separate symbols ({@code xy} is x·y).
   */
  static final class Lexer {

    private static final Set<String> TEXT_COMMANDS =
        Set.of(
            "text",
            "textbf",
            "textit",
            "textrm",
            "textnormal",
            "mbox",
            "mathrm",
            "operatorname",
            "textsf");
    private static final Set<String> OPERATOR_NAMES =
        Set.of(
            "Re", "Im", "arg", "sin", "cos", "tan", "ln", "log", "exp", "arcsin", "arccos",
            "arctan", "sinh", "cosh", "tanh", "sec", "csc", "cot");

    private Lexer() {}

    static List<Token> tokenize(String s, Budget budget) {
      List<Token> out = new ArrayList<>();
      int n = s.length();
      int i = 0;
      while (i < n) {
        budget.tick();
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (Character.isDigit(c)
            || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
          int start = i;
          while (i < n && Character.isDigit(s.charAt(i))) {
            i++;
          }
          if (i + 1 < n && s.charAt(i) == '.' && Character.isDigit(s.charAt(i + 1))) {
            i++;
            while (i < n && Character.isDigit(s.charAt(i))) {
              i++;
            }
          }
          String digits = s.substring(start, i);
          if (isClockTime(s, start, i)) {
            // 12:00 is a time of day, compared as written (without a leading zero), never as
            // numbers.
            out.add(new Token(Kind.TEXT, Integer.parseInt(digits) + s.substring(i, i + 3)));
            i += 3;
            continue;
          }
          out.add(new Token(Kind.NUM, digits.startsWith(".") ? "0" + digits : digits));
        } else if (Character.isLetter(c)) {
          out.add(new Token(Kind.LETTER, String.valueOf(c)));
          i++;
        } else if (c == '\\') {
          i = command(s, i, out);
        } else if ((c == '<' || c == '>' || c == '!') && i + 1 < n && s.charAt(i + 1) == '=') {
          out.add(new Token(Kind.OP, c + "="));
          i += 2;
        } else if (c == '.') {
          i++; // a stray full stop ends a sentence, not an expression
        } else {
          out.add(new Token(Kind.OP, String.valueOf(c)));
          i++;
        }
      }
      return out;
    }

    static boolean isClock(Token t) {
      return t.kind == Kind.TEXT
          && t.text.length() >= 4
          && t.text.length() <= 5
          && t.text.charAt(t.text.length() - 3) == ':'
          && Character.isDigit(t.text.charAt(0));
    }

    /** {@code h:mm}: one or two digits, a colon, exactly two digits, the minutes below 60. */
    private static boolean isClockTime(String s, int start, int end) {
      int n = s.length();
      if (end - start > 2 || end + 3 > n || s.charAt(end) != ':' || s.charAt(start) == '.') {
        return false;
      }
      char tens = s.charAt(end + 1);
      char ones = s.charAt(end + 2);
      return tens >= '0'
          && tens <= '5'
          && Character.isDigit(ones)
          && (end + 3 == n || !Character.isDigit(s.charAt(end + 3)));
    }

    private static int command(String s, int i, List<Token> out) {
      int n = s.length();
      if (i + 1 >= n) {
        return n;
      }
      char c = s.charAt(i + 1);
      if (c == '\\') {
        out.add(new Token(Kind.ROWSEP, "\\\\"));
        return i + 2;
      }
      if (c == '{' || c == '}') {
        out.add(new Token(Kind.OP, "\\" + c));
        return i + 2;
      }
      if (!Character.isLetter(c)) {
        return i + 2; // spacing such as \, \; \! and escaped symbols carry no value
      }
      int end = i + 1;
      while (end < n && Character.isLetter(s.charAt(end))) {
        end++;
      }
      String name = s.substring(i + 1, end);
      if (TEXT_COMMANDS.contains(name) || name.equals("begin") || name.equals("end")) {
        int open = end;
        while (open < n && s.charAt(open) == ' ') {
          open++;
        }
        int close = LatexNormaliser.matchingBrace(s, open);
        if (close < 0) {
          throw new ParseFailure();
        }
        String content = s.substring(open + 1, close);
        if (name.equals("operatorname") && OPERATOR_NAMES.contains(content.trim())) {
          out.add(new Token(Kind.CMD, content.trim())); // \operatorname{Re} is \Re
          return close + 1;
        }
        Kind kind = name.equals("begin") ? Kind.BEGIN : name.equals("end") ? Kind.END : Kind.TEXT;
        out.add(new Token(kind, content.trim()));
        return close + 1;
      }
      out.add(new Token(Kind.CMD, name));
      return end;
    }
  }
}
