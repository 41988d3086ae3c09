package io.lodestar.operators.group;

import static io.lodestar.operators.TestRecords.group;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords.CapturedMetrics;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.SetAsideReason;
import java.util.List;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TrainingConsentFunctionTest {

  private static RLGroup groupWithConsent(String id, boolean... consent) {
    RLGroup g = group(id, 1_000L).build();
    for (int i = 0; i < consent.length; i++) {
      g.getSamples().get(i).setConsentToTrain(consent[i]);
    }
    return g;
  }

  @Test
  void aGroupPassesOnlyWhenEveryMemberConsents() {
    assertThat(TrainingConsentFunction.everyMemberConsents(groupWithConsent("g", true, true)))
        .isTrue();
    assertThat(TrainingConsentFunction.everyMemberConsents(groupWithConsent("g", true, false)))
        .isFalse();
    assertThat(TrainingConsentFunction.everyMemberConsents(groupWithConsent("g", false, false)))
        .isFalse();
  }

  @Test
  void groupsWithoutConsentAreSetAsideWholeAndCounted() throws Exception {
    CapturedMetrics metrics = new CapturedMetrics();
    try (MockEnvironment environment = metrics.environment();
        OneInputStreamOperatorTestHarness<RLGroup, RLGroup> harness =
            new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new TrainingConsentFunction()), environment)) {
      harness.open();
      harness.processElement(groupWithConsent("both", true, true), 1_000L);
      harness.processElement(groupWithConsent("one-refuses", true, false), 1_000L);

      assertThat(harness.extractOutputValues())
          .extracting(RLGroup::getGroupId)
          .containsExactly("both");
      List<String> setAside =
          harness.getSideOutput(TrainingConsentFunction.NO_CONSENT).stream()
              .map(StreamRecord::getValue)
              .map(RLGroup::getGroupId)
              .toList();
      assertThat(setAside).containsExactly("one-refuses");
      assertThat(
              harness
                  .getSideOutput(TrainingConsentFunction.NO_CONSENT)
                  .peek()
                  .getValue()
                  .getReason())
          .isEqualTo(SetAsideReason.NO_CONSENT);
      assertThat(metrics.count(GroupMetricNames.GROUPS_WITHOUT_CONSENT)).isEqualTo(1);
      assertThat(
              harness
                  .getSideOutput(TrainingConsentFunction.NO_CONSENT)
                  .peek()
                  .getValue()
                  .getSamples())
          .hasSize(2);
    }
  }
}
