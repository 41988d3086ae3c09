package io.lodestar.operators.health;

import io.lodestar.schema.ComponentHealth;
import io.lodestar.schema.HealthMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The health of one window for one key (policy and data source): every aggregate is a count, a set
 * of moments or a sketch, so two accumulators merge into the one their union would give, in any
 * order. A Flink POJO kept in keyed state.
 */
public class HealthAccumulator {

  public String modelId;
  public long policyVersion;
  public String dataSource;

  public long generations;
  public long unscored;
  public long timeouts;
  public Distribution reward = new Distribution();
  public Map<String, ComponentAccumulator> components = new HashMap<>();

  public long verifierJudged;
  public long verifierPassed;
  public long formatJudged;
  public long formatFailed;
  public Moments formatReward = new Moments();

  public Distribution length = new Distribution();
  public CoMoments lengthReward = new CoMoments();

  public long verifierModelCompared;
  public long verifierModelDisagreed;
  public long judgeVerifierCompared;
  public long judgeVerifierDisagreed;
  public long humanModelCompared;
  public long humanModelAgreed;

  public long groups;
  public long zeroVarianceGroups;
  public long groupSamples;
  public long duplicateResponses;
  public Distribution staleness = new Distribution();

  /** The self_consistency of every voted sample of the window's groups. */
  public Distribution selfConsistency = new Distribution();

  public long feedback;
  public Map<String, Long> feedbackByKind = new HashMap<>();
  public long pairs;
  public Map<String, Long> pairsBySource = new HashMap<>();
  public long batches;
  public long batchSamples;

  /** Events added after the window first closed. */
  public long lateEvents;

  /** How many times the window was emitted so far; the next emission's revision. */
  public int emissions;

  public HealthAccumulator() {}

  public void add(HealthEvent event, HealthSettings settings) {
    if (modelId == null) {
      modelId = event.modelId;
      policyVersion = event.policyVersion;
      dataSource = event.dataSource;
    }
    switch (event.kind) {
      case GENERATION:
        addGeneration(event, settings);
        break;
      case GROUP:
        if (event.groupScored >= 2) {
          groups++;
          if (event.groupZeroVariance) {
            zeroVarianceGroups++;
          }
        }
        if (event.groupSize >= 2) {
          groupSamples += event.groupSize;
          duplicateResponses += event.groupDuplicates;
        }
        for (double agreement : event.groupSelfConsistency) {
          selfConsistency.add(agreement);
        }
        break;
      case BATCH:
        batches++;
        batchSamples += event.batchSamples;
        for (long lag : event.stalenessLags) {
          staleness.add(lag);
        }
        break;
      case PAIR:
        pairs++;
        pairsBySource.merge(String.valueOf(event.pairSource), 1L, Long::sum);
        break;
      case FEEDBACK:
        addFeedback(event, settings);
        break;
      default:
        throw new IllegalArgumentException("unknown health event kind " + event.kind);
    }
  }

  private void addGeneration(HealthEvent event, HealthSettings settings) {
    generations++;
    if (event.reward == null) {
      unscored++;
    } else {
      reward.add(event.reward);
      lengthReward.add(event.responseLength, event.reward);
    }
    length.add(event.responseLength);

    double[] sums = new double[ComponentRole.values().length];
    int[] counts = new int[ComponentRole.values().length];
    boolean timedOut = false;
    for (ComponentSignal signal : event.components) {
      ComponentRole role = settings.roleOf(signal.name, signal.source);
      ComponentAccumulator component = components.get(signal.name);
      if (component == null) {
        component = new ComponentAccumulator();
        component.source = String.valueOf(signal.source);
        component.role = role.name();
        components.put(signal.name, component);
      }
      timedOut |= signal.timedOut;
      if (signal.timedOut) {
        component.timeouts++;
      }
      if (signal.value == null) {
        component.unscored++;
        continue;
      }
      component.scored++;
      component.value.add(signal.value);
      sums[role.ordinal()] += signal.value;
      counts[role.ordinal()]++;
    }
    if (timedOut) {
      timeouts++;
    }
    Boolean accuracy = verdict(sums, counts, ComponentRole.ACCURACY, settings.passThreshold());
    Boolean model = verdict(sums, counts, ComponentRole.MODEL, settings.modelThreshold());
    Boolean judge = verdict(sums, counts, ComponentRole.JUDGE, settings.passThreshold());
    if (accuracy != null) {
      verifierJudged++;
      if (accuracy) {
        verifierPassed++;
      }
    }
    int format = ComponentRole.FORMAT.ordinal();
    if (counts[format] > 0) {
      double formatMean = sums[format] / counts[format];
      formatJudged++;
      formatReward.add(formatMean);
      if (formatMean < settings.passThreshold()) {
        formatFailed++;
      }
    }
    if (accuracy != null && model != null) {
      verifierModelCompared++;
      if (!accuracy.equals(model)) {
        verifierModelDisagreed++;
      }
    }
    if (accuracy != null && judge != null) {
      judgeVerifierCompared++;
      if (!accuracy.equals(judge)) {
        judgeVerifierDisagreed++;
      }
    }
  }

  /** Whether the mean of one role's scored components reaches the threshold; null without any. */
  private static Boolean verdict(
      double[] sums, int[] counts, ComponentRole role, double threshold) {
    int i = role.ordinal();
    return counts[i] == 0 ? null : sums[i] / counts[i] >= threshold;
  }

