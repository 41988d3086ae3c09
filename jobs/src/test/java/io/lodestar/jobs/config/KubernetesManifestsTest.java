package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lodestar.connectors.ParseMetricNames;
import io.lodestar.connectors.kafka.OutputMetricNames;
import io.lodestar.operators.batch.BatchMetricNames;
import io.lodestar.operators.dedup.DedupMetricNames;
import io.lodestar.operators.group.GroupMetricNames;
import io.lodestar.operators.health.HealthMetricNames;
import io.lodestar.operators.preference.PreferenceMetricNames;
import io.lodestar.operators.reward.compose.RewardMetricNames;
import io.lodestar.operators.reward.model.ModelMetricNames;
import io.lodestar.operators.reward.remote.RemoteMetricNames;
import io.lodestar.operators.verify.code.CodeTestMetricNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.executiongraph.metrics.UpTimeGauge;
import org.junit.jupiter.api.Test;

/**
 * Every metric the shipped dashboard and alerts query is one the job reports, under its exact
 * Prometheus name and with labels it carries.
 */
class KubernetesManifestsTest {

  private static final Path K8S =
      Path.of(System.getProperty("user.dir")).getParent().resolve("k8s");

  private static final String JOB = "flink_jobmanager_job_";
  private static final String TASK = "flink_taskmanager_job_task_";
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

  /** Labels Prometheus adds to every scraped series (Prometheus Operator's pod targets). */
  private static final Set<String> TARGET_LABELS =
      Set.of("namespace", "pod", "container", "endpoint", "instance", "job");

  /** Flink's scope variables, which its Prometheus reporter turns into labels, per scope. */
  private static final Map<String, Set<String>> SCOPE_LABELS =
      Map.of(
          JOB, Set.of("host", "job_id", "job_name"),
          TASK,
              Set.of(
                  "host",
                  "tm_id",
                  "job_id",
                  "job_name",
                  "task_id",
                  "task_name",
                  "task_attempt_id",
                  "task_attempt_num",
                  "subtask_index"),
          OPERATOR,
              Set.of(
                  "host",
                  "tm_id",
                  "job_id",
                  "job_name",
                  "task_id",
                  "task_name",
                  "task_attempt_id",
                  "task_attempt_num",
                  "subtask_index",
                  "operator_id",
                  "operator_name"));

  /**
   * The Lodestar metrics registered in a key/value group, by the group's key (which Flink puts in
   * the name and as a label); "" for the unlabelled total. Every other name in the *MetricNames
   * classes is registered unlabelled only. Where: ParseFunction (DEAD_LETTERS kind), ExampleEmitter
   * (PAIRS source, FEEDBACK_WITHOUT_EXAMPLE reason), CombineRewardsFunction (COMPONENT_*
   * component), RemoteRewardFunction (REMOTE_ERRORS kind), CheckedEncodeFunction (OUTPUTS_TOO_LARGE
   * output).
   */
  private static final Map<String, Set<String>> LABELLED =
      Map.of(
          ParseMetricNames.DEAD_LETTERS, Set.of("", "kind"),
          PreferenceMetricNames.PAIRS, Set.of("", "source"),
          PreferenceMetricNames.FEEDBACK_WITHOUT_EXAMPLE, Set.of("reason"),
          RewardMetricNames.COMPONENT_UNSCORED, Set.of("component"),
          RewardMetricNames.COMPONENT_TIMEOUTS, Set.of("component"),
          RemoteMetricNames.REMOTE_ERRORS, Set.of("kind"),
          OutputMetricNames.OUTPUTS_TOO_LARGE, Set.of("output"));

  /**
   * Lodestar's histograms, which Flink's Prometheus reporter exports as summaries: a series per
   * quantile (label {@code quantile}) and a {@code _count}.
   */
  private static final Set<String> HISTOGRAMS =
      Set.of(
          ModelMetricNames.MODEL_BATCH_SIZE,
          ModelMetricNames.MODEL_LATENCY_MS,
          RemoteMetricNames.REMOTE_LATENCY_MS);

  /** Flink's own metrics the dashboard and alerts may use, by full name, from Flink's constants. */
  private static Map<String, Set<String>> flinkMetrics() throws Exception {
    Map<String, Set<String>> names = new HashMap<>();
    Class<?> runtime = Class.forName("org.apache.flink.runtime.metrics.MetricNames");
    Class<?> checkpoints =
        Class.forName("org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker");
    names.put(JOB + constant(runtime, "NUM_RESTARTS"), SCOPE_LABELS.get(JOB));
    names.put(JOB + UpTimeGauge.METRIC_NAME, SCOPE_LABELS.get(JOB));
    for (String c :
        List.of(
            "NUMBER_OF_FAILED_CHECKPOINTS_METRIC",
            "NUMBER_OF_COMPLETED_CHECKPOINTS_METRIC",
            "LATEST_COMPLETED_CHECKPOINT_DURATION_METRIC",
            "LATEST_COMPLETED_CHECKPOINT_SIZE_METRIC")) {
      names.put(JOB + constant(checkpoints, c), SCOPE_LABELS.get(JOB));
    }
    names.put(TASK + constant(runtime, "TASK_BACK_PRESSURED_TIME"), SCOPE_LABELS.get(TASK));
    // A source's unread records (for the Kafka source, the consumer lag).
    names.put(OPERATOR + constant(runtime, "PENDING_RECORDS"), SCOPE_LABELS.get(OPERATOR));
    return names;
  }

