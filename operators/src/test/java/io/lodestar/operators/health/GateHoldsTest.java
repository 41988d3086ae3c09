package io.lodestar.operators.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.health.GateHolds.Verdict;
import io.lodestar.schema.AlertScope;
import io.lodestar.schema.AlertState;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateHoldsTest {

  private static HoldInterval hold(long version, long from, long until) {
    HoldInterval interval = new HoldInterval();
    interval.policyVersion = version;
    interval.fromMs = from;
    interval.untilMs = until;
    return interval;
  }

  @Test
  void anArrivingRecordIsHeldOnlyInsideTheOpenSpanOfOneOfItsVersions() {
    List<HoldInterval> holds = List.of(hold(7, 1_000, HoldInterval.OPEN));

    assertThat(GateHolds.arriving(holds, 7, 7, 1_000)).isEqualTo(Verdict.HOLD);
    assertThat(GateHolds.arriving(holds, 6, 8, 5_000))
        .as("a batch spanning the version")
        .isEqualTo(Verdict.HOLD);
    assertThat(GateHolds.arriving(holds, 7, 7, 999))
        .as("made before the streak")
        .isEqualTo(Verdict.PASS);
    assertThat(GateHolds.arriving(holds, 8, 9, 5_000)).as("other versions").isEqualTo(Verdict.PASS);
  }

  @Test
  void anArrivingRecordOfAClearedSpanIsClearedAndOneAfterItPasses() {
    List<HoldInterval> holds = List.of(hold(7, 1_000, 60_000));

    assertThat(GateHolds.arriving(holds, 7, 7, 30_000)).isEqualTo(Verdict.CLEARED);
    assertThat(GateHolds.arriving(holds, 7, 7, 60_000)).isEqualTo(Verdict.PASS);
  }

  @Test
  void aHeldRecordStaysWhileAnyHoldOfItsVersionIsOpenWhateverSpanThatHoldCovers() {
    // The second rule's streak began after the record was made.
    List<HoldInterval> holds = List.of(hold(7, 0, 60_000), hold(7, 30_000, HoldInterval.OPEN));

    assertThat(GateHolds.held(holds, 7, 7, 10_000)).isEqualTo(Verdict.HOLD);
    assertThat(
            GateHolds.held(
                List.of(hold(7, 0, 60_000), hold(8, 0, HoldInterval.OPEN)), 7, 7, 10_000))
        .as("an open hold of another version")
        .isEqualTo(Verdict.CLEARED);
  }

  @Test
  void aHeldRecordMadeAfterTheClearingWindowIsReleasedAsHealthy() {
    assertThat(GateHolds.held(List.of(hold(7, 0, 60_000)), 7, 7, 70_000)).isEqualTo(Verdict.PASS);
  }

  @Test
  void aHoldIsNamedByRuleScopeSourceAndVersionNotByItsStreakStart() {
    var firing =
        GateFunctionTest.alert(
            "hack", AlertScope.SOURCE, "gsm8k", AlertState.FIRING, 7, 0, 0, true);
    var clearing =
        GateFunctionTest.alert(
            "hack", AlertScope.SOURCE, "gsm8k", AlertState.CLEARED, 7, 5_000, 60_000, true);
    HoldInterval opened = hold(7, 0, HoldInterval.OPEN);
    opened.hold = GateHolds.holdOf(firing);

    assertThat(GateHolds.isHold(opened, "any", clearing)).isTrue();
    assertThat(
            GateHolds.isHold(
                opened,
                "any",
                GateFunctionTest.alert(
                    "hack", AlertScope.POLICY, "gsm8k", AlertState.CLEARED, 7, 0, 0, true)))
        .isFalse();
    assertThat(
            GateHolds.isHold(
                opened,
                "any",
                GateFunctionTest.alert(
                    "hack", AlertScope.SOURCE, "math", AlertState.CLEARED, 7, 0, 0, true)))
        .isFalse();
    assertThat(
            GateHolds.isHold(
                opened,
                "any",
                GateFunctionTest.alert(
                    "hack", AlertScope.SOURCE, "gsm8k", AlertState.CLEARED, 8, 0, 0, true)))
        .isFalse();
    assertThat(
            GateHolds.isHold(
                opened,
                "any",
                GateFunctionTest.alert(
                    "drift", AlertScope.SOURCE, "gsm8k", AlertState.CLEARED, 7, 0, 0, true)))
        .isFalse();
  }

  @Test
  void aHoldKeptBeforeHoldsWereNamedIsRecognisedByItsStateKey() {
    HoldInterval legacy = hold(7, 0, HoldInterval.OPEN);
    var clearing =
        GateFunctionTest.alert(
            "hack", AlertScope.SOURCE, "gsm8k", AlertState.CLEARED, 7, 0, 60_000, true);

    assertThat(GateHolds.isHold(legacy, "hack|gsm8k|7|0", clearing)).isTrue();
    assertThat(GateHolds.isHold(legacy, "hack|math|7|0", clearing)).isFalse();
  }
}