  private void addFeedback(HealthEvent event, HealthSettings settings) {
    feedback++;
    feedbackByKind.merge(String.valueOf(event.feedbackKind), 1L, Long::sum);
    if (event.humanVerdict == null
        || event.modelScore == null
        || !Double.isFinite(event.modelScore)) {
      return;
    }
    int modelVerdict;
    if (event.modelScoreIsMargin) {
      // A reward tie between the two responses is no verdict.
      if (event.modelScore == 0) {
        return;
      }
      modelVerdict = event.modelScore > 0 ? 1 : -1;
    } else {
      modelVerdict = event.modelScore >= settings.modelThreshold() ? 1 : -1;
    }
    humanModelCompared++;
    if (modelVerdict == event.humanVerdict) {
      humanModelAgreed++;
    }
  }

  public void merge(HealthAccumulator other) {
    if (modelId == null) {
      modelId = other.modelId;
      policyVersion = other.policyVersion;
      dataSource = other.dataSource;
    }
    generations += other.generations;
    unscored += other.unscored;
    timeouts += other.timeouts;
    reward.merge(other.reward);
    for (Map.Entry<String, ComponentAccumulator> entry : other.components.entrySet()) {
      components
          .computeIfAbsent(entry.getKey(), n -> new ComponentAccumulator())
          .merge(entry.getValue());
    }
    verifierJudged += other.verifierJudged;
    verifierPassed += other.verifierPassed;
    formatJudged += other.formatJudged;
    formatFailed += other.formatFailed;
    formatReward.merge(other.formatReward);
    length.merge(other.length);
    lengthReward.merge(other.lengthReward);
    verifierModelCompared += other.verifierModelCompared;
    verifierModelDisagreed += other.verifierModelDisagreed;
    judgeVerifierCompared += other.judgeVerifierCompared;
    judgeVerifierDisagreed += other.judgeVerifierDisagreed;
    humanModelCompared += other.humanModelCompared;
    humanModelAgreed += other.humanModelAgreed;
    groups += other.groups;
    zeroVarianceGroups += other.zeroVarianceGroups;
    groupSamples += other.groupSamples;
    duplicateResponses += other.duplicateResponses;
    staleness.merge(other.staleness);
    selfConsistency.merge(other.selfConsistency);
    feedback += other.feedback;
    other.feedbackByKind.forEach((k, v) -> feedbackByKind.merge(k, v, Long::sum));
    pairs += other.pairs;
    other.pairsBySource.forEach((k, v) -> pairsBySource.merge(k, v, Long::sum));
    batches += other.batches;
    batchSamples += other.batchSamples;
    lateEvents += other.lateEvents;
  }

  /** The window's record; {@code revision} 0 for the first emission. */
  public HealthMetrics toMetrics(long windowStartMs, long windowEndMs, int revision) {
    String modelId = this.modelId == null ? HealthEvents.UNKNOWN : this.modelId;
    String dataSource = this.dataSource == null ? HealthEvents.UNKNOWN : this.dataSource;
    List<ComponentHealth> componentHealth = new ArrayList<>(components.size());
    for (Map.Entry<String, ComponentAccumulator> entry : new TreeMap<>(components).entrySet()) {
      componentHealth.add(entry.getValue().toHealth(entry.getKey()));
    }
    return HealthMetrics.newBuilder()
        .setMetricsId(
            HealthEvent.key(modelId, policyVersion, dataSource)
                + "@"
                + windowStartMs
                + "#"
                + revision)
        .setModelId(modelId)
        .setPolicyVersion(policyVersion)
        .setDataSource(dataSource)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowEndMs)
        .setRevision(revision)
        .setLateEvents(lateEvents)
        .setGenerations(generations)
        .setScored(generations - unscored)
        .setUnscored(unscored)
        .setTimeouts(timeouts)
        .setUnscoredRate(rate(unscored, generations))
        .setTimeoutRate(rate(timeouts, generations))
        .setReward(reward.summary())
        .setComponents(componentHealth)
        .setVerifierJudged(verifierJudged)
        .setVerifierPassRate(rate(verifierPassed, verifierJudged))
        .setFormatJudged(formatJudged)
        .setFormatFailureRate(rate(formatFailed, formatJudged))
        .setFormatRewardMean(formatReward.count == 0 ? null : formatReward.mean)
        .setGroups(groups)
        .setZeroVarianceGroups(zeroVarianceGroups)
        .setZeroVarianceFraction(rate(zeroVarianceGroups, groups))
        .setGroupSamples(groupSamples)
        .setDuplicateResponses(duplicateResponses)
        .setDuplicateResponseRate(rate(duplicateResponses, groupSamples))
        .setResponseLength(length.summary())
        .setLengthRewardPoints(lengthReward.count)
        .setLengthRewardCorrelation(lengthReward.correlation())
        .setVerifierModelCompared(verifierModelCompared)
        .setVerifierModelDisagreement(rate(verifierModelDisagreed, verifierModelCompared))
        .setJudgeVerifierCompared(judgeVerifierCompared)
        .setJudgeVerifierDisagreement(rate(judgeVerifierDisagreed, judgeVerifierCompared))
        .setHumanModelCompared(humanModelCompared)
        .setHumanModelAgreement(rate(humanModelAgreed, humanModelCompared))
        .setStaleness(staleness.summary())
        .setSelfConsistency(selfConsistency.summary())
        .setFeedback(feedback)
        .setFeedbackByKind(new TreeMap<>(feedbackByKind))
        .setPairs(pairs)
        .setPairsBySource(new TreeMap<>(pairsBySource))
        .setBatches(batches)
        .setBatchSamples(batchSamples)
        .build();
  }

  private static Double rate(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }
}