  private static String constant(Class<?> owner, String field) throws Exception {
    Field f = owner.getDeclaredField(field);
    f.setAccessible(true);
    return (String) f.get(null);
  }

  /** Every series name the job reports that a query may use, with the labels it carries. */
  static Map<String, Set<String>> reported() throws Exception {
    Map<String, Set<String>> series = new HashMap<>(flinkMetrics());
    for (Field f : metricNameFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        String name = (String) f.get(null);
        for (String key : LABELLED.getOrDefault(name, Set.of(""))) {
          Set<String> labels = new HashSet<>(SCOPE_LABELS.get(OPERATOR));
          if (HISTOGRAMS.contains(name)) {
            series.put(OPERATOR + name + "_count", Set.copyOf(labels));
            labels.add("quantile");
          }
          if (key.isEmpty()) {
            series.put(OPERATOR + name, labels);
          } else {
            labels.add(key);
            series.put(OPERATOR + key + "_" + name, labels);
          }
        }
      }
    }
    return series;
  }

  private static final Pattern SERIES = Pattern.compile("\\b(flink_[A-Za-z0-9_]+)(\\{[^}]*})?");
  private static final Pattern MATCHER =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");

  /** What is wrong with one PromQL expression: unknown names, labels a series does not carry. */
  static List<String> problems(String where, String expr, Map<String, Set<String>> reported) {
    List<String> problems = new ArrayList<>();
    Set<String> labelsOfAny = new HashSet<>(TARGET_LABELS);
    Matcher m = SERIES.matcher(expr);
    boolean any = false;
    while (m.find()) {
      any = true;
      Set<String> labels = reported.get(m.group(1));
      if (labels == null) {
        problems.add(where + ": " + m.group(1) + " is not a metric the job reports");
        continue;
      }
      labelsOfAny.addAll(labels);
      if (m.group(2) != null) {
        Matcher l = MATCHER.matcher(m.group(2));
        while (l.find()) {
          if (!labels.contains(l.group(1)) && !TARGET_LABELS.contains(l.group(1))) {
            problems.add(where + ": " + m.group(1) + " has no label " + l.group(1));
          }
        }
      }
    }
    Matcher g = GROUPING.matcher(expr);
    while (g.find()) {
      for (String label : g.group(1).split(",")) {
        if (!label.isBlank() && !labelsOfAny.contains(label.trim())) {
          problems.add(where + ": no series in the expression has label " + label.trim());
        }
      }
    }
    if (!any) {
      problems.add(where + ": queries no Flink or Lodestar metric");
    }
    return problems;
  }

  @Test
  void everyMetricOnTheDashboardIsReportedWithTheLabelsItIsQueriedBy() throws Exception {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(Files.readString(K8S.resolve("base/grafana/lodestar-dashboard.json")));
    Map<String, Set<String>> reported = reported();
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        problems.addAll(problems("panel '" + panel.path("title").asText() + "'", expr, reported));
        used.add(expr);
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      String query = variable.at("/query/query").asText();
      if (!query.isEmpty()) {
        problems.addAll(problems("variable " + variable.path("name").asText(), query, reported));
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(problems).isEmpty();
  }

  @Test
  void everyAlertQueriesMetricsTheJobReportsWithTheirLabels() throws Exception {
    JsonNode rule = new YAMLMapper().readTree(K8S.resolve("base/prometheus/alerts.yaml").toFile());
    Map<String, Set<String>> reported = reported();
    List<String> problems = new ArrayList<>();
    int alerts = 0;
    for (JsonNode group : rule.at("/spec/groups")) {
      for (JsonNode alert : group.path("rules")) {
        alerts++;
        problems.addAll(
            problems(
                "alert " + alert.path("alert").asText(), alert.path("expr").asText(), reported));
      }
    }
    assertThat(alerts).isPositive();
    assertThat(problems).isEmpty();
  }

  @Test
  void aQueryWithAMisplacedLabelKeyOrAnUnknownLabelIsCaught() throws Exception {
    Map<String, Set<String>> reported = reported();
    assertThat(problems("q", "rate(" + OPERATOR + "kind_lodestarPairs[1m])", reported))
        .singleElement()
        .asString()
        .contains("not a metric the job reports");
    assertThat(
            problems(
                "q", "sum by (kind) (rate(" + OPERATOR + "source_lodestarPairs[1m]))", reported))
        .singleElement()
        .asString()
        .contains("no series in the expression has label kind");
    assertThat(problems("q", OPERATOR + "lodestarPairs{source=\"x\"}", reported))
        .singleElement()
        .asString()
        .contains("has no label source");
    assertThat(
            problems(
                "q",
                "sum by (job_name, source) (rate("
                    + OPERATOR
                    + "source_lodestarPairs{job_name=~\"$job\"}[1m]))",
                reported))
        .isEmpty();
  }

  /** Every class that holds metric names, each next to the operators that report them. */
  private static final List<Class<?>> METRIC_NAMES =
      List.of(
          ParseMetricNames.class,
          OutputMetricNames.class,
          BatchMetricNames.class,
          DedupMetricNames.class,
          GroupMetricNames.class,
          HealthMetricNames.class,
          PreferenceMetricNames.class,
          RewardMetricNames.class,
          ModelMetricNames.class,
          RemoteMetricNames.class,
          CodeTestMetricNames.class);

  private static List<Field> metricNameFields() {
    List<Field> fields = new ArrayList<>();
    for (Class<?> holder : METRIC_NAMES) {
      fields.addAll(List.of(holder.getFields()));
    }
    return fields;
  }
}
