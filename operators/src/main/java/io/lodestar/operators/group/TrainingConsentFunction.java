package io.lodestar.operators.group;

import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.SetAsideReason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets a group reach the RL batches only when every member's user consented to training. A group is
 * kept or set aside whole: dropping members would change the advantages computed with them.
 * Set-aside groups go to a side output (the filtered-groups topic, reason NO_CONSENT), so nothing
 * is lost.
 */
public class TrainingConsentFunction extends ProcessFunction<RLGroup, RLGroup> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<RLGroup> NO_CONSENT =
      new OutputTag<>("groups-without-consent", new AvroTypeInfo<>(RLGroup.class));

  private transient Counter withoutConsent;

  /** True when every sample of {@code group} carries consent to train. */
  public static boolean everyMemberConsents(RLGroup group) {
    for (RLSample sample : group.getSamples()) {
      if (!sample.getConsentToTrain()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void open(OpenContext openContext) {
    withoutConsent =
        getRuntimeContext().getMetricGroup().counter(GroupMetricNames.GROUPS_WITHOUT_CONSENT);
  }

  @Override
  public void processElement(RLGroup group, Context ctx, Collector<RLGroup> out) {
    if (everyMemberConsents(group)) {
      out.collect(group);
    } else {
      withoutConsent.inc();
      ctx.output(NO_CONSENT, SetAsideGroups.because(group, SetAsideReason.NO_CONSENT));
    }
  }
}
