package io.lodestar.operators.health;

import io.lodestar.schema.AlertScope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses alarm rules from their text form, one rule per line or separated by {@code ;}:
 *
 * <pre>
 * id: condition [and condition]... [given condition [and condition]...] [for N window(s)]
 *     [per source | per policy] [gate] [clear when condition [and condition]...] [clear after N window(s)]
 * condition: metric (&gt; | &gt;= | &lt; | &lt;=) value
 * metric:    name | delta(name)
 * value:     number | baseline [(+ | - | *) number] | baseline(name) [(+ | - | *) number]
 * </pre>
 *
 * Defaults: no guard, 1 window, {@code per source}, no gate, clear when a condition fails, after 1
 * window. {@code given} names the guards: sample sizes that a window must reach to decide anything.
 * {@code baseline} is the metric's value in earlier policy versions ({@link AlarmScope}). Metric
 * names are those of {@link HealthMetricValues}. Blank lines and lines starting with {@code #} are
 * skipped. Every error names the setting ({@code alarms.rules}) and the rule.
 */
public final class AlarmRules {

  /**
   * Known reward-hacking signatures; docs/monitoring.md gives the reasoning of each, and {@code
   * AlarmDetectionBenchmark} measures them on real groups.
   */
  public static final String DEFAULTS =
      String.join(
          "\n",
          "format-over-accuracy: formatRewardMean >= 0.95 and verifierPassRate < baseline * 0.55 given verifierJudged >= 20 for 2 windows gate"
              + " clear when verifierPassRate >= baseline * 0.8 clear after 3 windows",
          "accuracy-drop: verifierPassRate < baseline - 0.35 given verifierJudged >= 20 for 2 windows gate"
              + " clear when verifierPassRate >= baseline - 0.15 clear after 3 windows",
          "length-reward-coupling: lengthRewardCorrelation > 0.6 given lengthRewardPoints >= 30 and reward.std >= 0.3 for 2 windows"
              + " clear when lengthRewardCorrelation < 0.4 clear after 3 windows",
          "length-growth: responseLength.mean > baseline * 1.8 given generations >= 20 for 2 windows"
              + " clear when responseLength.mean < baseline * 1.4 clear after 3 windows",
          "response-collapse: duplicateResponseRate > baseline + 0.3 given groupSamples >= 20 for 2 windows"
              + " clear when duplicateResponseRate < baseline + 0.15 clear after 3 windows",
          "zero-variance-groups: zeroVarianceFraction > baseline + 0.35 given groups >= 10 for 3 windows clear after 3 windows",
          "unscored-rate: unscoredRate > 0.2 given generations >= 20 for 3 windows clear when unscoredRate < 0.1 clear after 3 windows",
          "judge-verifier-divergence: judgeVerifierDisagreement > 0.3 given judgeVerifierCompared >= 20 for 3 windows gate"
              + " clear when judgeVerifierDisagreement < 0.2 clear after 3 windows");

  private static final String KEY = "alarms.rules";
  private static final Pattern RULE = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9_.-]*)\\s*:(.*)$");
  private static final Pattern OPERATORS = Pattern.compile("(>=|<=|>|<)");

  /** Arithmetic after a baseline, spaced out so that {@code baseline-0.1} reads as three tokens. */
  private static final Pattern BASELINE_ARITHMETIC =
      Pattern.compile("(?i)\\b(baseline(?:\\([^)\\s]*\\))?)\\s*([-+*])\\s*");

  private static final Pattern DELTA = Pattern.compile("^delta\\((.+)\\)$");
  private static final Pattern BASELINE = Pattern.compile("(?i)^baseline(?:\\((.+)\\))?$");

  private AlarmRules() {}

  public static List<AlarmRule> defaults() {
    return parse(DEFAULTS);
  }

  /**
   * @throws IllegalArgumentException naming {@code alarms.rules} and the rule at fault
   */
  public static List<AlarmRule> parse(String text) {
    List<AlarmRule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    if (text == null) {
      return rules;
    }
    for (String raw : text.split("[;\\n]")) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      AlarmRule rule = parseRule(line);
      if (!ids.add(rule.id())) {
        throw new IllegalArgumentException(KEY + ": rule '" + rule.id() + "' is defined twice");
      }
      rules.add(rule);
    }
    return rules;
  }

  private static AlarmRule parseRule(String line) {
    Matcher header = RULE.matcher(line);
    if (!header.matches()) {
      throw new IllegalArgumentException(
          KEY
              + ": '"
              + line
              + "' must start with an id and a colon, e.g. 'low-pass: verifierPassRate < 0.2'");
    }
    String id = header.group(1);
    String spaced =
        BASELINE_ARITHMETIC
            .matcher(OPERATORS.matcher(header.group(2)).replaceAll(" $1 "))
            .replaceAll("$1 $2 ");
    List<String> tokens = new ArrayList<>();
    for (String token : spaced.trim().split("\\s+")) {
      if (!token.isEmpty()) {
        tokens.add(token);
      }
    }
    List<AlarmRule.Condition> conditions = new ArrayList<>();
    int i = conditions(id, tokens, 0, conditions, "the colon");
    List<AlarmRule.Condition> guards = new ArrayList<>();
    int windows = 1;
    AlertScope scope = AlertScope.SOURCE;
    boolean gate = false;
    List<AlarmRule.Condition> clearConditions = new ArrayList<>();
    int clearAfter = 1;
    boolean clearAfterSeen = false;
    while (i < tokens.size()) {
      String word = tokens.get(i).toLowerCase(Locale.ROOT);
      String next = i + 1 < tokens.size() ? tokens.get(i + 1).toLowerCase(Locale.ROOT) : "";
      if (word.equals("given") && guards.isEmpty()) {
        i = conditions(id, tokens, i + 1, guards, "'given'");
      } else if (word.equals("for") && isWindows(tokens, i + 2)) {
        windows = positive(id, tokens.get(i + 1), "for");
        i += 3;
      } else if (word.equals("per") && i + 1 < tokens.size()) {
        if (next.equals("source")) {
          scope = AlertScope.SOURCE;
        } else if (next.equals("policy")) {
          scope = AlertScope.POLICY;
        } else {
          throw error(
              id,
              "scope must be 'per source' or 'per policy', was 'per " + tokens.get(i + 1) + "'");
        }
        i += 2;
      } else if (word.equals("gate")) {
        gate = true;
        i++;
      } else if (word.equals("clear") && next.equals("when") && clearConditions.isEmpty()) {
        i = conditions(id, tokens, i + 2, clearConditions, "'clear when'");
      } else if (word.equals("clear")
          && next.equals("after")
          && !clearAfterSeen
          && isWindows(tokens, i + 3)) {
        clearAfter = positive(id, tokens.get(i + 2), "clear after");
        clearAfterSeen = true;
        i += 4;
      } else {
        throw error(
            id,
            "unexpected '"
                + tokens.get(i)
                + "'; after the conditions come 'given ...', 'for N windows', 'per source|policy', 'gate',"
                + " 'clear when ...' and 'clear after N windows'");
      }
    }
    return new AlarmRule(
        id, conditions, guards, windows, scope, gate, clearConditions, clearAfter, line);
  }

  private static boolean isWindows(List<String> tokens, int i) {
    return i < tokens.size() && tokens.get(i).toLowerCase(Locale.ROOT).startsWith("window");
  }

  /** Parses conditions joined by 'and' from {@code start}; returns the index after them. */
  private static int conditions(
      String id, List<String> tokens, int start, List<AlarmRule.Condition> into, String after) {
    int i = start;
    String previous = after;
    while (true) {
      if (i + 3 > tokens.size()) {
        throw error(id, "expected a condition 'metric > number' after " + previous);
      }
      i = condition(id, tokens, i, into);
      if (i < tokens.size() && tokens.get(i).equalsIgnoreCase("and")) {
        i++;
        previous = "'and'";
      } else {
        return i;
      }
    }
  }

  /** Parses the condition at {@code i}; returns the index after it. */
  private static int condition(
      String id, List<String> tokens, int i, List<AlarmRule.Condition> into) {
    String metricToken = tokens.get(i);
    String operator = tokens.get(i + 1);
    Comparison comparison = Comparison.ofSymbol(operator);
    if (comparison == null) {
      throw error(
          id,
          "expected a comparison (>, >=, <, <=) after '"
              + metricToken
              + "', found '"
              + operator
              + "'");
    }
    Matcher delta = DELTA.matcher(metricToken);
    String metric = delta.matches() ? delta.group(1).trim() : metricToken;
    checkMetric(id, metric);
    Matcher baseline = BASELINE.matcher(tokens.get(i + 2));
    if (!baseline.matches()) {
      into.add(
          new AlarmRule.Condition(
              metric, delta.matches(), comparison, number(id, metricToken, tokens.get(i + 2))));
      return i + 3;
    }
    String of = baseline.group(1) == null ? null : baseline.group(1).trim();
    if (of == null && delta.matches()) {
      throw error(
          id,
          "'"
              + metricToken
              + " "
              + operator
              + " baseline' compares a change with a level; name the metric: baseline(<metric>)");
    }
    String baselineMetric = of == null ? metric : of;
    checkMetric(id, baselineMetric);
    int j = i + 3;
    AlarmRule.Reference reference = AlarmRule.Reference.BASELINE_PLUS;
    double amount = 0;
    if (j < tokens.size() && List.of("+", "-", "*").contains(tokens.get(j))) {
      if (j + 1 >= tokens.size()) {
        throw error(
            id, "expected a number after '" + tokens.get(i + 2) + " " + tokens.get(j) + "'");
      }
      amount = number(id, metricToken, tokens.get(j + 1));
      switch (tokens.get(j)) {
        case "-":
          amount = -amount;
          break;
        case "*":
          reference = AlarmRule.Reference.BASELINE_TIMES;
          break;
        default:
          break;
      }
      j += 2;
    }
    into.add(
        new AlarmRule.Condition(
            metric, delta.matches(), comparison, amount, reference, baselineMetric));
    return j;
  }

  private static void checkMetric(String id, String metric) {
    String problem = HealthMetricValues.problem(metric);
    if (problem != null) {
      throw error(id, problem);
    }
  }

  private static double number(String id, String metricToken, String number) {
    double threshold;
    try {
      threshold = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw error(
          id, "threshold '" + number + "' of '" + metricToken + "' is not a number or a baseline");
    }
    if (!Double.isFinite(threshold)) {
      throw error(id, "threshold of '" + metricToken + "' must be finite");
    }
    return threshold;
  }

  private static int positive(String id, String token, String clause) {
    try {
      int n = Integer.parseInt(token);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error(id, "'" + clause + " " + token + " windows' needs a whole number of at least 1");
  }

  private static IllegalArgumentException error(String id, String message) {
    return new IllegalArgumentException(KEY + ": rule '" + id + "': " + message);
  }
}
