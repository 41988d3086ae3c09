package io.lodestar.operators.preference;

import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.UnpairedExample;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds pairs and unpaired examples with deterministic ids and their provenance, and collects what
 * one step produced: the examples and, for every signal that yielded none, why.
 */
public final class PreferenceExamples {

  /** Why a signal yielded no training example; each is counted under this label. */
  public enum NoExample {
    TIE,
    BOTH_BAD,
    DIFFERENT_PROMPTS,
    NO_CONSENT,
    THUMBS_CONFLICT,
    EDIT_UNCHANGED,
    RATING_GAP_TOO_SMALL,
    OVER_PROMPT_CAP,
    UNUSED_KIND
  }

  private final String pipelineVersion;
  private final List<PreferencePair> pairs = new ArrayList<>();
  private final List<UnpairedExample> unpaired = new ArrayList<>();
  private final Map<NoExample, Integer> withoutExample = new LinkedHashMap<>();

  public PreferenceExamples(String pipelineVersion) {
    this.pipelineVersion = pipelineVersion;
  }

  public List<PreferencePair> pairs() {
    return pairs;
  }

  public List<UnpairedExample> unpaired() {
    return unpaired;
  }

  /** Signals (feedback events, or groups) that yielded nothing, by reason. */
  public Map<NoExample, Integer> withoutExample() {
    return withoutExample;
  }

  void none(NoExample reason, int signals) {
    if (signals > 0) {
      withoutExample.merge(reason, signals, Integer::sum);
    }
  }

  /**
   * A pair of two generations of one prompt from signals aggregated per pair (thumbs, ratings of
   * one prompt window): one pair per chosen and rejected generation, its id names just those.
   */
  void pair(
      PairSource source,
      Generation chosen,
      Generation rejected,
      Double margin,
      double confidence,
      List<String> feedbackIds,
      long createdAtMs) {
    pair(
        pairId(source, chosen.getGenerationId(), rejected.getGenerationId()),
        source,
        chosen,
        rejected,
        margin,
        confidence,
        feedbackIds,
        createdAtMs);
  }

  /**
   * A pair from one feedback event (a vote, a regeneration). Each event is its own pair: two users
   * voting for the same pair make two rows with two ids, while a replay of one event keeps its id.
   */
  void eventPair(
      PairSource source,
      String feedbackId,
      Generation chosen,
      Generation rejected,
      double confidence,
      long createdAtMs) {
    pair(
        pairId(source, chosen.getGenerationId(), rejected.getGenerationId(), feedbackId),
        source,
        chosen,
        rejected,
        null,
        confidence,
        List.of(feedbackId),
        createdAtMs);
  }

  private void pair(
      String pairId,
      PairSource source,
      Generation chosen,
      Generation rejected,
      Double margin,
      double confidence,
      List<String> feedbackIds,
      long createdAtMs) {
    pairs.add(
        PreferencePair.newBuilder()
            .setPairId(pairId)
            .setPromptId(rejected.getPromptId())
            .setPrompt(rejected.getPrompt())
            .setChosen(chosen.getResponse())
            .setRejected(rejected.getResponse())
            .setChosenGenerationId(chosen.getGenerationId())
            .setRejectedGenerationId(rejected.getGenerationId())
            .setMargin(margin)
            .setSource(source)
            .setConfidence(confidence)
            .setProvenance(provenance(List.of(chosen, rejected), feedbackIds))
            .setCreatedAtMs(createdAtMs)
            .build());
  }

  /** A user's edit preferred over the response it corrects; the chosen side has no generation. */
  void editPair(
      String editFeedbackId,
      String editedText,
      Generation rejected,
      double confidence,
      long createdAtMs) {
    pairs.add(
        PreferencePair.newBuilder()
            .setPairId(
                pairId(PairSource.EDIT, "edit:" + editFeedbackId, rejected.getGenerationId()))
            .setPromptId(rejected.getPromptId())
            .setPrompt(rejected.getPrompt())
            .setChosen(editedText)
            .setRejected(rejected.getResponse())
            .setChosenGenerationId(null)
            .setRejectedGenerationId(rejected.getGenerationId())
            .setMargin(null)
            .setSource(PairSource.EDIT)
            .setConfidence(confidence)
            .setProvenance(provenance(List.of(rejected), List.of(editFeedbackId)))
            .setCreatedAtMs(createdAtMs)
            .build());
  }

