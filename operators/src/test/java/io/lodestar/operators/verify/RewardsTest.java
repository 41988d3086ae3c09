package io.lodestar.operators.verify;

import static io.lodestar.operators.TestRecords.component;
import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewardsTest {

  @Test
  void averagesTheComponentsThatScoredOk() {
    List<RewardComponent> components =
        List.of(component("numeric_answer", 1.0, RewardStatus.OK), component("format", 0.5, RewardStatus.OK));

    assertThat(Rewards.combine(components)).isEqualTo(0.75);
  }

  @Test
  void ignoresComponentsThatAreNotOk() {
    List<RewardComponent> components =
        List.of(
            component("numeric_answer", 1.0, RewardStatus.OK),
            component("judge", 0.0, RewardStatus.TIMEOUT),
            component("code", 0.0, RewardStatus.ERROR),
            component("format", 0.0, RewardStatus.UNSCORABLE));

    assertThat(Rewards.combine(components)).isEqualTo(1.0);
  }

  @Test
  void ignoresOkComponentsWithoutAFiniteValue() {
    List<RewardComponent> components =
        List.of(
            component("numeric_answer", 0.0, RewardStatus.OK),
            component("broken", null, RewardStatus.OK),
            component("nan", Double.NaN, RewardStatus.OK),
            component("inf", Double.POSITIVE_INFINITY, RewardStatus.OK));

    assertThat(Rewards.combine(components)).isEqualTo(0.0);
  }

  @Test
  void isNullNotZeroWhenNoComponentScored() {
    assertThat(Rewards.combine(List.of())).isNull();
    assertThat(
            Rewards.combine(
                List.of(
                    component("numeric_answer", null, RewardStatus.UNSCORABLE),
                    component("judge", 1.0, RewardStatus.TIMEOUT))))
        .isNull();
  }

  @Test
  void namesTheRuleAndEveryComponentVersion() {
    RewardComponent numeric = component("numeric_answer", 1.0, RewardStatus.OK);
    RewardComponent format = component("format", null, RewardStatus.ERROR);

    assertThat(Rewards.version(List.of(numeric))).isEqualTo("mean(numeric_answer@numeric_answer/1)");
    assertThat(Rewards.version(List.of(numeric, format)))
        .isEqualTo("mean(numeric_answer@numeric_answer/1,format@format/1)");
    assertThat(Rewards.version(List.of())).isEqualTo("mean()");
  }
}
