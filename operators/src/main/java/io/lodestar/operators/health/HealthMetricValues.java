package io.lodestar.operators.health;

import io.lodestar.schema.ComponentHealth;
import io.lodestar.schema.DistributionSummary;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a named number out of a {@link HealthMetrics} record, so rules can name any aggregate:
 *
 * <ul>
 *   <li>a numeric field: {@code verifierPassRate}, {@code generations}, …
 *   <li>a statistic of a distribution: {@code reward.mean}, {@code responseLength.p90}, {@code
 *       staleness.max} ({@code count mean std min max p10 p50 p90})
 *   <li>a component: {@code component.<name>.<statistic>} with the statistics above plus {@code
 *       scored unscored timeouts}
 *   <li>a count by kind: {@code feedbackByKind.<KIND>}, {@code pairsBySource.<SOURCE>}
 * </ul>
 *
 * A value that is undefined in a window (a null rate, a missing component) reads as null.
 */
public final class HealthMetricValues {

  private static final Schema SCHEMA = HealthMetrics.getClassSchema();
  private static final Set<String> DISTRIBUTIONS =
      Set.of("reward", "responseLength", "staleness", "selfConsistency");
  private static final Set<String> COUNT_MAPS = Set.of("feedbackByKind", "pairsBySource");
  private static final List<String> SUMMARY_STATISTICS =
      fieldNames(DistributionSummary.getClassSchema());
  private static final Set<String> COMPONENT_COUNTS = Set.of("scored", "unscored", "timeouts");

  private HealthMetricValues() {}

  /** Why {@code metric} names no number, or null when it does. */
  public static String problem(String metric) {
    String[] parts = metric.split("\\.", -1);
    if (parts.length == 1) {
      Schema.Field field = SCHEMA.getField(metric);
      return field != null && isNumber(field.schema())
          ? null
          : "unknown metric '" + metric + "'; numeric fields: " + numericFields();
    }
    if (DISTRIBUTIONS.contains(parts[0]) && parts.length == 2) {
      return SUMMARY_STATISTICS.contains(parts[1])
          ? null
          : "unknown statistic '" + parts[1] + "'; known: " + SUMMARY_STATISTICS;
    }
    if (COUNT_MAPS.contains(parts[0]) && parts.length == 2 && !parts[1].isEmpty()) {
      return null;
    }
    if (parts[0].equals("component") && parts.length == 3 && !parts[1].isEmpty()) {
      return SUMMARY_STATISTICS.contains(parts[2]) || COMPONENT_COUNTS.contains(parts[2])
          ? null
          : "unknown component statistic '"
              + parts[2]
              + "'; known: "
              + SUMMARY_STATISTICS
              + " and "
              + COMPONENT_COUNTS;
    }
    return "unknown metric '"
        + metric
        + "'; use a numeric field, "
        + DISTRIBUTIONS
        + ".<statistic>, "
        + COUNT_MAPS
        + ".<key> or component.<name>.<statistic>";
  }

  /** The value, or null when undefined in this window. */
  public static Double value(HealthMetrics metrics, String metric) {
    String[] parts = metric.split("\\.", -1);
    if (parts.length == 1) {
      return number(metrics.get(metric));
    }
    if (DISTRIBUTIONS.contains(parts[0])) {
      return statistic((DistributionSummary) metrics.get(parts[0]), parts[1]);
    }
    if (COUNT_MAPS.contains(parts[0])) {
      @SuppressWarnings("unchecked")
      Map<String, Long> counts = (Map<String, Long>) metrics.get(parts[0]);
      Long n = counts.get(parts[1]);
      return n == null ? 0.0 : n.doubleValue();
    }
    for (ComponentHealth component : metrics.getComponents()) {
      if (component.getName().equals(parts[1])) {
        if (COMPONENT_COUNTS.contains(parts[2])) {
          return number(component.get(parts[2]));
        }
        return statistic(component.getValue(), parts[2]);
      }
    }
    return null;
  }

  private static Double statistic(SpecificRecord summary, String name) {
    return summary == null ? null : number(summary.get(summary.getSchema().getField(name).pos()));
  }

  private static Double number(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? d : null;
    }
    return null;
  }

  private static boolean isNumber(Schema schema) {
    switch (schema.getType()) {
      case INT:
      case LONG:
      case FLOAT:
      case DOUBLE:
        return true;
      case UNION:
        return schema.getTypes().stream().anyMatch(HealthMetricValues::isNumber);
      default:
        return false;
    }
  }

  private static List<String> numericFields() {
    List<String> names = new ArrayList<>();
    for (Schema.Field field : SCHEMA.getFields()) {
      if (isNumber(field.schema())) {
        names.add(field.name());
      }
    }
    return names;
  }

  private static List<String> fieldNames(Schema schema) {
    List<String> names = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      names.add(field.name());
    }
    return names;
  }
}
