package io.lodestar.operators.preference;

import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.VoteOutcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Turns a pairwise vote on two generations into a preference pair; pure, no Flink types. */
public final class VotePairs {

  /** Why a vote produced no pair; each is counted. */
  public enum NoPair { TIE, BOTH_BAD, DIFFERENT_PROMPTS, NO_CONSENT }

  private VotePairs() {}

  /** The pair, or why there is none. Exactly one of the two is present. */
  public record Outcome(Optional<PreferencePair> pair, Optional<NoPair> reason) {
    static Outcome of(PreferencePair pair) {
      return new Outcome(Optional.of(pair), Optional.empty());
    }

    static Outcome none(NoPair reason) {
      return new Outcome(Optional.empty(), Optional.of(reason));
    }
  }

  public static Outcome toPair(Feedback vote, Generation a, Generation b, String pipelineVersion) {
    if (vote.getOutcome() == VoteOutcome.TIE) {
      return Outcome.none(NoPair.TIE);
    }
    if (vote.getOutcome() == VoteOutcome.BOTH_BAD) {
      return Outcome.none(NoPair.BOTH_BAD);
    }
    if (!a.getPromptId().equals(b.getPromptId())) {
      // A preference only means something between answers to the same prompt.
      return Outcome.none(NoPair.DIFFERENT_PROMPTS);
    }
    if (!a.getConsentToTrain() || !b.getConsentToTrain()) {
      return Outcome.none(NoPair.NO_CONSENT);
    }
    Generation chosen = vote.getOutcome() == VoteOutcome.A ? a : b;
    Generation rejected = chosen == a ? b : a;
    PreferencePair pair =
        PreferencePair.newBuilder()
            .setPairId(pairId(PairSource.VOTE, chosen.getGenerationId(), rejected.getGenerationId()))
            .setPromptId(chosen.getPromptId())
            .setPrompt(chosen.getPrompt())
            .setChosen(chosen.getResponse())
            .setRejected(rejected.getResponse())
            .setChosenGenerationId(chosen.getGenerationId())
            .setRejectedGenerationId(rejected.getGenerationId())
            .setMargin(null)
            .setSource(PairSource.VOTE)
            .setConfidence(1.0)
            .setProvenance(
                Provenance.newBuilder()
                    .setGenerationIds(List.of(chosen.getGenerationId(), rejected.getGenerationId()))
                    .setFeedbackIds(List.of(vote.getFeedbackId()))
                    .setModelIds(List.of(chosen.getPolicy().getModelId(), rejected.getPolicy().getModelId()))
                    .setPolicyVersions(
                        List.of(chosen.getPolicy().getPolicyVersion(), rejected.getPolicy().getPolicyVersion()))
                    .setPipelineVersion(pipelineVersion)
                    .build())
            .setCreatedAtMs(vote.getCreatedAtMs())
            .build();
    return Outcome.of(pair);
  }

  /**
   * Deterministic pair id from source, chosen and rejected ids, so a replay (or a second vote with
   * the same verdict) yields the same id and consumers can de-duplicate.
   */
  public static String pairId(PairSource source, String chosenId, String rejectedId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest((source.name() + '\u0000' + chosenId + '\u0000' + rejectedId).getBytes(StandardCharsets.UTF_8));
      return "pair-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
