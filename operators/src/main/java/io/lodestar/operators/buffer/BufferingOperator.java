package io.lodestar.operators.buffer;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * An operator that holds records in memory and emits what it holds before every watermark (so the
 * records stay on time downstream), before every checkpoint barrier (so nothing held has to be in a
 * snapshot: after a failure the source replays exactly what was not yet emitted) and at end of
 * input. Subclasses decide what to hold and when else to {@link #flush()}.
 */
public abstract class BufferingOperator<IN, OUT> extends AbstractStreamOperator<OUT>
    implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

  private static final long serialVersionUID = 1L;

  /** Emits everything held; a no-op when nothing is. */
  protected abstract void flush();

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void endInput() {
    flush();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }
}
