package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.RewardSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which names read a number out of a window's metrics, and what they read. */
class HealthMetricValuesTest {

  private static HealthMetrics metrics() {
    HealthAccumulator acc = new HealthAccumulator();
    HealthEvent g = new HealthEvent();
    g.kind = HealthEventKind.GENERATION;
    g.modelId = "model";
    g.dataSource = "src";
    g.reward = 0.5;
    g.responseLength = 12;
    ComponentSignal s = new ComponentSignal();
    s.name = "format";
    s.source = RewardSource.VERIFIER;
    s.value = 1.0;
    g.components = new ArrayList<>(List.of(s));
    acc.add(g, HealthSettings.defaults());
    for (int i = 0; i < 2; i++) {
      HealthEvent f = new HealthEvent();
      f.kind = HealthEventKind.FEEDBACK;
      f.feedbackKind = "THUMB";
      acc.add(f, HealthSettings.defaults());
    }
    return acc.toMetrics(0, 60_000, 0);
  }

  @Test
  void countsByKindReadTheirCountAndZeroWhenAbsent() {
    HealthMetrics m = metrics();

    assertThat(HealthMetricValues.value(m, "feedbackByKind.THUMB")).isEqualTo(2.0);
    assertThat(HealthMetricValues.value(m, "feedbackByKind.VOTE")).isEqualTo(0.0);
  }

  @Test
  void fieldsStatisticsAndComponentsReadTheirValues() {
    HealthMetrics m = metrics();

    assertThat(HealthMetricValues.value(m, "generations")).isEqualTo(1.0);
    assertThat(HealthMetricValues.value(m, "reward.mean")).isEqualTo(0.5);
    assertThat(HealthMetricValues.value(m, "responseLength.max")).isEqualTo(12.0);
    assertThat(HealthMetricValues.value(m, "component.format.mean")).isEqualTo(1.0);
    assertThat(HealthMetricValues.value(m, "component.format.scored")).isEqualTo(1.0);
    assertThat(HealthMetricValues.value(m, "component.absent.mean")).isNull();
    assertThat(HealthMetricValues.value(m, "verifierPassRate")).isNull();
  }

  @Test
  void namesThatReadNoNumberAreExplained() {
    assertThat(HealthMetricValues.problem("generations")).isNull();
    assertThat(HealthMetricValues.problem("verifierPassRate")).isNull();
    assertThat(HealthMetricValues.problem("reward.p90")).isNull();
    assertThat(HealthMetricValues.problem("pairsBySource.VOTE")).isNull();
    assertThat(HealthMetricValues.problem("component.format.timeouts")).isNull();
    assertThat(HealthMetricValues.problem("reward")).startsWith("unknown metric 'reward'");
    assertThat(HealthMetricValues.problem("modelId")).startsWith("unknown metric 'modelId'");
    assertThat(HealthMetricValues.problem("reward.p99")).startsWith("unknown statistic 'p99'");
    assertThat(HealthMetricValues.problem("component.format.p99"))
        .startsWith("unknown component statistic 'p99'");
    assertThat(HealthMetricValues.problem("pairsBySource."))
        .startsWith("unknown metric 'pairsBySource.'");
    assertThat(HealthMetricValues.problem("component..mean")).startsWith("unknown metric");
    assertThat(HealthMetricValues.problem("a.b.c.d")).contains("component.<name>.<statistic>");
  }
}
