package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped Kubernetes files agree with the code: options that parse, metrics that exist. */
class KubernetesManifestsTest {

  private static final Path K8S =
      Path.of(System.getProperty("user.dir")).getParent().resolve("k8s");

  @Test
  void theShippedJobConfigurationPassesStartUpValidation() {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {"--config", K8S.resolve("lodestar.properties").toString()},
            // The pod's FLINK_CONF_DIR holds the operator's config.yaml, which is not in the
            // repository.
            name -> name.equals("FLINK_CONF_DIR") ? null : "from-env-" + name);

    assertThat(options.kafka().bootstrapServers()).isEqualTo("kafka-bootstrap.kafka.svc:9092");
    assertThat(options.kafka().clientProperties())
        .containsEntry("sasl.jaas.config", "from-env-KAFKA_SASL_JAAS_CONFIG");
    assertThat(options.get(LodestarOptions.PARALLELISM)).isEqualTo(2);
  }

  @Test
  void everyLodestarMetricOnTheDashboardIsOneTheJobReports() throws Exception {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(Files.readString(K8S.resolve("grafana/lodestar-dashboard.json")));
    Set<String> used = new TreeSet<>();
    // A labelled metric carries its label's key in the name (Flink's key/value groups).
    Pattern metric =
        Pattern.compile(
            "flink_taskmanager_job_task_operator_(?:(?:kind|source|reason)_)?(lodestar[A-Za-z]+)");
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = metric.matcher(target.path("expr").asText());
        while (m.find()) {
          used.add(m.group(1));
        }
      }
    }

    assertThat(used).isNotEmpty();
    assertThat(reportedNames()).containsAll(used);
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

  private static Set<String> reportedNames() throws IllegalAccessException {
    Set<String> names = new HashSet<>();
    for (Class<?> holder : METRIC_NAMES) {
      for (Field f : holder.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          names.add((String) f.get(null));
        }
      }
    }
    return names;
  }
}
