package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Groups too far behind the newest policy version are set aside or down-weighted,
 * deterministically.
 */
class BatchStalenessTest {

  private static final Duration MAX_WAIT = Duration.ofMinutes(1);

  @Test
  void aGroupLaggingTheNewestVersionByMoreThanTheBoundIsSetAside() throws Exception {
    try (var harness = harness(new Staleness(2, Staleness.Action.DROP, 1.0))) {
      harness.processElement1(versioned("fresh", 1_000, 10), 1_000);
      harness.processElement1(versioned("old", 2_000, 7), 2_000);
      harness.processElement1(versioned("recent", 3_000, 8), 3_000);
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      List<String> batched =
          harness.extractOutputValues().stream()
              .flatMap(b -> b.getGroups().stream())
              .map(RLGroup::getGroupId)
              .toList();
      assertThat(batched).containsExactly("fresh", "recent");
      assertThat(setAside(harness)).extracting(RLGroup::getGroupId).containsExactly("old");
    }
  }

  @Test
  void downweightingKeepsTheGroupWithScaledAdvantagesAndSaysWhy() throws Exception {
    try (var harness = harness(new Staleness(0, Staleness.Action.DOWNWEIGHT, 0.5))) {
      harness.processElement1(versioned("new", 1_000, 5), 1_000);
      harness.processElement1(versioned("behind", 2_000, 3), 2_000);
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      // Versions 5 and 3 never share a batch: the down-weighted group goes out in its own.
      RLGroup behind =
          harness.extractOutputValues().stream()
              .flatMap(b -> b.getGroups().stream())
              .filter(g -> g.getGroupId().equals("behind"))
              .findFirst()
              .orElseThrow();
      assertThat(behind.getSamples())
          .extracting(RLSample::getAdvantage)
          .satisfiesExactly(
              a -> assertThat(a).isCloseTo(0.3535532138, within(1e-9)),
              a -> assertThat(a).isCloseTo(-0.3535532138, within(1e-9)));
      assertThat(behind.getEstimatorParams())
          .containsEntry("staleness_lag", "2")
          .containsEntry("staleness_weight", "0.5");
      assertThat(setAside(harness)).isEmpty();
    }
  }

  @Test
  void theNewestVersionFollowsSettleOrderNotArrivalOrder() throws Exception {
    // The newer group arrives first but closes later: when "old" settles, version 9 is not yet
    // known.
    try (var harness = harness(new Staleness(1, Staleness.Action.DROP, 1.0))) {
      harness.processElement1(versioned("newer", 5_000, 9), 5_000);
      harness.processElement1(versioned("old", 1_000, 7), 1_000);
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(setAside(harness)).isEmpty();
      assertThat(harness.extractOutputValues())
          .flatExtracting(RLBatch::getGroups)
          .extracting(RLGroup::getGroupId)
          .containsExactly("old", "newer");
    }
  }

  @Test
  void aWeightOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new Staleness(1, Staleness.Action.DOWNWEIGHT, 0))
        .hasMessageContaining("(0, 1]");
  }

  private static RLGroup versioned(String id, long closedAt, long version) {
    return TestRecords.group(id, closedAt)
        .setMinPolicyVersion(version)
        .setMaxPolicyVersion(version)
        .build();
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch>
      harness(Staleness staleness) throws Exception {
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new BatchFunction(8, MAX_WAIT, staleness)),
            (RLGroup g) -> TestRecords.MODEL_ID,
            PolicyUpdate::getModelId,
            Types.STRING);
    harness.open();
    return harness;
  }

  private static List<RLGroup> setAside(
      KeyedTwoInputStreamOperatorTestHarness<String, RLGroup, PolicyUpdate, RLBatch> harness) {
    var records = harness.getSideOutput(BatchFunction.STALE_GROUPS);
    // The harness has no queue for a side output nothing was sent to.
    return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
  }
}
