package io.lodestar.operators.batch;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** Opens the batch operator in a keyed two-input harness: groups first, trainer updates second. */
final class BatchHarness {

  private BatchHarness() {}

  static KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> open(
      BatchLimits limits, Duration maxWait, Staleness staleness, AdvantageSpec spec)
      throws Exception {
    return open(limits, maxWait, staleness, spec, false);
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> open(
      BatchLimits limits,
      Duration maxWait,
      Staleness staleness,
      AdvantageSpec spec,
      boolean mixPolicyVersions)
      throws Exception {
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new BatchFunction(limits, maxWait, staleness, spec, mixPolicyVersions)),
            (RLGroup g) -> g.getSamples().get(0).getPolicy().getModelId(),
            PolicyUpdate::getModelId,
            Types.STRING);
    harness.open();
    return harness;
  }

  static List<RLGroup> side(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> harness,
      OutputTag<RLGroup> tag) {
    var records = harness.getSideOutput(tag);
    // The harness has no queue for a side output nothing was sent to.
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }

  static PolicyUpdate update(long version, long publishedAtMs) {
    return PolicyUpdate.newBuilder()
        .setModelId(TestRecords.MODEL_ID)
        .setPolicyVersion(version)
        .setPublishedAtMs(publishedAtMs)
        .setTrainerId("trainer-0")
        .build();
  }
}
