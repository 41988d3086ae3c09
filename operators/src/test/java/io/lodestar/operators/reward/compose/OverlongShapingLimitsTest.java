package io.lodestar.operators.reward.compose;

import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.reward.compose.OverlongShaping.LengthFallback;
import io.lodestar.schema.RewardComponent;
import java.util.ArrayList;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Which shaping parameters are accepted at the edges, and what the edge values give. */
class OverlongShapingLimitsTest {

  @Test
  void theSmallestLimitAndABufferAsLongAsTheLimitAreAccepted() {
    assertThat(OverlongShaping.dapo(1, 1, LengthFallback.UNSCORABLE).id())
        .isEqualTo("dapo(max=1,cache=1,fallback=unscorable)");
    assertThat(OverlongShaping.verl(1, 1, 1.0, LengthFallback.UNSCORABLE).enabled()).isTrue();
    assertThat(OverlongShaping.dapo(8, 8, LengthFallback.UNSCORABLE).enabled()).isTrue();
    assertThat(OverlongShaping.verl(8, 8, 1.0, LengthFallback.UNSCORABLE).enabled()).isTrue();
  }

  @Test
  void verlRefusesTheSameLengthsAsThePaper() {
    assertThatThrownBy(() -> OverlongShaping.verl(0, 1, 1.0, LengthFallback.UNSCORABLE))
        .hasMessageContaining("max length");
    assertThatThrownBy(() -> OverlongShaping.verl(10, 11, 1.0, LengthFallback.UNSCORABLE))
        .hasMessageContaining("buffer length");
    assertThatThrownBy(() -> OverlongShaping.verl(10, 0, 1.0, LengthFallback.UNSCORABLE))
        .hasMessageContaining("buffer length");
  }

  @Test
  void aPenaltyFactorOfZeroIsAllowedAndAddsAPositiveZeroEvenBeyondTheLimit() {
    OverlongShaping off = OverlongShaping.verl(20, 4, 0.0, LengthFallback.UNSCORABLE);
    RewardComponent shaped =
        off.shape(
            generation("g")
                .setResponseTokenIds(new ArrayList<>(Collections.nCopies(24, 7)))
                .setResponseLogprobs(null)
                .build());

    // -(24 - 16) / 4 * 0 is -0.0; min(value, 0) must not pass the sign on to a serialized reward.
    assertThat(Double.doubleToRawLongBits(shaped.getValue())).isZero();
    assertThat(Double.doubleToRawLongBits(OverlongShaping.verlValue(24, 20, 4, 0.0))).isZero();
  }

  @Test
  void shapingsAreEqualExactlyWhenTheirParametersAre() {
    OverlongShaping a = OverlongShaping.verl(20, 4, 0.5, LengthFallback.UNSCORABLE);
    OverlongShaping same = OverlongShaping.verl(20, 4, 0.5, LengthFallback.UNSCORABLE);

    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).hasToString(a.id());
    assertThat(a).isNotEqualTo(OverlongShaping.verl(20, 4, 0.5, new LengthFallback(true, 4)));
    assertThat(a).isNotEqualTo(OverlongShaping.dapo(20, 4, LengthFallback.UNSCORABLE));
    assertThat(a.mode()).isEqualTo(OverlongShaping.Mode.VERL);
    assertThat(OverlongShaping.NONE.enabled()).isFalse();
  }
}
