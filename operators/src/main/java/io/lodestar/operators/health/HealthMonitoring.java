package io.lodestar.operators.health;

import io.lodestar.schema.Alert;
import io.lodestar.schema.HealthMetrics;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

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

  /**
   * Events buffered per producer before they go out as batches (a small fraction of a window's).
   */
  static final int MAX_BUFFERED_EVENTS = 512;

  /**
   * Health events of a stream, batched per key and window ({@link HealthEventsOperator}); the
   * window sees the events' own event time.
   */
  public static <T> DataStream<HealthEventBatch> events(
      DataStream<T> records, ToEvents<T> toEvents, HealthSettings settings, String uid) {
    return records
        .transform(
            "health events: " + uid,
            HealthWindowFunction.inputType(),
            new HealthEventsOperator<>(toEvents, settings.window().toMillis(), MAX_BUFFERED_EVENTS))
        .uid(uid);
  }

  /** Health windows per policy and data source. */
  public static SingleOutputStreamOperator<HealthMetrics> windows(
      DataStream<HealthEventBatch> events, HealthSettings settings) {
    return events
        .keyBy(batch -> batch.key, Types.STRING)
        .process(new HealthWindowFunction(settings), new AvroTypeInfo<>(HealthMetrics.class))
        .uid(WINDOW_UID)
        .name("health windows");
  }

  /** Alerts from the rules, on the first emission of each window. */
  public static SingleOutputStreamOperator<Alert> alarms(
      DataStream<HealthMetrics> metrics, List<AlarmRule> rules) {
    return metrics
        .keyBy(AlarmFunction::key, Types.STRING)
        .process(new AlarmFunction(rules), AlarmFunction.alertType())
        .uid(ALARMS_UID)
        .name("health alarms");
  }

  /**
   * What passed a gate, what a cleared gate discarded, and what it still held when the input ended
   * (bounded run or drain); every record it was given is in exactly one of them.
   */
  public record Gated<T>(
      SingleOutputStreamOperator<T> passed, DataStream<T> discarded, DataStream<T> heldAtEnd) {}

  /** Holds records of a policy version while a gating alert fires for it; keyed by model. */
  public static <T> Gated<T> gate(
      DataStream<T> records,
      DataStream<Alert> alerts,
      GateSubject<T> subject,
      TypeInformation<T> type,
      GateSettings settings,
      String uid) {
    GateFunction<T> gate = new GateFunction<>(subject, type, settings, uid);
    SingleOutputStreamOperator<T> passed =
        records
            .keyBy(subject::modelId, Types.STRING)
            .connect(alerts.keyBy(Alert::getModelId, Types.STRING))
            .process(gate, type)
            .uid(uid)
            .name("gate: " + uid);
    return new Gated<>(
        passed, passed.getSideOutput(gate.discarded()), passed.getSideOutput(gate.heldAtEnd()));
  }
}
