package io.lodestar.operators.reward.compose;

import static io.lodestar.operators.TestRecords.generation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.reward.compose.OverlongShaping.LengthFallback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlongShapingTest {

  // L_max = 20, L_cache = buffer = 4: the expected length is 16.
  private static final int MAX = 20;
  private static final int CACHE = 4;

  private static Generation withTokens(int count) {
    return generation("g")
        .setResponseTokenIds(new ArrayList<>(Collections.nCopies(count, 7)))
        .setResponseLogprobs(null)
        .build();
  }

  @ParameterizedTest(name = "|y|={0}: paper {1}, verl {2}")
  @CsvSource({
    // |y|, paper, verl (factor 1), hand-computed
    "0, 0.0, 0.0",
    "15, 0.0, 0.0",
    "16, 0.0, 0.0", // exactly L_max - L_cache: no penalty in either
    "17, -0.25, -0.25", // (16 - 17) / 4
    "18, -0.5, -0.5",
    "19, -0.75, -0.75",
    "20, -1.0, -1.0", // exactly L_max
    "21, -1.0, -1.25", // beyond L_max: the paper clamps to -1, verl keeps its line
    "24, -1.0, -2.0",
    "40, -1.0, -6.0",
  })
  void paperAndVerlAgreeInsideTheLimitAndPartBeyondIt(int length, double paper, double verl) {
    assertThat(OverlongShaping.dapoValue(length, MAX, CACHE)).isEqualTo(paper);
    assertThat(OverlongShaping.verlValue(length, MAX, CACHE, 1.0)).isEqualTo(verl);
  }

  @ParameterizedTest(name = "|y|={0}, factor {1}: {2}")
  @CsvSource({
    "16, 0.5, 0.0",
    "17, 0.5, -0.125",
    "18, 0.5, -0.25",
    "24, 0.5, -1.0",
    "20, 0.5, -0.5",
    "21, 0.5, -0.625",
    "20, 0.0, 0.0",
    "20, 2.0, -2.0"
  })
  void verlScalesByThePenaltyFactor(int length, double factor, double expected) {
    assertThat(OverlongShaping.verlValue(length, MAX, CACHE, factor)).isEqualTo(expected);
  }

  @Test
  void noPenaltyIsAPositiveZeroNotANegativeZero() {
    // min(-0.0, 0) would leak a negative zero into serialized rewards.
    assertThat(Double.doubleToRawLongBits(OverlongShaping.verlValue(16, MAX, CACHE, 1.0))).isZero();
    assertThat(Double.doubleToRawLongBits(OverlongShaping.dapoValue(16, MAX, CACHE))).isZero();
  }

  @Test
  void aBufferAsLongAsTheLimitPenalisesFromTheFirstToken() {
    assertThat(OverlongShaping.dapoValue(0, 8, 8)).isEqualTo(0.0);
    assertThat(OverlongShaping.dapoValue(1, 8, 8)).isEqualTo(-0.125);
    assertThat(OverlongShaping.verlValue(8, 8, 8, 1.0)).isEqualTo(-1.0);
  }

  @Test
  void countsTheResponseTokenIds() {
    RewardComponent shaped =
        OverlongShaping.dapo(MAX, CACHE, LengthFallback.UNSCORABLE).shape(withTokens(18));

    assertThat(shaped.getName()).isEqualTo(OverlongShaping.COMPONENT);
    assertThat(shaped.getSource()).isEqualTo(RewardSource.SHAPING);
    assertThat(shaped.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(shaped.getValue()).isEqualTo(-0.5);
    assertThat(shaped.getVersion()).isEqualTo("dapo(max=20,cache=4,fallback=unscorable)");
    assertThat(shaped.getDetail()).isEqualTo("tokens=18");
  }

  @Test
  void withoutTokenIdsTheShapingIsUnscorableByDefault() {
    Generation noTokens =
        generation("g").setResponseTokenIds(null).setResponseLogprobs(null).build();

    RewardComponent shaped =
        OverlongShaping.verl(MAX, CACHE, 1.0, LengthFallback.UNSCORABLE).shape(noTokens);

    assertThat(shaped.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(shaped.getValue()).isNull();
    assertThat(shaped.getDetail()).isEqualTo("no responseTokenIds");
  }

  @Test
  void withoutTokenIdsTheLengthCanBeEstimatedFromCodePoints() {
    // 70 code points (the emoji is one code point, two chars) at 4 per token: ceil(17.5) = 18
    // tokens.
    String response = "x".repeat(69) + "\uD83D\uDE00";
    Generation noTokens =
        generation("g")
            .setResponse(response)
            .setResponseTokenIds(null)
            .setResponseLogprobs(null)
            .build();

    RewardComponent shaped =
        OverlongShaping.dapo(MAX, CACHE, new LengthFallback(true, 4.0)).shape(noTokens);

    assertThat(shaped.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(shaped.getValue()).isEqualTo(-0.5);
    assertThat(shaped.getDetail()).isEqualTo("tokens~18 estimated from 70 chars");
  }

  @Test
  void tokenIdsWinOverTheEstimate() {
    Generation g = withTokens(16);
    assertThat(
            OverlongShaping.dapo(MAX, CACHE, new LengthFallback(true, 0.001)).shape(g).getValue())
        .isEqualTo(0.0);
  }

  @Test
  void noShapingAddsNoComponent() {
    assertThat(OverlongShaping.NONE.shape(withTokens(1000))).isNull();
    assertThat(OverlongShaping.NONE.enabled()).isFalse();
  }

  @Test
  void parsesModesAndFallbacks() {
    assertThat(OverlongShaping.Mode.fromId(" VERL ")).isEqualTo(OverlongShaping.Mode.VERL);
    assertThat(LengthFallback.parse("unscorable")).isEqualTo(LengthFallback.UNSCORABLE);
    assertThat(LengthFallback.parse("estimate:3.5")).isEqualTo(new LengthFallback(true, 3.5));
    assertThatThrownBy(() -> OverlongShaping.Mode.fromId("paper"))
        .hasMessageContaining("none, dapo or verl");
    assertThatThrownBy(() -> LengthFallback.parse("estimate:0")).hasMessageContaining("positive");
    assertThatThrownBy(() -> LengthFallback.parse("estimate:x")).hasMessageContaining("estimate:");
    assertThatThrownBy(() -> LengthFallback.parse("guess"))
        .hasMessageContaining("unscorable or estimate");
  }

  @Test
  void rejectsLengthsThatMakeNoSense() {
    for (List<Integer> bad :
        List.of(List.of(0, 0), List.of(10, 0), List.of(10, 11), List.of(-5, 1))) {
      assertThatThrownBy(
              () -> OverlongShaping.dapo(bad.get(0), bad.get(1), LengthFallback.UNSCORABLE))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> OverlongShaping.verl(10, 2, Double.NaN, LengthFallback.UNSCORABLE))
        .hasMessageContaining("penalty factor");
    assertThatThrownBy(() -> OverlongShaping.verl(10, 2, -1, LengthFallback.UNSCORABLE))
        .hasMessageContaining("penalty factor");
  }
}
