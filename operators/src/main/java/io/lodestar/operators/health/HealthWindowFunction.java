package io.lodestar.operators.health;

import io.lodestar.schema.DistributionSummary;
import io.lodestar.schema.HealthMetrics;
import java.util.function.Function;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Event-time tumbling health windows per key ({@link HealthEvent#key()}: policy and data source).
 *
 * <p>A window {@code [start, end)} is emitted (revision 0) when the watermark passes {@code end -
 * 1}. An event for it that arrives later, while the watermark is below {@code end - 1 + lateness},
 * updates the window and re-emits it at once with the next revision; an event after that is counted
 * ({@link HealthMetricNames#HEALTH_LATE_DROPPED}) and left out. The window's state is cleared by a
 * timer at {@code end - 1 + lateness}, so nothing outlives its lateness.
 *
 * <p>Input: batches of one key's events for one window ({@link HealthEventsOperator}), so state is
 * read and written once per batch. Late events re-emit the window once per batch.
 *
 * <p>State per key: one accumulator per open window, by window start. Timers: one to emit and one
 * to clear per window (a single one when the lateness is 0).
 */
public class HealthWindowFunction
    extends KeyedProcessFunction<String, HealthEventBatch, HealthMetrics> {

  private static final long serialVersionUID = 1L;

  private final HealthSettings settings;
  private final long size;
  private final long lateness;

  private transient MapState<Long, HealthAccumulator> windows;
  private transient Counter emitted;
  private transient Counter lateUpdates;
  private transient Counter lateDropped;
  private transient volatile HealthMetrics latest;

  public HealthWindowFunction(HealthSettings settings) {
    this.settings = settings;
    this.size = settings.window().toMillis();
    this.lateness = settings.allowedLateness().toMillis();
  }

  /** The type of the accumulator state, for callers that need it (a Flink POJO, no Kryo). */
  public static TypeInformation<HealthAccumulator> accumulatorType() {
    return TypeInformation.of(HealthAccumulator.class);
  }

  /** The type of the input, a Flink POJO. */
  public static TypeInformation<HealthEventBatch> inputType() {
    return TypeInformation.of(HealthEventBatch.class);
  }

  @Override
  public void open(OpenContext openContext) {
    windows =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("health-windows", Types.LONG, accumulatorType()));
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    emitted = metrics.counter(HealthMetricNames.HEALTH_WINDOWS);
    lateUpdates = metrics.counter(HealthMetricNames.HEALTH_LATE_UPDATES);
    lateDropped = metrics.counter(HealthMetricNames.HEALTH_LATE_DROPPED);
    gauge(
        metrics,
        HealthMetricNames.HEALTH_REWARD_MEAN,
        m -> m.getReward() == null ? null : m.getReward().getMean());
    gauge(metrics, HealthMetricNames.HEALTH_VERIFIER_PASS_RATE, HealthMetrics::getVerifierPassRate);
    gauge(
        metrics, HealthMetricNames.HEALTH_FORMAT_FAILURE_RATE, HealthMetrics::getFormatFailureRate);
    gauge(metrics, HealthMetricNames.HEALTH_FORMAT_REWARD_MEAN, HealthMetrics::getFormatRewardMean);
    gauge(metrics, HealthMetricNames.HEALTH_UNSCORED_RATE, HealthMetrics::getUnscoredRate);
    gauge(metrics, HealthMetricNames.HEALTH_TIMEOUT_RATE, HealthMetrics::getTimeoutRate);
    gauge(
        metrics,
        HealthMetricNames.HEALTH_ZERO_VARIANCE_FRACTION,
        HealthMetrics::getZeroVarianceFraction);
    gauge(
        metrics,
        HealthMetricNames.HEALTH_LENGTH_REWARD_CORRELATION,
        HealthMetrics::getLengthRewardCorrelation);
    gauge(metrics, HealthMetricNames.HEALTH_RESPONSE_LENGTH_P90, m -> p90(m.getResponseLength()));
    gauge(
        metrics,
        HealthMetricNames.HEALTH_VERIFIER_MODEL_DISAGREEMENT,
        HealthMetrics::getVerifierModelDisagreement);
    gauge(
        metrics,
        HealthMetricNames.HEALTH_JUDGE_VERIFIER_DISAGREEMENT,
        HealthMetrics::getJudgeVerifierDisagreement);
    gauge(
        metrics,
        HealthMetricNames.HEALTH_HUMAN_MODEL_AGREEMENT,
        HealthMetrics::getHumanModelAgreement);
  }

  private static Double p90(DistributionSummary summary) {
    return summary == null ? null : summary.getP90();
  }

  private void gauge(MetricGroup metrics, String name, Function<HealthMetrics, Double> value) {
    metrics.gauge(
        name,
        (Gauge<Double>)
            () -> {
              HealthMetrics last = latest;
              Double v = last == null ? null : value.apply(last);
              return v == null ? Double.NaN : v;
            });
  }

  @Override
  public void processElement(HealthEventBatch batch, Context ctx, Collector<HealthMetrics> out)
      throws Exception {
    // A batch holds one window's events of this key: they are all on time, late or too late
    // together.
    long start = batch.windowStartMs;
    long end = start + size;
    long watermark = ctx.timerService().currentWatermark();
    int count = batch.events.size();
    if (end - 1 + lateness <= watermark) {
      lateDropped.inc(count);
      return;
    }
    HealthAccumulator accumulator = windows.get(start);
    if (accumulator == null) {
      accumulator = new HealthAccumulator();
      ctx.timerService().registerEventTimeTimer(end - 1);
      if (lateness > 0) {
        ctx.timerService().registerEventTimeTimer(end - 1 + lateness);
      }
    }
    for (HealthEvent event : batch.events) {
      accumulator.add(event, settings);
    }
    if (end - 1 <= watermark) {
      // The window already closed: these late events update it, and the update goes out now.
      accumulator.lateEvents += count;
      lateUpdates.inc(count);
      emit(accumulator, start, out);
    }
    windows.put(start, accumulator);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<HealthMetrics> out)
      throws Exception {
    long closingStart = timestamp + 1 - size;
    HealthAccumulator closing = windows.get(closingStart);
    if (closing != null && closing.emissions == 0) {
      emit(closing, closingStart, out);
      if (lateness == 0) {
        // No lateness: the window is done once emitted.
        windows.remove(closingStart);
      } else {
        windows.put(closingStart, closing);
      }
    }
    if (lateness > 0) {
      // The window whose lateness ends now can no longer change.
      windows.remove(timestamp + 1 - size - lateness);
    }
  }

  private void emit(HealthAccumulator accumulator, long start, Collector<HealthMetrics> out) {
    HealthMetrics metrics = accumulator.toMetrics(start, start + size, accumulator.emissions);
    accumulator.emissions++;
    latest = metrics;
    emitted.inc();
    out.collect(metrics);
  }
}
