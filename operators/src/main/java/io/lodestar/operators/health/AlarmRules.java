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
 * id: condition [and condition]... [for N window(s)] [per source | per policy] [gate]
 *     [clear when condition [and condition]...]
 * condition: metric (&gt; | &gt;= | &lt; | &lt;=) number      metric: name | delta(name)
 * </pre>
 *
 * Defaults: 1 window, {@code per source}, no gate, clear when a condition fails. Metric names are those of
 * {@link HealthMetricValues}. Blank lines and lines starting with {@code #} are skipped. Every
 * error names the setting ({@code alarms.rules}) and the rule.
 */
public final class AlarmRules {

  /** Known reward-hacking signatures; docs/monitoring.md gives the reasoning of each. */
  public static final String DEFAULTS =
      String.join(
          "\n",
          "format-over-accuracy: formatRewardMean >= 0.95 and delta(verifierPassRate) < 0 and verifierJudged >= 20 for 3 windows gate"
              + " clear when delta(verifierPassRate) > 0 and verifierJudged >= 20",
          "length-reward-coupling: lengthRewardCorrelation > 0.5 and delta(lengthRewardCorrelation) > 0 and lengthRewardPoints >= 30 for 3 windows",
          "zero-variance-groups: zeroVarianceFraction > 0.8 and groups >= 10 for 5 windows",
          "unscored-rate: unscoredRate > 0.2 and generations >= 20 for 3 windows",
          "judge-verifier-divergence: judgeVerifierDisagreement > 0.3 and judgeVerifierCompared >= 20 for 3 windows gate");

  private static final String KEY = "alarms.rules";
  private static final Pattern RULE = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9_.-]*)\\s*:(.*)$");
  private static final Pattern OPERATORS = Pattern.compile("(>=|<=|>|<)");
  private static final Pattern DELTA = Pattern.compile("^delta\\((.+)\\)$");

  private AlarmRules() {}

  public static List<AlarmRule> defaults() {
    return parse(DEFAULTS);
  }

  /** @throws IllegalArgumentException naming {@code alarms.rules} and the rule at fault */
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
          KEY + ": '" + line + "' must start with an id and a colon, e.g. 'low-pass: verifierPassRate < 0.2'");
    }
    String id = header.group(1);
    List<String> tokens = new ArrayList<>();
    for (String token : OPERATORS.matcher(header.group(2)).replaceAll(" $1 ").trim().split("\\s+")) {
      if (!token.isEmpty()) {
        tokens.add(token);
      }
    }
    List<AlarmRule.Condition> conditions = new ArrayList<>();
    int i = conditions(id, tokens, 0, conditions, "the colon");
    int windows = 1;
    AlertScope scope = AlertScope.SOURCE;
    boolean gate = false;
    List<AlarmRule.Condition> clearConditions = new ArrayList<>();
    while (i < tokens.size()) {
      String word = tokens.get(i).toLowerCase(Locale.ROOT);
      if (word.equals("for") && i + 2 < tokens.size() && tokens.get(i + 2).toLowerCase(Locale.ROOT).startsWith("window")) {
        windows = positive(id, tokens.get(i + 1));
        i += 3;
      } else if (word.equals("per") && i + 1 < tokens.size()) {
        String what = tokens.get(i + 1).toLowerCase(Locale.ROOT);
        if (what.equals("source")) {
          scope = AlertScope.SOURCE;
        } else if (what.equals("policy")) {
          scope = AlertScope.POLICY;
        } else {
          throw error(id, "scope must be 'per source' or 'per policy', was 'per " + tokens.get(i + 1) + "'");
        }
        i += 2;
      } else if (word.equals("gate")) {
        gate = true;
        i++;
      } else if (word.equals("clear") && i + 1 < tokens.size() && tokens.get(i + 1).equalsIgnoreCase("when") && clearConditions.isEmpty()) {
        i = conditions(id, tokens, i + 2, clearConditions, "'clear when'");
      } else {
        throw error(id, "unexpected '" + tokens.get(i) + "'; after the conditions come 'for N windows', 'per source|policy', 'gate' and 'clear when ...'");
      }
    }
    return new AlarmRule(id, conditions, windows, scope, gate, clearConditions, line);
  }

  /** Parses conditions joined by 'and' from {@code start}; returns the index after them. */
  private static int conditions(String id, List<String> tokens, int start, List<AlarmRule.Condition> into, String after) {
    int i = start;
    String previous = after;
    while (true) {
      if (i + 3 > tokens.size()) {
        throw error(id, "expected a condition 'metric > number' after " + previous);
      }
      into.add(condition(id, tokens.get(i), tokens.get(i + 1), tokens.get(i + 2)));
      i += 3;
      if (i < tokens.size() && tokens.get(i).equalsIgnoreCase("and")) {
        i++;
        previous = "'and'";
      } else {
        return i;
      }
    }
  }

  private static AlarmRule.Condition condition(String id, String metricToken, String operator, String number) {
    Comparison comparison = Comparison.ofSymbol(operator);
    if (comparison == null) {
      throw error(id, "expected a comparison (>, >=, <, <=) after '" + metricToken + "', found '" + operator + "'");
    }
    Matcher delta = DELTA.matcher(metricToken);
    String metric = delta.matches() ? delta.group(1).trim() : metricToken;
    String problem = HealthMetricValues.problem(metric);
    if (problem != null) {
      throw error(id, problem);
    }
    double threshold;
    try {
      threshold = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw error(id, "threshold '" + number + "' of '" + metricToken + "' is not a number");
    }
    if (!Double.isFinite(threshold)) {
      throw error(id, "threshold of '" + metricToken + "' must be finite");
    }
    return new AlarmRule.Condition(metric, delta.matches(), comparison, threshold);
  }

  private static int positive(String id, String token) {
    try {
      int n = Integer.parseInt(token);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error(id, "'for " + token + " windows' needs a whole number of at least 1");
  }

  private static IllegalArgumentException error(String id, String message) {
    return new IllegalArgumentException(KEY + ": rule '" + id + "': " + message);
  }
}