  /** A pair of two samples of one closed group, by their rewards. */
  void groupPair(
      RLGroup group, RLSample chosen, RLSample rejected, double margin, double confidence) {
    pairs.add(
        PreferencePair.newBuilder()
            .setPairId(
                pairId(
                    PairSource.REWARD_MARGIN, chosen.getGenerationId(), rejected.getGenerationId()))
            .setPromptId(group.getPromptId())
            .setPrompt(group.getPrompt())
            .setChosen(chosen.getResponse())
            .setRejected(rejected.getResponse())
            .setChosenGenerationId(chosen.getGenerationId())
            .setRejectedGenerationId(rejected.getGenerationId())
            .setMargin(margin)
            .setSource(PairSource.REWARD_MARGIN)
            .setConfidence(confidence)
            .setProvenance(
                Provenance.newBuilder()
                    .setGenerationIds(List.of(chosen.getGenerationId(), rejected.getGenerationId()))
                    .setFeedbackIds(List.of())
                    .setModelIds(
                        List.of(chosen.getPolicy().getModelId(), rejected.getPolicy().getModelId()))
                    .setPolicyVersions(
                        List.of(
                            chosen.getPolicy().getPolicyVersion(),
                            rejected.getPolicy().getPolicyVersion()))
                    .setPipelineVersion(pipelineVersion)
                    .build())
            .setCreatedAtMs(group.getClosedAtMs())
            .build());
  }

  /**
   * One response labelled desirable or not (KTO), from signals aggregated per generation (thumbs).
   */
  void unpaired(
      PairSource source,
      Generation g,
      boolean label,
      double confidence,
      List<String> feedbackIds,
      long createdAtMs) {
    unpaired(
        exampleId(source, g.getGenerationId(), label),
        source,
        g,
        label,
        confidence,
        feedbackIds,
        createdAtMs);
  }

  /**
   * One response labelled by one feedback event (a both-bad vote, a regeneration); see {@link
   * #eventPair}.
   */
  void eventUnpaired(
      PairSource source,
      String feedbackId,
      Generation g,
      boolean label,
      double confidence,
      long createdAtMs) {
    unpaired(
        exampleId(source, g.getGenerationId(), label, feedbackId),
        source,
        g,
        label,
        confidence,
        List.of(feedbackId),
        createdAtMs);
  }

  private void unpaired(
      String exampleId,
      PairSource source,
      Generation g,
      boolean label,
      double confidence,
      List<String> feedbackIds,
      long createdAtMs) {
    unpaired.add(
        UnpairedExample.newBuilder()
            .setExampleId(exampleId)
            .setPromptId(g.getPromptId())
            .setPrompt(g.getPrompt())
            .setCompletion(g.getResponse())
            .setLabel(label)
            .setGenerationId(g.getGenerationId())
            .setSource(source)
            .setConfidence(confidence)
            .setProvenance(provenance(List.of(g), feedbackIds))
            .setCreatedAtMs(createdAtMs)
            .build());
  }

  private Provenance provenance(List<Generation> generations, List<String> feedbackIds) {
    List<String> ids = new ArrayList<>();
    List<String> models = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    for (Generation g : generations) {
      ids.add(g.getGenerationId());
      models.add(g.getPolicy().getModelId());
      versions.add(g.getPolicy().getPolicyVersion());
    }
    return Provenance.newBuilder()
        .setGenerationIds(ids)
        .setFeedbackIds(new ArrayList<>(feedbackIds))
        .setModelIds(models)
        .setPolicyVersions(versions)
        .setPipelineVersion(pipelineVersion)
        .build();
  }

  /**
   * Deterministic id of a pair aggregated over its signals (thumbs, ratings, reward margins, an
   * edit, whose chosen id names the edit), from source, chosen and rejected ids, so a replay yields
   * the same id and consumers can de-duplicate.
   */
  public static String pairId(PairSource source, String chosenId, String rejectedId) {
    return "pair-" + digest(source.name(), chosenId, rejectedId);
  }

  /** Deterministic id of a pair made by one feedback event: the pair's parts and the event's id. */
  public static String pairId(
      PairSource source, String chosenId, String rejectedId, String feedbackId) {
    return "pair-" + digest(source.name(), chosenId, rejectedId, feedbackId);
  }

  /** Deterministic unpaired example id from source, generation id and label. */
  public static String exampleId(PairSource source, String generationId, boolean label) {
    return "example-" + digest(source.name(), generationId, Boolean.toString(label));
  }

  /** Deterministic id of an unpaired example made by one feedback event. */
  public static String exampleId(
      PairSource source, String generationId, boolean label, String feedbackId) {
    return "example-" + digest(source.name(), generationId, Boolean.toString(label), feedbackId);
  }

  private static String digest(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] hash = sha.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
