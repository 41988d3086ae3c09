package io.lodestar.operators.verify.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfCertaintyTest {

  private static float ln(double p) {
    return (float) Math.log(p);
  }

  private static List<Float> token(Float... logprobs) {
    return new ArrayList<>(Arrays.asList(logprobs));
  }

  // --- KL(U || p) over top-k

  @Test
  void aUniformTopKIsZeroWhateverItsMassOrK() {
    assertThat(
            SelfCertainty.meanKlFromUniform(
                    List.of(token(ln(0.25), ln(0.25), ln(0.25), ln(0.25))), 1)
                .value())
        .isCloseTo(0.0, within(1e-9));
    // Equal log-probs that do not sum to 1 renormalise to the same uniform distribution.
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-3f, -3f, -3f)), null).value())
        .isEqualTo(0.0);
  }

  @Test
  void aPeakedTokenGivesLnOfFiveQuarters() {
    // p = (0.8, 0.2): KL(U||p) = 1/2 ln(0.5/0.8) + 1/2 ln(0.5/0.2) = ln(1/(2*0.4)) = ln(1.25).
    SelfCertainty.Outcome outcome =
        SelfCertainty.meanKlFromUniform(List.of(token(ln(0.8), ln(0.2))), 1);

    assertThat(outcome.value()).isCloseTo(Math.log(1.25), within(1e-7));
    assertThat(outcome.detail()).isEqualTo("kl-uniform k=2 tokens=1");
  }

  @Test
  void topKIsRenormalisedBeforeTheDivergence() {
    // 0.4 and 0.1 renormalise to 0.8 and 0.2: the same ln(1.25) as the peaked token above.
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(ln(0.4), ln(0.1))), null).value())
        .isCloseTo(Math.log(1.25), within(1e-7));
  }

  @Test
  void theScoreIsTheMeanOverTokens() {
    SelfCertainty.Outcome outcome =
        SelfCertainty.meanKlFromUniform(
            List.of(token(ln(0.5), ln(0.5)), token(ln(0.8), ln(0.2))), 2);

    assertThat(outcome.value()).isCloseTo(Math.log(1.25) / 2, within(1e-7));
    assertThat(outcome.detail()).isEqualTo("kl-uniform k=2 tokens=2");
  }

  @Test
  void badTopKIsUnscorableWithAReason() {
    assertThat(SelfCertainty.meanKlFromUniform(List.of(), null))
        .isEqualTo(new SelfCertainty.Outcome(null, "topLogprobs empty"));
    assertThat(SelfCertainty.meanKlFromUniform(null, null).detail()).isEqualTo("topLogprobs empty");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f)), null).detail())
        .isEqualTo("topLogprobs[0] has 1 candidates, at least 2 needed");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token()), null).detail())
        .isEqualTo("topLogprobs[0] has 0 candidates, at least 2 needed");
    assertThat(
            SelfCertainty.meanKlFromUniform(List.of(token(-1f, -2f), token(-1f, -2f, -3f)), null)
                .detail())
        .isEqualTo("topLogprobs is ragged: token 1 has 3 candidates, token 0 has 2");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f, -2f), token()), null).detail())
        .isEqualTo("topLogprobs is ragged: token 1 has 0 candidates, token 0 has 2");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f, -2f)), 3).detail())
        .isEqualTo("topLogprobs has 1 tokens but the response has 3");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f, Float.NaN)), null).detail())
        .isEqualTo("topLogprobs[0][1] is NaN");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(0.5f, -1f)), null).detail())
        .isEqualTo("topLogprobs[0][0] is positive (0.5), not a log-probability");
    assertThat(
            SelfCertainty.meanKlFromUniform(List.of(token(-1f, Float.NEGATIVE_INFINITY)), null)
                .detail())
        .isEqualTo("topLogprobs[0][1] is -Infinity");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f, null)), null).detail())
        .isEqualTo("topLogprobs[0][1] is missing");
    assertThat(SelfCertainty.meanKlFromUniform(List.of(token(-1f, Float.NaN)), null).scored())
        .isFalse();
  }

  // --- fallback: mean sampled-token log-prob

  @Test
  void theFallbackIsTheMeanSampledLogprobAndSaysSo() {
    SelfCertainty.Outcome outcome = SelfCertainty.meanLogprob(token(-0.5f, -1.5f, 0f));

    assertThat(outcome.value()).isEqualTo(-2.0 / 3);
    assertThat(outcome.detail()).isEqualTo("fallback=mean-logprob tokens=3");
  }

  @Test
  void badSampledLogprobsAreUnscorableWithAReason() {
    assertThat(SelfCertainty.meanLogprob(token()).detail()).isEqualTo("responseLogprobs empty");
    assertThat(SelfCertainty.meanLogprob(token(-1f, Float.NaN)).detail())
        .isEqualTo("responseLogprobs[1] is NaN");
    assertThat(SelfCertainty.meanLogprob(token(2f)).detail())
        .isEqualTo("responseLogprobs[0] is positive (2.0), not a log-probability");
  }

  // --- the component

  @Test
  void theComponentPrefersTopKThenFallsBackThenIsUnscorable() {
    SelfCertaintyVerifier verifier = new SelfCertaintyVerifier();
    Generation withTopK =
        TestRecords.generation("g")
            .setResponseTokenIds(List.of(7))
            .setResponseLogprobs(List.of(-0.2f))
            .setTopLogprobs(List.of(token(ln(0.8), ln(0.2))))
            .build();
    Generation sampledOnly =
        TestRecords.generation("g")
            .setResponseTokenIds(List.of(7, 8))
            .setResponseLogprobs(List.of(-0.5f, -1.5f))
            .build();
    Generation none =
        TestRecords.generation("g").setResponseTokenIds(null).setResponseLogprobs(null).build();

    RewardComponent kl = verifier.score(withTopK);
    RewardComponent fallback = verifier.score(sampledOnly);
    RewardComponent unscorable = verifier.score(none);

    assertThat(kl.getValue()).isCloseTo(Math.log(1.25), within(1e-7));
    assertThat(kl.getStatus()).isEqualTo(RewardStatus.OK);
    assertThat(kl.getSource()).isEqualTo(RewardSource.SHAPING);
    assertThat(kl.getDetail()).isEqualTo("kl-uniform k=2 tokens=1");
    assertThat(fallback.getValue()).isEqualTo(-1.0);
    assertThat(fallback.getDetail()).isEqualTo("fallback=mean-logprob tokens=2");
    assertThat(unscorable.getValue()).isNull();
    assertThat(unscorable.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(unscorable.getDetail()).isEqualTo("no topLogprobs and no responseLogprobs");
    assertThat(List.of(kl, fallback, unscorable))
        .extracting(RewardComponent::getName, RewardComponent::getVersion)
        .containsOnly(tuple(SelfCertaintyVerifier.NAME, SelfCertaintyVerifier.VERSION));
  }

  @Test
  void badTopKDoesNotSilentlyFallBack() {
    Generation ragged =
        TestRecords.generation("g")
            .setResponseTokenIds(List.of(7, 8))
            .setResponseLogprobs(List.of(-0.5f, -1.5f))
            .setTopLogprobs(List.of(token(-0.5f, -1f), token(-1.5f)))
            .build();

    RewardComponent component = new SelfCertaintyVerifier().score(ragged);

    assertThat(component.getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(component.getDetail())
        .isEqualTo("topLogprobs is ragged: token 1 has 1 candidates, token 0 has 2");
  }
}
