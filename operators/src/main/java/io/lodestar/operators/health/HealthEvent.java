package io.lodestar.operators.health;

import java.util.ArrayList;
import java.util.List;

/**
 * One input to the health window: a scored generation, a closed group, a batch, a preference pair
 * or a feedback signal, reduced to the fields health needs (see {@link HealthEvents} for the
 * conversions). One small type lets every stream meet in one keyed window operator. A Flink POJO;
 * fields that do not apply to a kind keep their defaults.
 */
public class HealthEvent {

  /** Data source of the roll-up row over every data source of a policy. */
  public static final String ALL_SOURCES = "*";

  public HealthEventKind kind;

  /** Event time, epoch milliseconds. */
  public long eventTimeMs;

  public String modelId;
  public long policyVersion;
  public String dataSource;

  // GENERATION
  /** The combined reward; null when unscored. */
  public Double reward;

  public int responseLength;
  public List<ComponentSignal> components = new ArrayList<>();

  // GROUP
  public int groupScored;
  public boolean groupZeroVariance;
  public int groupSize;

  /** Samples whose response repeats an earlier one of the group (whitespace aside). */
  public int groupDuplicates;

  /** The samples' {@code self_consistency} values that scored (majority vote on), else empty. */
  public double[] groupSelfConsistency = new double[0];

  // BATCH
  public int batchSamples;

  /**
   * Per group of this data source in the batch: batch newest version minus group oldest version.
   */
  public long[] stalenessLags = new long[0];

  // PAIR
  public String pairSource;

  // FEEDBACK
  public String feedbackKind;

  /** +1 when the human liked the target (or voted for A), -1 when not; null when undecided. */
  public Integer humanVerdict;

  /**
   * The reward model's score of the target, or its margin A minus B for a vote; null when unknown.
   */
  public Double modelScore;

  /**
   * True when {@link #modelScore} is a margin between two responses (sign decides), not a score.
   */
  public boolean modelScoreIsMargin;

  public HealthEvent() {}

  /** The keyBy key: model, version and data source. */
  public String key() {
    return key(modelId, policyVersion, dataSource);
  }

  public static String key(String modelId, long policyVersion, String dataSource) {
    return modelId + "@" + policyVersion + "/" + dataSource;
  }

  /** A copy of this event counted in the roll-up row of its policy. */
  public HealthEvent forAllSources() {
    HealthEvent copy = new HealthEvent();
    copy.kind = kind;
    copy.eventTimeMs = eventTimeMs;
    copy.modelId = modelId;
    copy.policyVersion = policyVersion;
    copy.dataSource = ALL_SOURCES;
    copy.reward = reward;
    copy.responseLength = responseLength;
    copy.components = components;
    copy.groupScored = groupScored;
    copy.groupZeroVariance = groupZeroVariance;
    copy.groupSize = groupSize;
    copy.groupDuplicates = groupDuplicates;
    copy.groupSelfConsistency = groupSelfConsistency;
    copy.batchSamples = batchSamples;
    copy.stalenessLags = stalenessLags;
    copy.pairSource = pairSource;
    copy.feedbackKind = feedbackKind;
    copy.humanVerdict = humanVerdict;
    copy.modelScore = modelScore;
    copy.modelScoreIsMargin = modelScoreIsMargin;
    return copy;
  }
}
