package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.HealthMetrics;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The monitoring piece of the graph, ready to wire: records to health events, health windows,
 * alarms, and a gate. Each step has a stable uid and a name; every type is Avro or a Flink POJO.
 */
public final class HealthMonitoring {

  public static final String WINDOW_UID = "health-windows";
  public static final String ALARMS_UID = "health-alarms";

  private HealthMonitoring() {}

  /** Turns one record into health events (see {@link HealthEvents}). */
  @FunctionalInterface
  public interface ToEvents<T> extends Serializable {
    List<HealthEvent> apply(T record);
  }

  /** Health events of a stream; timestamps are kept, so the window sees the records' event time. */
  public static <T> DataStream<HealthEvent> events(DataStream<T> records, ToEvents<T> toEvents, String uid) {
    return records
        .flatMap(
            new FlatMapFunction<T, HealthEvent>() {
              private static final long serialVersionUID = 1L;

              @Override
              public void flatMap(T record, Collector<HealthEvent> out) {
                for (HealthEvent event : toEvents.apply(record)) {
                  out.collect(event);
                }
              }
            },
            HealthWindowFunction.eventType())
        .uid(uid)
        .name("health events: " + uid);
  }

  /** Health windows per policy and data source. */
  public static SingleOutputStreamOperator<HealthMetrics> windows(DataStream<HealthEvent> events, HealthSettings settings) {
    return events
        .keyBy(HealthEvent::key, Types.STRING)
        .process(new HealthWindowFunction(settings), new AvroTypeInfo<>(HealthMetrics.class))
        .uid(WINDOW_UID)
        .name("health windows");
  }

  /** Alerts from the rules, on the first emission of each window. */
  public static SingleOutputStreamOperator<Alert> alarms(DataStream<HealthMetrics> metrics, List<AlarmRule> rules) {
    return metrics
        .keyBy(AlarmFunction::key, Types.STRING)
        .process(new AlarmFunction(rules), AlarmFunction.alertType())
        .uid(ALARMS_UID)
        .name("health alarms");
  }

  /** What passed a gate, and what a cleared gate discarded. */
  public record Gated<T>(SingleOutputStreamOperator<T> passed, DataStream<T> discarded) {}

  /** Holds records of a policy version while a gating alert fires for it; keyed by model. */
  public static <T> Gated<T> gate(
      DataStream<T> records, DataStream<Alert> alerts, GateSubject<T> subject, TypeInformation<T> type, GateSettings settings, String uid) {
    GateFunction<T> gate = new GateFunction<>(subject, type, settings, uid);
    SingleOutputStreamOperator<T> passed =
        records
            .keyBy(subject::modelId, Types.STRING)
            .connect(alerts.keyBy(Alert::getModelId, Types.STRING))
            .process(gate, type)
            .uid(uid)
            .name("gate: " + uid);
    return new Gated<>(passed, passed.getSideOutput(gate.discarded()));
  }
}
