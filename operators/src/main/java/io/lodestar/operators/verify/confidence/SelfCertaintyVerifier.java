package io.lodestar.operators.verify.confidence;

import io.lodestar.operators.verify.Verifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;

/**
 * Writes {@link SelfCertainty} as the component {@value #NAME}: the mean {@code KL(U || p)} over
 * {@code topLogprobs} when the producer sent them, else the mean of {@code responseLogprobs} with
 * detail {@code fallback=mean-logprob ...}, else {@code UNSCORABLE}. A confidence signal, not
 * correctness, so its source is {@code SHAPING}: health does not count it as a verifier verdict.
 */
public final class SelfCertaintyVerifier implements Verifier {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "self_certainty";
  public static final String VERSION = "self-certainty/1";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RewardComponent score(Generation generation) {
    SelfCertainty.Outcome outcome;
    if (generation.getTopLogprobs() != null) {
      Integer tokens =
          generation.getResponseTokenIds() == null ? null : generation.getResponseTokenIds().size();
      outcome = SelfCertainty.meanKlFromUniform(generation.getTopLogprobs(), tokens);
    } else if (generation.getResponseLogprobs() != null) {
      outcome = SelfCertainty.meanLogprob(generation.getResponseLogprobs());
    } else {
      outcome = new SelfCertainty.Outcome(null, "no topLogprobs and no responseLogprobs");
    }
    return RewardComponent.newBuilder()
        .setName(NAME)
        .setValue(outcome.value())
        .setStatus(outcome.scored() ? RewardStatus.OK : RewardStatus.UNSCORABLE)
        .setSource(RewardSource.SHAPING)
        .setVersion(VERSION)
        .setDetail(outcome.detail())
        .build();
  }
}
