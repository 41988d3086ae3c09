package io.lodestar.operators.health;

import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns pipeline records into {@link HealthEvent}s. With {@code rollUp}, each record also counts
 * once in the roll-up row of its policy (data source {@link HealthEvent#ALL_SOURCES}), which {@code
 * per policy} alarm rules watch.
 */
public final class HealthEvents implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Model, or data source, of a record that does not say. */
  public static final String UNKNOWN = "unknown";

  private final boolean rollUp;

  public HealthEvents(boolean rollUp) {
    this.rollUp = rollUp;
  }

  /** Conversions that roll up as {@code health.roll-up} says. */
  public static HealthEvents of(HealthSettings settings) {
    return new HealthEvents(settings.rollUp());
  }

  public List<HealthEvent> generation(ScoredGeneration scored) {
    Generation generation = scored.getGeneration();
    HealthEvent event =
        keyed(
            HealthEventKind.GENERATION,
            generation.getCreatedAtMs(),
            generation.getPolicy().getModelId(),
            generation.getPolicy().getPolicyVersion(),
            generation.getTask().getDataSource());
    Double reward = scored.getReward();
    event.reward = reward != null && Double.isFinite(reward) ? reward : null;
    event.responseLength = generation.getResponse().length();
    List<ComponentSignal> signals = new ArrayList<>(scored.getComponents().size());
    for (RewardComponent component : scored.getComponents()) {
      signals.add(ComponentSignal.of(component));
    }
    event.components = signals;
    return withRollUp(event);
  }

  /** A closed group; zero variance means at least two scored samples, all with the same reward. */
  public List<HealthEvent> group(RLGroup group) {
    String modelId =
        group.getSamples().isEmpty() ? UNKNOWN : group.getSamples().get(0).getPolicy().getModelId();
    HealthEvent event =
        keyed(
            HealthEventKind.GROUP,
            group.getClosedAtMs(),
            modelId,
            group.getMaxPolicyVersion(),
            group.getTask().getDataSource());
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int scored = 0;
    for (RLSample sample : group.getSamples()) {
      Double reward = sample.getReward();
      if (sample.getScored() && reward != null && Double.isFinite(reward)) {
        scored++;
        min = Math.min(min, reward);
        max = Math.max(max, reward);
      }
    }
    event.groupScored = scored;
    event.groupZeroVariance = scored >= 2 && min == max;
    event.groupSize = group.getSamples().size();
    List<CharSequence> responses = new ArrayList<>(group.getSamples().size());
    for (RLSample sample : group.getSamples()) {
      responses.add(sample.getResponse());
    }
    event.groupDuplicates = duplicates(responses);
    event.groupSelfConsistency = selfConsistency(group);
    return withRollUp(event);
  }

  /** The scored {@code self_consistency} components of the group's samples. */
  private static double[] selfConsistency(RLGroup group) {
    List<Double> values = new ArrayList<>();
    for (RLSample sample : group.getSamples()) {
      for (RewardComponent c : sample.getComponents()) {
        if (MajorityVote.AGREEMENT.equals(c.getName())
            && c.getStatus() == RewardStatus.OK
            && c.getValue() != null
            && Double.isFinite(c.getValue())) {
          values.add(c.getValue());
        }
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * Responses that, with runs of whitespace made one space and ends trimmed, equal an earlier one.
   */
  static int duplicates(List<? extends CharSequence> responses) {
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    for (CharSequence response : responses) {
      if (!seen.add(collapseWhitespace(response))) {
        duplicates++;
      }
    }
    return duplicates;
  }

  /** A loop, not a regex: this runs on every response of every group. */
  private static String collapseWhitespace(CharSequence text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * One event per data source in the batch (each counts the batch once), keyed by the batch's
   * newest policy version; the roll-up gets one event for the whole batch.
   */
  public List<HealthEvent> batch(RLBatch batch) {
    Map<String, List<RLGroup>> bySource = new LinkedHashMap<>();
    for (RLGroup group : batch.getGroups()) {
      bySource.computeIfAbsent(group.getTask().getDataSource(), s -> new ArrayList<>()).add(group);
    }
    List<HealthEvent> events = new ArrayList<>(bySource.size() + 1);
    for (Map.Entry<String, List<RLGroup>> entry : bySource.entrySet()) {
      events.add(batchEvent(batch, entry.getKey(), entry.getValue()));
    }
    if (rollUp) {
      events.add(batchEvent(batch, HealthEvent.ALL_SOURCES, batch.getGroups()));
    }
    return events;
  }

  private static HealthEvent batchEvent(RLBatch batch, String dataSource, List<RLGroup> groups) {
    HealthEvent event =
        keyed(
            HealthEventKind.BATCH,
            batch.getClosedAtMs(),
            batch.getModelId(),
            batch.getMaxPolicyVersion(),
            dataSource);
    long[] lags = new long[groups.size()];
    int samples = 0;
    for (int i = 0; i < groups.size(); i++) {
      lags[i] = batch.getMaxPolicyVersion() - groups.get(i).getMinPolicyVersion();
      samples += groups.get(i).getSamples().size();
    }
    event.stalenessLags = lags;
    event.batchSamples = samples;
    return event;
  }

  /** A pair; {@code dataSource} may be null when the caller cannot tell. */
  public List<HealthEvent> pair(PreferencePair pair, String dataSource) {
    List<String> models = pair.getProvenance().getModelIds();
    long version = 0;
    for (Long v : pair.getProvenance().getPolicyVersions()) {
      version = Math.max(version, v);
    }
    HealthEvent event =
        keyed(
            HealthEventKind.PAIR,
            pair.getCreatedAtMs(),
            models.isEmpty() ? UNKNOWN : models.get(0),
            version,
            dataSource == null ? UNKNOWN : dataSource);
    event.pairSource = pair.getSource().name();
    return withRollUp(event);
  }

  /**
   * A feedback signal, with the scored generation it is about ({@code target}, null when not
   * joined) and for a vote the other one ({@code other}). The event is keyed by the target's policy
   * and data source; the human verdict is compared with the reward model (MODEL components) where
   * both exist.
   */
  public List<HealthEvent> feedback(
      Feedback feedback, ScoredGeneration target, ScoredGeneration other) {
    Generation g = target == null ? null : target.getGeneration();
    HealthEvent event =
        keyed(
            HealthEventKind.FEEDBACK,
            feedback.getCreatedAtMs(),
            g == null ? UNKNOWN : g.getPolicy().getModelId(),
            g == null ? 0 : g.getPolicy().getPolicyVersion(),
            g == null ? UNKNOWN : g.getTask().getDataSource());
    event.feedbackKind = feedback.getKind().name();
    Double targetScore = target == null ? null : modelScore(target);
    switch (feedback.getKind()) {
      case THUMB:
        event.humanVerdict =
            feedback.getThumbUp() == null ? null : (feedback.getThumbUp() ? 1 : -1);
        event.modelScore = targetScore;
        break;
      case RATING:
        event.humanVerdict = ratingVerdict(feedback);
        event.modelScore = targetScore;
        break;
      case PAIRWISE:
        if (feedback.getOutcome() != null) {
          switch (feedback.getOutcome()) {
            case A:
              event.humanVerdict = 1;
              break;
            case B:
              event.humanVerdict = -1;
              break;
            default:
              break;
          }
        }
        Double otherScore = other == null ? null : modelScore(other);
        if (targetScore != null && otherScore != null) {
          event.modelScore = targetScore - otherScore;
          event.modelScoreIsMargin = true;
        }
        break;
      default:
        break;
    }
    return withRollUp(event);
  }

  /** Above the middle of the scale is liked, below disliked, the middle itself undecided. */
  private static Integer ratingVerdict(Feedback feedback) {
    Double rating = feedback.getRating();
    Double lo = feedback.getRatingMin();
    Double hi = feedback.getRatingMax();
    if (rating == null || lo == null || hi == null || !(hi > lo)) {
      return null;
    }
    double middle = (lo + hi) / 2;
    return rating > middle ? Integer.valueOf(1) : rating < middle ? Integer.valueOf(-1) : null;
  }

  /** Mean of the scored reward-model components; null when there are none. */
  static Double modelScore(ScoredGeneration scored) {
    double sum = 0;
    int n = 0;
    for (RewardComponent c : scored.getComponents()) {
      if (c.getSource() == RewardSource.MODEL
          && c.getStatus() == RewardStatus.OK
          && c.getValue() != null
          && Double.isFinite(c.getValue())) {
        sum += c.getValue();
        n++;
      }
    }
    return n == 0 ? null : sum / n;
  }

  private static HealthEvent keyed(
      HealthEventKind kind,
      long eventTimeMs,
      String modelId,
      long policyVersion,
      String dataSource) {
    HealthEvent event = new HealthEvent();
    event.kind = kind;
    event.eventTimeMs = eventTimeMs;
    event.modelId = modelId;
    event.policyVersion = policyVersion;
    event.dataSource = dataSource;
    return event;
  }

  private List<HealthEvent> withRollUp(HealthEvent event) {
    return rollUp ? List.of(event, event.forAllSources()) : List.of(event);
  }
}
