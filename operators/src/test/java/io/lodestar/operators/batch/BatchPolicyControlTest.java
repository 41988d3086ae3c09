package io.lodestar.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import java.time.Duration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;

/**
 * Trainers announce their policy version on the control topic; staleness uses the newest of the
 * versions seen in groups and the versions announced, per model, in event time.
 */
class BatchPolicyControlTest {

  private static final Duration MAX_WAIT = Duration.ofMinutes(1);
  private static final Staleness LAG_2_DROP = new Staleness(2, Staleness.Action.DROP, 1.0);

  @Test
  void aTrainerVersionAheadOfEveryGenerationMakesOldGroupsStale() throws Exception {
    try (var h =
        BatchHarness.open(
            BatchLimits.ofGroups(8), MAX_WAIT, LAG_2_DROP, AdvantageSpec.lodestarGrpo())) {
      h.processElement2(BatchHarness.update(10, 500), 500);
      h.processElement1(versioned("at-7", 1_000, 7), 1_000);
      h.processElement1(versioned("at-8", 2_000, 8), 2_000);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(BatchHarness.side(h, BatchFunction.STALE_GROUPS))
          .extracting(RLGroup::getGroupId)
          .containsExactly("at-7");
      RLBatch batch = h.extractOutputValues().get(0);
      assertThat(batch.getGroups()).extracting(RLGroup::getGroupId).containsExactly("at-8");
      assertThat(batch.getTrainerPolicyVersion()).isEqualTo(10L);
    }
  }

  @Test
  void withoutTheTrainerTheSameGroupsAreFresh() throws Exception {
    try (var h =
        BatchHarness.open(
            BatchLimits.ofGroups(8), MAX_WAIT, LAG_2_DROP, AdvantageSpec.lodestarGrpo())) {
      h.processElement1(versioned("at-7", 1_000, 7), 1_000);
      h.processElement1(versioned("at-8", 2_000, 8), 2_000);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(BatchHarness.side(h, BatchFunction.STALE_GROUPS)).isEmpty();
      assertThat(h.extractOutputValues().get(0).getTrainerPolicyVersion()).isNull();
    }
  }

  @Test
  void anAnnouncementCountsFromItsPublishTimeInEventTimeWhateverTheArrivalOrder() throws Exception {
    try (var h =
        BatchHarness.open(
            BatchLimits.ofGroups(8), MAX_WAIT, LAG_2_DROP, AdvantageSpec.lodestarGrpo())) {
      // Arrives first, but is published after "before" closed: it must not judge that group.
      h.processElement2(BatchHarness.update(10, 1_500), 1_500);
      h.processElement1(versioned("before", 1_000, 7), 1_000);
      h.processElement1(versioned("after", 2_000, 7), 2_000);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(BatchHarness.side(h, BatchFunction.STALE_GROUPS))
          .extracting(RLGroup::getGroupId)
          .containsExactly("after");
      assertThat(h.extractOutputValues())
          .flatExtracting(RLBatch::getGroups)
          .extracting(RLGroup::getGroupId)
          .containsExactly("before");
    }
  }

  @Test
  void anAnnouncementBehindTheWatermarkCountsAtOnceAndTheNewestWins() throws Exception {
    try (var h =
        BatchHarness.open(
            BatchLimits.ofGroups(8), MAX_WAIT, LAG_2_DROP, AdvantageSpec.lodestarGrpo())) {
      h.processBothWatermarks(new Watermark(5_000));
      h.processElement2(BatchHarness.update(12, 100), 100);
      h.processElement2(
          BatchHarness.update(9, 200), 200); // an older version announced later: ignored
      h.processElement1(versioned("at-9", 6_000, 9), 6_000);
      h.processElement1(versioned("at-10", 6_001, 10), 6_001);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      assertThat(BatchHarness.side(h, BatchFunction.STALE_GROUPS))
          .extracting(RLGroup::getGroupId)
          .containsExactly("at-9");
      assertThat(h.extractOutputValues().get(0).getTrainerPolicyVersion()).isEqualTo(12L);
    }
  }

  @Test
  void announcementsLeaveOnlyTheTrainerVersionAndTheSequenceInState() throws Exception {
    try (var h =
        BatchHarness.open(
            BatchLimits.ofGroups(8), MAX_WAIT, Staleness.off(), AdvantageSpec.lodestarGrpo())) {
      h.processElement2(BatchHarness.update(3, 1_000), 1_000);
      h.processElement2(BatchHarness.update(4, 2_000), 2_000);
      h.processElement1(versioned("g", 1_500, 3), 1_500);
      assertThat(h.numEventTimeTimers()).isEqualTo(3);
      h.processBothWatermarks(new Watermark(Long.MAX_VALUE));

      // The batch went out when "g" settled at 1 500: version 4 counts only from 2 000.
      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(b -> assertThat(b.getTrainerPolicyVersion()).isEqualTo(3L));
      assertThat(h.numKeyedStateEntries()).as("sequence and trainer version").isEqualTo(2);
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  private static RLGroup versioned(String id, long closedAt, long version) {
    return TestRecords.group(id, closedAt)
        .setMinPolicyVersion(version)
        .setMaxPolicyVersion(version)
        .build();
  }
}
