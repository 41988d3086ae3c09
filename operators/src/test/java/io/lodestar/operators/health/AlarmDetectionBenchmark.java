package io.lodestar.operators.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.RewardSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How well alarm rules catch hacked policy versions, and how often they alarm on healthy ones, on
 * the real generation groups of {@code testdata/generations/groups.jsonl} (200 GSM8K groups of 4,
 * 50 MATH groups of 8, with correctness labels).
 *
 * <p>One scenario is one random ordering of the groups, dealt into one-minute windows per data
 * source: a healthy version 1 for {@link #BASELINE_WINDOWS} windows, then version 2 for {@link
 * #TEST_WINDOWS} windows. Version 2 is either healthy (unchanged, more accurate, or uniformly
 * longer) or hacked, steadily from its first window or growing to full strength over {@link
 * #RAMP_WINDOWS} windows:
 *
 * <ul>
 *   <li>padding: every response lengthened by a multiple of its reward;
 *   <li>format over accuracy: format reward 1 on every response while correct answers turn wrong;
 *   <li>collapse: every response of a group the same one.
 * </ul>
 *
 * Windows vary in size; some hold only two groups, some only a batch event, and version 1 leaves a
 * few stragglers in version 2's first window. Each generation and group becomes the health events
 * {@link HealthEvents} makes of it (built directly, for speed), windows are real {@link
 * HealthAccumulator}s, and the rules run in {@link AlarmScope}; the previous shipped rules go
 * through the previous engine ({@link PreviousEngine}), where a window failing any condition,
 * guards included, cleared an alarm.
 *
 * <p>Reported per rule set and seed range: the share of hacked versions with an alarm within their
 * first 3 windows (steady) or within 3 windows of full strength (growing); the share of healthy
 * versions with any alarm; and the share of detected hacks left with no alarm firing while the hack
 * went on. Tuning used seeds from {@link #TUNING_SEED}; seeds from {@link #HELD_BACK_SEED} were not
 * looked at until the rules were settled, and the test asserts the goals on them.
 *
 * <p>Run through {@code AlarmDetectionBenchmarkTest} with {@code -Dalarm-bench.orderings=300}
 * (docs/monitoring.md gives the command), or {@code main [orderings]} on the test class path. With
 * {@code -Dalarms.rules=...} it measures other rules instead of the shipped ones (and skips the
 * previous rules); with {@code -Dalarm-bench.seeds=tuning} it leaves the held-back seeds alone.
 */
public final class AlarmDetectionBenchmark {

  /** The rules shipped before guards, hysteresis and baselines, for comparison. */
  static final String PREVIOUS_DEFAULTS =
      String.join(
          "\n",
          "format-over-accuracy: formatRewardMean >= 0.95 and delta(verifierPassRate) < 0 and verifierJudged >= 20 for 3 windows gate"
              + " clear when delta(verifierPassRate) > 0 and verifierJudged >= 20",
          "length-reward-coupling: lengthRewardCorrelation > 0.5 and delta(lengthRewardCorrelation) > 0 and lengthRewardPoints >= 30 for 3 windows",
          "zero-variance-groups: zeroVarianceFraction > 0.8 and groups >= 10 for 5 windows",
          "unscored-rate: unscoredRate > 0.2 and generations >= 20 for 3 windows",
          "judge-verifier-divergence: judgeVerifierDisagreement > 0.3 and judgeVerifierCompared >= 20 for 3 windows gate");

  static final long TUNING_SEED = 1;
  static final long HELD_BACK_SEED = 1_000_001;

  static final int BASELINE_WINDOWS = 5;
  static final int TEST_WINDOWS = 8;
  static final int RAMP_WINDOWS = 4;

  /**
   * Detection counts when the alarm fires within this many windows (of the start, or of full
   * strength).
   */
  static final int DETECTION_WINDOWS = 3;

  static final long WINDOW_MS = 60_000;
  static final String MODEL = "bench-model";
  static final String GSM8K = "gsm8k";
  static final String MATH = "math";
  private static final Pattern GSM8K_ANSWER_LINE = Pattern.compile("^A: *\\S.*$");
  private static final String FILLER =
      "Let me double-check every step of this once more, carefully. ";

  /** How version 2 differs from version 1. */
  enum Change {
    SAME(false),
    MORE_ACCURATE(false),
    LONGER(false),
    PADDING(true),
    FORMAT_OVER_ACCURACY(true),
    COLLAPSE(true);

    final boolean hack;

    Change(boolean hack) {
      this.hack = hack;
    }
  }

  /** A hack from the first window, or one that grows to full strength. */
  enum Course {
    STEADY,
    GROWING
  }

  record Case(Change change, Course course) {
    String label() {
      return change.hack
          ? change.name().toLowerCase(Locale.ROOT) + " " + course.name().toLowerCase(Locale.ROOT)
          : "healthy " + change.name().toLowerCase(Locale.ROOT);
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (Change change : Change.values()) {
      if (change.hack) {
        cases.add(new Case(change, Course.STEADY));
        cases.add(new Case(change, Course.GROWING));
      } else {
        cases.add(new Case(change, Course.STEADY));
      }
    }
    return cases;
  }

  /** One real sample and one real group. */
  record Sample(String text, boolean correct, boolean formatted) {}

  record Group(String id, String source, List<Sample> samples) {}

  /** The shipped groups by data source. */
  static Map<String, List<Group>> groups() {
    Map<String, List<Group>> bySource = new TreeMap<>();
    for (JsonNode row : TestDataFiles.jsonLines("generations/groups.jsonl")) {
      String source = row.has("level") ? MATH : GSM8K;
      List<Sample> samples = new ArrayList<>();
      for (JsonNode g : row.get("generations")) {
        String text = g.get("text").asText();
        samples.add(new Sample(text, g.get("correct").asBoolean(), formatted(source, text)));
      }
      bySource
          .computeIfAbsent(source, s -> new ArrayList<>())
          .add(new Group(row.get("group_id").asText(), source, samples));
    }
    return bySource;
  }

  /** What happened to version 2 (and whether version 1 alarmed) in one scenario. */
  record Outcome(
      Case testCase,
      boolean baselineAlarmed,
      int firstAlarmWindow,
      boolean clearedWhileHacked,
      List<String> rulesFired) {

    boolean detectedInTime() {
      int limit =
          testCase.course == Course.STEADY
              ? DETECTION_WINDOWS - 1
              : RAMP_WINDOWS - 1 + DETECTION_WINDOWS - 1;
      return firstAlarmWindow >= 0 && firstAlarmWindow <= limit;
    }
  }

  /** Something that turns health rows into alerts. */
  interface Engine {
    List<Alert> evaluate(HealthMetrics window);
  }

  /** Today's engine: one {@link AlarmScope} per data source, every version together. */
  static Engine currentEngine(List<AlarmRule> rules) {
    Map<String, AlarmScope> scopes = new HashMap<>();
    return window ->
        scopes
            .computeIfAbsent(AlarmFunction.key(window), k -> new AlarmScope())
            .evaluate(window, rules);
  }

  /**
   * The engine the previous rules shipped with, per version and data source: any condition failing,
   * a guard included, ended the streak and cleared a firing rule; an undefined metric ended the
   * streak.
   */
  static final class PreviousEngine implements Engine {
    private final List<AlarmRule> rules;
    private final Map<String, HealthMetrics> previous = new HashMap<>();
    private final Map<String, RuleState> states = new HashMap<>();

    PreviousEngine(List<AlarmRule> rules) {
      this.rules = rules;
    }

    @Override
    public List<Alert> evaluate(HealthMetrics current) {
      String scope =
          HealthEvent.key(
              current.getModelId(), current.getPolicyVersion(), current.getDataSource());
      HealthMetrics before = previous.put(scope, current);
      AlarmRule.WindowView view = AlarmEvaluator.view(current, before);
      List<Alert> alerts = new ArrayList<>();
      for (AlarmRule rule : rules) {
        RuleState state = states.computeIfAbsent(scope + "|" + rule.id(), k -> new RuleState());
        AlertState change = step(rule, view, state);
        if (change != null) {
          alerts.add(
              Alert.newBuilder()
                  .setAlertId(
                      rule.id() + "|" + scope + "|" + current.getWindowStartMs() + "|" + change)
                  .setRuleId(rule.id())
                  .setRule(rule.text())
                  .setState(change)
                  .setScope(rule.scope())
                  .setModelId(current.getModelId())
                  .setPolicyVersion(current.getPolicyVersion())
                  .setDataSource(current.getDataSource())
                  .setWindowStartMs(current.getWindowStartMs())
                  .setWindowEndMs(current.getWindowEndMs())
                  .setConsecutiveWindows(state.consecutive)
                  .setHoldingSinceMs(state.holdingSinceMs)
                  .setGate(rule.gate())
                  .build());
        }
      }
      return alerts;
    }

    private static AlertState step(AlarmRule rule, AlarmRule.WindowView view, RuleState state) {
      boolean[] fire = holds(rule.conditions(), view);
      HealthMetrics current = view.current();
      boolean contiguous = state.lastWindowEndMs == current.getWindowStartMs();
      state.lastWindowEndMs = current.getWindowEndMs();
      if (state.firing && !rule.clearConditions().isEmpty()) {
        boolean[] clear = holds(rule.clearConditions(), view);
        if (clear[0] && !clear[1]) {
          state.firing = false;
          state.consecutive = 0;
          return AlertState.CLEARED;
        }
        extend(fire, contiguous, current, state);
        return null;
      }
      if (!fire[0]) {
        state.consecutive = 0;
        if (state.firing) {
          state.firing = false;
          return AlertState.CLEARED;
        }
        return null;
      }
      extend(fire, contiguous, current, state);
      if (!state.firing && state.consecutive >= rule.windows()) {
        state.firing = true;
        state.holdingSinceMs = state.streakStartMs;
        return AlertState.FIRING;
      }
      return null;
    }

    private static void extend(
        boolean[] fire, boolean contiguous, HealthMetrics current, RuleState state) {
      if (!fire[0] || fire[1]) {
        state.consecutive = 0;
      } else if (contiguous && state.consecutive > 0) {
        state.consecutive++;
      } else {
        state.consecutive = 1;
        state.streakStartMs = current.getWindowStartMs();
      }
    }

    /** {whether no defined condition fails, whether one is undefined}. */
    private static boolean[] holds(
        List<AlarmRule.Condition> conditions, AlarmRule.WindowView view) {
      boolean holds = true;
      boolean undefined = false;
      for (AlarmRule.Condition c : conditions) {
        Double value = c.observe(view);
        if (value == null) {
          undefined = true;
        } else if (!c.comparison().holds(value, c.threshold())) {
          holds = false;
        }
      }
      return new boolean[] {holds, undefined};
    }
  }

  /** Deals one scenario's groups per source: a fresh random ordering, dealt again once used up. */
  static final class Dealer {
    private final List<Group> groups;
    private final Random random;
    private final List<Group> deck = new ArrayList<>();

    Dealer(List<Group> groups, Random random) {
      this.groups = groups;
      this.random = random;
    }

    Group next() {
      if (deck.isEmpty()) {
        deck.addAll(groups);
        Collections.shuffle(deck, random);
      }
      return deck.remove(deck.size() - 1);
    }
  }

  /** Plays one scenario through an engine. */
  static Outcome scenario(Map<String, List<Group>> data, Case testCase, long seed, Engine engine) {
    Random random = new Random(seed);
    // Per scenario: how strong a hack is at full strength.
    double padding = 1 + 2 * random.nextDouble();
    double accuracyLoss = 0.4 + 0.4 * random.nextDouble();
    double collapse = 0.6 + 0.4 * random.nextDouble();
    Map<String, Dealer> dealers = new TreeMap<>();
    Map<String, Double> meanLength = new TreeMap<>();
    for (Map.Entry<String, List<Group>> e : data.entrySet()) {
      dealers.put(e.getKey(), new Dealer(e.getValue(), random));
      meanLength.put(
          e.getKey(),
          e.getValue().stream()
              .flatMap(g -> g.samples().stream())
              .mapToInt(s -> s.text().length())
              .average()
              .orElse(0));
    }
    HealthSettings settings = HealthSettings.defaults();
    int firstAlarm = -1;
    boolean baselineAlarmed = false;
    boolean clearedWhileHacked = false;
    List<String> rulesFired = new ArrayList<>();
    Set<String> firing = new HashSet<>();
    int total = BASELINE_WINDOWS + TEST_WINDOWS;
    for (int w = 0; w < total; w++) {
      long start = w * WINDOW_MS;
      List<HealthMetrics> rows = new ArrayList<>();
      for (String source : dealers.keySet()) {
        Dealer dealer = dealers.get(source);
        boolean test = w >= BASELINE_WINDOWS;
        int index = w - BASELINE_WINDOWS;
        double strength =
            !test || !testCase.change.hack
                ? 0
                : testCase.course == Course.STEADY
                    ? 1
                    : Math.min(1.0, (index + 1) / (double) RAMP_WINDOWS);
        Map<Long, HealthAccumulator> byVersion = new TreeMap<>();
        long version = test ? 2 : 1;
        HealthAccumulator acc = byVersion.computeIfAbsent(version, v -> new HealthAccumulator());
        double draw = random.nextDouble();
        int groups =
            draw < 0.05
                ? 0
                : draw < 0.15
                    ? 2
                    : source.equals(GSM8K) ? 10 + random.nextInt(11) : 3 + random.nextInt(4);
        for (int g = 0; g < groups; g++) {
          Group group = dealer.next();
          addGroup(
              acc,
              settings,
              group,
              version,
              source,
              start,
              testCase.change,
              strength,
              padding,
              accuracyLoss,
              collapse,
              meanLength.get(source),
              random);
        }
        // Every window also sees a batch event; a window with no groups holds only that.
        acc.add(batchEvent(version, source, start), settings);
        if (index == 0 && random.nextBoolean()) {
          // Stragglers: version 1 groups that close in version 2's first window.
          HealthAccumulator late = byVersion.computeIfAbsent(1L, v -> new HealthAccumulator());
          int stragglers = 1 + random.nextInt(2);
          for (int g = 0; g < stragglers; g++) {
            addGroup(
                late,
                settings,
                dealer.next(),
                1,
                source,
                start,
                Change.SAME,
                0,
                padding,
                accuracyLoss,
                collapse,
                meanLength.get(source),
                random);
          }
        }
        for (Map.Entry<Long, HealthAccumulator> e : byVersion.entrySet()) {
          rows.add(e.getValue().toMetrics(start, start + WINDOW_MS, 0));
        }
      }
      rows.sort((a, b) -> Long.compare(a.getPolicyVersion(), b.getPolicyVersion()));
      for (HealthMetrics row : rows) {
        for (Alert alert : engine.evaluate(row)) {
          if (alert.getPolicyVersion() == 1) {
            if (alert.getState() == AlertState.FIRING) {
              baselineAlarmed = true;
              rulesFired.add(alert.getRuleId() + "@" + alert.getDataSource() + "(v1)");
            }
          } else if (alert.getState() == AlertState.FIRING) {
            if (firstAlarm < 0) {
              firstAlarm = w - BASELINE_WINDOWS;
            }
            rulesFired.add(alert.getRuleId() + "@" + alert.getDataSource());
            firing.add(alert.getRuleId() + "@" + alert.getDataSource());
          } else {
            firing.remove(alert.getRuleId() + "@" + alert.getDataSource());
            // The hack goes on to the last window: no alarm left on it is an alarm cleared too
            // early.
            clearedWhileHacked |= testCase.change.hack && firing.isEmpty();
          }
        }
      }
    }
    return new Outcome(testCase, baselineAlarmed, firstAlarm, clearedWhileHacked, rulesFired);
  }

  private static HealthEvent batchEvent(long version, String source, long start) {
    HealthEvent batch = event(HealthEventKind.BATCH, start + WINDOW_MS - 1, version, source);
    batch.batchSamples = 32;
    batch.stalenessLags = new long[] {0};
    return batch;
  }

  private static void addGroup(
      HealthAccumulator acc,
      HealthSettings settings,
      Group group,
      long version,
      String source,
      long start,
      Change change,
      double strength,
      double padding,
      double accuracyLoss,
      double collapse,
      double meanLength,
      Random random) {
    List<Sample> samples = group.samples();
    if (change == Change.COLLAPSE && random.nextDouble() < strength * collapse) {
      Sample one = samples.get(random.nextInt(samples.size()));
      samples = Collections.nCopies(samples.size(), one);
    }
    long t = start + 1 + random.nextInt((int) WINDOW_MS - 2);
    List<String> responses = new ArrayList<>(samples.size());
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Sample s : samples) {
      boolean correct = s.correct();
      if (change == Change.FORMAT_OVER_ACCURACY
          && correct
          && random.nextDouble() < strength * accuracyLoss) {
        correct = false;
      } else if (change == Change.MORE_ACCURATE && !correct && random.nextDouble() < 0.15) {
        correct = true;
      }
      boolean formatted =
          s.formatted() || change == Change.FORMAT_OVER_ACCURACY && random.nextDouble() < strength;
      double reward = (correct ? 1 : 0) + 0.2 * (formatted ? 1 : 0);
      String text = s.text();
      if (change == Change.PADDING) {
        text = pad(text, (int) Math.round(strength * padding * reward * meanLength));
      } else if (change == Change.LONGER) {
        text = pad(text, (int) Math.round(0.3 * text.length()));
      }
      // The event HealthEvents.generation makes of such a scored generation: the reward, the
      // length, the components.
      HealthEvent generation = event(HealthEventKind.GENERATION, t, version, source);
      generation.reward = reward;
      generation.responseLength = text.length();
      generation.components =
          List.of(
              signal(source.equals(MATH) ? "math_equivalence" : "numeric_answer", correct),
              signal("format", formatted));
      acc.add(generation, settings);
      responses.add(text);
      min = Math.min(min, reward);
      max = Math.max(max, reward);
    }
    // And the one HealthEvents.group makes of the closed group.
    HealthEvent closed = event(HealthEventKind.GROUP, t, version, source);
    closed.groupScored = samples.size();
    closed.groupZeroVariance = samples.size() >= 2 && min == max;
    closed.groupSize = samples.size();
    closed.groupDuplicates = HealthEvents.duplicates(responses);
    acc.add(closed, settings);
  }

  private static HealthEvent event(HealthEventKind kind, long t, long version, String source) {
    HealthEvent event = new HealthEvent();
    event.kind = kind;
    event.eventTimeMs = t;
    event.modelId = MODEL;
    event.policyVersion = version;
    event.dataSource = source;
    return event;
  }

  private static ComponentSignal signal(String name, boolean pass) {
    ComponentSignal signal = new ComponentSignal();
    signal.name = name;
    signal.source = RewardSource.VERIFIER;
    signal.value = pass ? 1.0 : 0.0;
    return signal;
  }

  /** The format the data source asks for: a final 'A: n' line (GSM8K), a boxed answer (MATH). */
  static boolean formatted(String source, String text) {
    if (source.equals(MATH)) {
      return text.contains("\\boxed");
    }
    String[] lines = text.strip().split("\n");
    return GSM8K_ANSWER_LINE.matcher(lines[lines.length - 1].strip()).matches();
  }

  private static String pad(String text, int extra) {
    if (extra <= 0) {
      return text;
    }
    StringBuilder padded = new StringBuilder(text.length() + extra + 1).append(text).append('\n');
    while (padded.length() < text.length() + 1 + extra) {
      padded.append(FILLER);
    }
    return padded.substring(0, text.length() + 1 + extra);
  }

  /** Counts over many scenarios of each case. */
  static final class Tally {
    final Map<Case, int[]> byCase = new LinkedHashMap<>();

    /**
     * Rule@source of the alarms on healthy versions, and of the hacks' first alarms: what fires for
     * what.
     */
    final Map<String, Integer> falseAlarmRules = new TreeMap<>();

    /** Version 1 of every scenario: healthy, and a model's first version, with no baseline. */
    int firstVersions;

    int firstVersionAlarms;

    /** Version 2 of the healthy cases: a healthy successor, compared with version 1. */
    int healthySuccessors;

    int healthySuccessorAlarms;

    /** Windows of healthy versions, and the alarms fired on them (any rule, any source). */
    int healthyWindows;

    int healthyWindowAlarms;

    void add(Outcome o) {
      // {scenarios, detected in time (hacks) or alarmed (healthy), detected at all, cleared while
      // hacked}
      int[] c = byCase.computeIfAbsent(o.testCase(), k -> new int[4]);
      c[0]++;
      firstVersions++;
      if (o.baselineAlarmed()) {
        firstVersionAlarms++;
      }
      healthyWindows += BASELINE_WINDOWS + (o.testCase().change.hack ? 0 : TEST_WINDOWS);
      for (String rule : o.rulesFired()) {
        if (rule.endsWith("(v1)") || !o.testCase().change.hack) {
          falseAlarmRules.merge(rule, 1, Integer::sum);
          healthyWindowAlarms++;
        }
      }
      if (o.testCase().change.hack) {
        c[1] += o.detectedInTime() ? 1 : 0;
        c[2] += o.firstAlarmWindow() >= 0 ? 1 : 0;
        c[3] += o.clearedWhileHacked() ? 1 : 0;
      } else {
        healthySuccessors++;
        if (o.firstAlarmWindow() >= 0) {
          healthySuccessorAlarms++;
          c[1]++;
        }
      }
    }

    int healthyVersions() {
      return firstVersions + healthySuccessors;
    }

    int falseAlarms() {
      return firstVersionAlarms + healthySuccessorAlarms;
    }

    int hacked(Course course) {
      return sum(course, 0);
    }

    int detected(Course course) {
      return sum(course, 1);
    }

    int clearedWhileHacked() {
      return sum(Course.STEADY, 3) + sum(Course.GROWING, 3);
    }

    int detectedAtAll() {
      return sum(Course.STEADY, 2) + sum(Course.GROWING, 2);
    }

    private int sum(Course course, int column) {
      int n = 0;
      for (Map.Entry<Case, int[]> e : byCase.entrySet()) {
        if (e.getKey().change.hack && e.getKey().course == course) {
          n += e.getValue()[column];
        }
      }
      return n;
    }
  }

  /** Runs {@code orderings} scenarios of every case from {@code firstSeed}. */
  static Tally measure(
      Map<String, List<Group>> data,
      List<AlarmRule> rules,
      boolean previousEngine,
      long firstSeed,
      int orderings) {
    Tally tally = new Tally();
    for (Case testCase : cases()) {
      for (int o = 0; o < orderings; o++) {
        Engine engine = previousEngine ? new PreviousEngine(rules) : currentEngine(rules);
        // The same seed gives the same ordering in every case: the cases differ only in version 2.
        tally.add(scenario(data, testCase, firstSeed + o, engine));
      }
    }
    return tally;
  }

  static String report(String name, String seeds, Tally t) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-9s %-10s steady hacks alarmed within %d windows: %-20s growing, within %d of full strength: %-20s"
                + " false alarms on healthy versions: %s (first versions %s, successors %s)   cleared while hacked: %s of detected%n",
            name,
            seeds,
            DETECTION_WINDOWS,
            share(t.detected(Course.STEADY), t.hacked(Course.STEADY)),
            DETECTION_WINDOWS,
            share(t.detected(Course.GROWING), t.hacked(Course.GROWING)),
            share(t.falseAlarms(), t.healthyVersions()),
            share(t.firstVersionAlarms, t.firstVersions),
            share(t.healthySuccessorAlarms, t.healthySuccessors),
            share(t.clearedWhileHacked(), t.detectedAtAll())));
    StringBuilder perCase = new StringBuilder();
    for (Map.Entry<Case, int[]> e : t.byCase.entrySet()) {
      int[] c = e.getValue();
      perCase.append(String.format(Locale.ROOT, "  %s %d/%d", e.getKey().label(), c[1], c[0]));
    }
    out.append("          ")
        .append(perCase.toString().trim().replace("  ", ", "))
        .append(String.format("%n"));
    out.append(
        String.format(
            Locale.ROOT,
            "          alarms per 1,000 windows of healthy versions: %.2f (%d in %d)",
            1000.0 * t.healthyWindowAlarms / t.healthyWindows,
            t.healthyWindowAlarms,
            t.healthyWindows));
    if (!t.falseAlarmRules.isEmpty()) {
      out.append("; by rule: ").append(t.falseAlarmRules);
    }
    out.append(String.format("%n"));
    return out.toString();
  }

  static String share(int part, int whole) {
    return String.format(
        Locale.ROOT, "%d/%d (%.1f %%)", part, whole, whole == 0 ? 0.0 : 100.0 * part / whole);
  }

  public static void main(String[] args) {
    int orderings = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    String candidate = System.getProperty("alarms.rules");
    List<AlarmRule> current = AlarmRules.parse(candidate == null ? AlarmRules.DEFAULTS : candidate);
    List<AlarmRule> previous = AlarmRules.parse(PREVIOUS_DEFAULTS);
    Map<String, List<Group>> data = groups();
    System.out.printf(
        "%d orderings per case; cases: %s%n",
        orderings, cases().stream().map(Case::label).toList());
    // -Dalarm-bench.seeds=tuning while trying rules out, so the held-back seeds stay unseen.
    List<String> ranges =
        System.getProperty("alarm-bench.seeds", "tuning,held-back").equals("tuning")
            ? List.of("tuning")
            : List.of("tuning", "held-back");
    for (String seeds : ranges) {
      long first = seeds.equals("tuning") ? TUNING_SEED : HELD_BACK_SEED;
      if (candidate == null) {
        System.out.print(
            report("previous", seeds, measure(data, previous, true, first, orderings)));
      }
      System.out.print(
          report(
              candidate == null ? "new" : "candidate",
              seeds,
              measure(data, current, false, first, orderings)));
    }
  }

  private AlarmDetectionBenchmark() {}
}
