package io.lodestar.operators.reward.model;

import io.lodestar.operators.buffer.BufferingOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Collects records into batches for a model and emits the results in input order. A batch is
 * processed when it reaches {@code batchSize}, when its oldest record has waited {@code maxWaitMs}
 * (processing time), and whenever {@link BufferingOperator} flushes: before a watermark passes,
 * before each checkpoint barrier and at end of input. The buffer is therefore always empty when
 * state is snapshotted: nothing is kept in state.
 */
public abstract class MicroBatchOperator<IN, OUT> extends BufferingOperator<IN, OUT>
    implements ProcessingTimeCallback {

  private static final long serialVersionUID = 1L;
  private static final int HISTOGRAM_WINDOW = 1024;

  private final int batchSize;
  private final long maxWaitMs;

  private transient List<StreamRecord<IN>> buffer;

  /** Copies inputs before buffering them when object reuse is on; null when it is off. */
  private transient TypeSerializer<IN> inputCopier;

  private transient ScheduledFuture<?> flushTimer;
  private transient Histogram batchSizes;
  private transient Histogram latencies;

  protected MicroBatchOperator(int batchSize, long maxWaitMs) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitMs);
    }
    this.batchSize = batchSize;
    this.maxWaitMs = maxWaitMs;
  }

  /** Opens the model; called once before the first batch. */
  protected abstract void openBatching() throws Exception;

  /** One result per input, in input order. Must not throw for a bad record or a model error. */
  protected abstract List<OUT> processBatch(List<IN> batch);

  /** Releases the model. */
  protected abstract void closeBatching() throws Exception;

  @Override
  public void open() throws Exception {
    super.open();
    buffer = new ArrayList<>(batchSize);
    if (getExecutionConfig().isObjectReuseEnabled()) {
      inputCopier = getOperatorConfig().getTypeSerializerIn(0, getUserCodeClassloader());
    }
    batchSizes =
        getMetricGroup()
            .histogram(
                ModelMetricNames.MODEL_BATCH_SIZE,
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    latencies =
        getMetricGroup()
            .histogram(
                ModelMetricNames.MODEL_LATENCY_MS,
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    openBatching();
  }

  @Override
  public void processElement(StreamRecord<IN> element) throws Exception {
    // Upstream may reuse the record (and, with object reuse, its value) once this call returns.
    IN value = inputCopier == null ? element.getValue() : inputCopier.copy(element.getValue());
    buffer.add(
        element.hasTimestamp()
            ? new StreamRecord<>(value, element.getTimestamp())
            : new StreamRecord<>(value));
    if (buffer.size() >= batchSize) {
      flush();
    } else if (flushTimer == null) {
      long now = getProcessingTimeService().getCurrentProcessingTime();
      flushTimer = getProcessingTimeService().registerTimer(now + maxWaitMs, this);
    }
  }

  @Override
  public void onProcessingTime(long time) {
    flushTimer = null;
    flush();
  }

  @Override
  public void close() throws Exception {
    try {
      cancelTimer();
      closeBatching();
    } finally {
      super.close();
    }
  }

  /** Records waiting for a batch (for tests and the benchmark). */
  public int buffered() {
    return buffer == null ? 0 : buffer.size();
  }

  @Override
  protected void flush() {
    cancelTimer();
    if (buffer.isEmpty()) {
      return;
    }
    List<StreamRecord<IN>> batch = buffer;
    buffer = new ArrayList<>(batchSize);
    List<IN> values = new ArrayList<>(batch.size());
    for (StreamRecord<IN> record : batch) {
      values.add(record.getValue());
    }
    long start = System.nanoTime();
    List<OUT> results = processBatch(values);
    latencies.update((System.nanoTime() - start) / 1_000_000);
    batchSizes.update(batch.size());
    if (results.size() != batch.size()) {
      throw new IllegalStateException(
          "a batch of " + batch.size() + " gave " + results.size() + " results");
    }
    for (int i = 0; i < batch.size(); i++) {
      // Keeps each record's timestamp (or its absence).
      output.collect(batch.get(i).replace(results.get(i)));
    }
  }

  private void cancelTimer() {
    if (flushTimer != null) {
      flushTimer.cancel(false);
      flushTimer = null;
    }
  }
}
