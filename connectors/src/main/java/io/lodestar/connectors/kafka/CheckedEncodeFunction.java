package io.lodestar.connectors.kafka;

import io.lodestar.schema.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step before an output's Kafka sink: encodes each record once, sends what fits on to the sink
 * as bytes, and routes what does not fit to the dead-letter side output ({@code OUTPUT_TOO_LARGE}).
 * It cannot fail on content, so no record can make the sink's transaction fail.
 */
public class CheckedEncodeFunction<T extends SpecificRecordBase>
    extends ProcessFunction<T, EncodedRecord> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CheckedEncodeFunction.class);

  private final CheckedEncoder<T> encoder;
  private final OutputTag<DeadLetter> deadLetters;
  private final int maxDeadLetterPayloadBytes;

  private transient Counter tooLarge;

  public CheckedEncodeFunction(
      CheckedEncoder<T> encoder, OutputTag<DeadLetter> deadLetters, int maxDeadLetterPayloadBytes) {
    this.encoder = encoder;
    this.deadLetters = deadLetters;
    this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
  }

  @Override
  public void open(OpenContext openContext) {
    tooLarge =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup("output", encoder.output())
            .counter(OutputMetricNames.OUTPUTS_TOO_LARGE);
  }

  @Override
  public void processElement(T record, Context ctx, Collector<EncodedRecord> out) {
    CheckedEncoder.Encoded encoded = encoder.encode(record);
    if (encoded.fits()) {
      out.collect(encoded.record());
      return;
    }
    tooLarge.inc();
    DeadLetter deadLetter =
        encoder.tooLarge(
            record,
            encoded,
            ctx.timestamp(),
            maxDeadLetterPayloadBytes,
            System.currentTimeMillis());
    LOG.warn(
        "{} record {} of {} bytes exceeds the limit of {} bytes of topic {}; sent to dead letters",
        encoder.output(),
        deadLetter.getRecordId(),
        encoded.recordBytes(),
        encoder.limits().maxRecordBytes(),
        encoder.topic());
    ctx.output(deadLetters, deadLetter);
  }
}
