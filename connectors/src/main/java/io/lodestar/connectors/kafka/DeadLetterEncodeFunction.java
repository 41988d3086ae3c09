package io.lodestar.connectors.kafka;

import io.lodestar.schema.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step before the dead-letter sink: encodes every dead letter, cut down to fit the topic's
 * limits when needed.
 */
public class DeadLetterEncodeFunction extends ProcessFunction<DeadLetter, EncodedRecord> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterEncodeFunction.class);

  private final DeadLetterEncoder encoder;
  private transient Counter truncated;
  private transient Counter dropped;

  public DeadLetterEncodeFunction(DeadLetterEncoder encoder) {
    this.encoder = encoder;
  }

  @Override
  public void open(OpenContext openContext) {
    truncated =
        getRuntimeContext().getMetricGroup().counter(OutputMetricNames.DEAD_LETTERS_TRUNCATED);
    dropped = getRuntimeContext().getMetricGroup().counter(OutputMetricNames.DEAD_LETTERS_DROPPED);
  }

  @Override
  public void processElement(DeadLetter deadLetter, Context ctx, Collector<EncodedRecord> out) {
    DeadLetterEncoder.Fitted fitted = encoder.encode(deadLetter);
    if (fitted.truncated()) {
      truncated.inc();
    }
    if (fitted.record() == null) {
      // Start-up refuses limits this small; counted and logged in case a topic shrank since.
      dropped.inc();
      LOG.error(
          "Dead letter {} ({}) cannot be cut down to fit the dead-letter topic; dropped",
          deadLetter.getRecordId(),
          deadLetter.getErrorKind());
      return;
    }
    out.collect(fitted.record());
  }
}
