package io.lodestar.operators.reward.remote;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * Captures the metrics an operator registers, including those under key/value groups, which are
 * stored as {@code name{key=value}}.
 */
final class CapturedRemoteMetrics extends InterceptingTaskMetricGroup {

  private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
  private final InterceptingOperatorMetricGroup operator =
      new InterceptingOperatorMetricGroup() {
        @Override
        protected void addMetric(String name, Metric metric) {
          metrics.put(name, metric);
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
          return new UnregisteredMetricsGroup() {
            @Override
            public <C extends Counter> C counter(String name, C counter) {
              metrics.put(name + "{" + key + "=" + value + "}", counter);
              return counter;
            }
          };
        }
      };

  @Override
  public InternalOperatorMetricGroup getOrAddOperator(
      OperatorID id, String name, Map<String, String> variables) {
    return operator;
  }

  MockEnvironment environment() {
    return new MockEnvironmentBuilder().setMetricGroup(this).build();
  }

  long count(String name) {
    Metric metric = metrics.get(name);
    return metric == null ? 0 : ((Counter) metric).getCount();
  }

  long histogramCount(String name) {
    Metric metric = metrics.get(name);
    return metric == null ? 0 : ((Histogram) metric).getCount();
  }

  Iterable<String> names() {
    return metrics.keySet();
  }
}
