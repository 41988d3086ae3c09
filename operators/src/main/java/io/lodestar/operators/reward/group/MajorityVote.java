package io.lodestar.operators.reward.group;

import io.lodestar.operators.verify.ResponseCleaner;
import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Rewards without ground truth (test-time RL): the answers of a group's members are clustered by
 * equivalence, and the largest cluster is the pseudo-label when it is the only largest one and
 * holds at least {@code minShare} of the group. A member in that cluster gets {@code majority_vote}
 * 1, any other member with an answer 0; a member without an answer is UNSCORABLE, and so is every
 * member when there is no clear majority. Each member also gets {@code self_consistency}: the share
 * of the group that gave its answer (UNSCORABLE without an answer), a health signal that the group
 * step weighs 0 in the reward unless {@code reward.weights} names it.
 *
 * <p>MATH tasks are clustered by the math verifier's extraction and equivalence; other tasks by the
 * response with reasoning blocks and template tokens removed, Unicode-normalised (NFKC), case
 * folded, whitespace collapsed and final sentence punctuation dropped. Pure, no Flink types.
 */
public final class MajorityVote implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String NAME = "majority_vote";
  public static final String AGREEMENT = "self_consistency";
  public static final String VERSION = "majority-vote/1";

  private static final int MAX_DETAIL_ANSWER_CHARS = 48;

  /** Which groups are voted on. */
  public enum Scope {
    /** Only groups whose task has no ground truth: a verifier scores the others. */
    NO_GROUND_TRUTH,
    /** Every group, beside any verifier's verdict. */
    ALL;

    /** {@code no-ground-truth} or {@code all}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #id()}. */
    public static Scope fromId(String id) {
      for (Scope scope : values()) {
        if (scope.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
          return scope;
        }
      }
      throw new IllegalArgumentException("must be no-ground-truth or all, was '" + id + "'");
    }
  }

  /**
   * @param minShare the smallest share of the group (members without an answer count) the majority
   *     cluster must hold, in (0, 1]
   * @param scope which groups are voted on
   * @param maxComparisons equivalence checks allowed per group (see {@link AnswerClusters})
   * @param taskKinds the task kinds voted on; empty: every kind
   */
  public record Settings(double minShare, Scope scope, int maxComparisons, Set<TaskKind> taskKinds)
      implements Serializable {

    public static final double DEFAULT_MIN_SHARE = 0.5;
    public static final int DEFAULT_MAX_COMPARISONS = 256;

    public Settings {
      if (!(minShare > 0 && minShare <= 1)) {
        throw new IllegalArgumentException("must be in (0, 1], was " + minShare);
      }
      if (maxComparisons < 0) {
        throw new IllegalArgumentException("must be >= 0, was " + maxComparisons);
      }
      taskKinds = taskKinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(taskKinds));
    }

    public static Settings defaults() {
      return new Settings(
          DEFAULT_MIN_SHARE, Scope.NO_GROUND_TRUTH, DEFAULT_MAX_COMPARISONS, Set.of());
    }

    public Settings withMinShare(double value) {
      return new Settings(value, scope, maxComparisons, taskKinds);
    }

    public Settings withScope(Scope value) {
      return new Settings(minShare, value, maxComparisons, taskKinds);
    }

    public Settings withMaxComparisons(int value) {
      return new Settings(minShare, scope, value, taskKinds);
    }

    public Settings withTaskKinds(Set<TaskKind> value) {
      return new Settings(minShare, scope, maxComparisons, value);
    }
  }

  /** How a vote ended. */
  public enum Outcome {
    /** A clear majority: its members 1, the other answers 0. */
    LABELLED,
    /** Answers, but the largest cluster is tied or below the minimum share: all UNSCORABLE. */
    NO_MAJORITY,
    /** No member has an answer: all UNSCORABLE. */
    NO_ANSWERS
  }

  /**
   * A group's vote: the outcome, the majority share (largest cluster over group size), the
   * clusters, and per member (in the order given) its {@code majority_vote} and {@code
   * self_consistency} components.
   */
  public record Vote(
      Outcome outcome,
      double share,
      AnswerClusters.Result clusters,
      List<RewardComponent> majority,
      List<RewardComponent> agreement) {}

  private final Settings settings;
  private final MathVerifier math;

  public MajorityVote(Settings settings, MathVerifier math) {
    this.settings = settings;
    this.math = math;
  }

  public MajorityVote(Settings settings) {
    this(settings, new MathVerifier());
  }

  public Settings settings() {
    return settings;
  }

  /** Whether this group is voted on: its task kind is chosen and, by default, it has no truth. */
  public boolean appliesTo(List<Generation> members) {
    if (members.isEmpty()) {
      return false;
    }
    TaskKind kind = members.get(0).getTask().getKind();
    if (!settings.taskKinds().isEmpty() && !settings.taskKinds().contains(kind)) {
      return false;
    }
    return settings.scope() == Scope.ALL || !hasGroundTruth(members);
  }

  private static boolean hasGroundTruth(List<Generation> members) {
    for (Generation g : members) {
      CharSequence truth = g.getTask().getGroundTruth();
      if (truth != null && !truth.toString().isBlank()) {
        return true;
      }
    }
    return false;
  }

  /** Votes on {@code members}, one prompt's responses; the result follows their order. */
  public Vote vote(List<Generation> members) {
    boolean mathTask = !members.isEmpty() && members.get(0).getTask().getKind() == TaskKind.MATH;
    AnswerClusters.Result clusters;
    List<String> shown = new ArrayList<>(members.size());
    if (mathTask) {
      List<MathVerifier.Answer> answers = new ArrayList<>(members.size());
      for (Generation g : members) {
        MathVerifier.Answer answer = math.answer(g.getResponse()).orElse(null);
        answers.add(answer);
        shown.add(answer == null ? null : answer.raw());
      }
      clusters =
          AnswerClusters.cluster(
              answers, MathVerifier.Answer::key, math::sameAnswer, settings.maxComparisons());
    } else {
      List<String> answers = new ArrayList<>(members.size());
      for (Generation g : members) {
        String answer = normalisedText(g.getResponse()).orElse(null);
        answers.add(answer);
        shown.add(answer);
      }
      // Exact match: the key is the answer, so no comparison is ever needed.
      clusters = AnswerClusters.cluster(answers, a -> a, String::equals, 0);
    }
    return decide(clusters, shown);
  }

  private Vote decide(AnswerClusters.Result clusters, List<String> shown) {
    int size = clusters.members();
    double share = size == 0 ? 0 : (double) clusters.largestSize() / size;
    int winner = clusters.uniqueLargest();
    Outcome outcome;
    if (clusters.answered() == 0) {
      outcome = Outcome.NO_ANSWERS;
    } else if (winner == AnswerClusters.NO_ANSWER || share < settings.minShare()) {
      outcome = Outcome.NO_MAJORITY;
    } else {
      outcome = Outcome.LABELLED;
    }
    String summary =
        "share="
            + clusters.largestSize()
            + "/"
            + size
            + " clusters="
            + clusters.clusterCount()
            + (clusters.capped() ? " comparisons capped at " + clusters.comparisons() : "");
    String label =
        outcome == Outcome.LABELLED
            ? " label=" + abbreviate(shown.get(clusters.representatives()[winner]))
            : "";
    List<RewardComponent> majority = new ArrayList<>(size);
    List<RewardComponent> agreement = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int cluster = clusters.clusterOf()[i];
      if (cluster == AnswerClusters.NO_ANSWER) {
        majority.add(component(NAME, null, RewardStatus.UNSCORABLE, "no answer; " + summary));
        agreement.add(component(AGREEMENT, null, RewardStatus.UNSCORABLE, "no answer"));
        continue;
      }
      if (outcome == Outcome.LABELLED) {
        double value = cluster == winner ? 1.0 : 0.0;
        majority.add(component(NAME, value, RewardStatus.OK, summary + label));
      } else {
        majority.add(
            component(NAME, null, RewardStatus.UNSCORABLE, "no clear majority; " + summary));
      }
      int agreeing = clusters.agreeing(i);
      agreement.add(
          component(
              AGREEMENT,
              (double) agreeing / size,
              RewardStatus.OK,
              "agreeing=" + agreeing + "/" + size));
    }
    return new Vote(outcome, share, clusters, majority, agreement);
  }

  /**
   * The response as an answer for exact matching, or empty when nothing is left of it; reasoning
   * blocks and template tokens go first, as for every verifier.
   */
  static Optional<String> normalisedText(String response) {
    if (response == null) {
      return Optional.empty();
    }
    String text = ResponseCleaner.examinedText(response, Integer.MAX_VALUE);
    text = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    text = text.replaceAll("\\s+", " ").trim();
    int end = text.length();
    while (end > 0 && ".!?。！？".indexOf(text.charAt(end - 1)) >= 0) {
      end--;
    }
    text = text.substring(0, end).trim();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  private static String abbreviate(String answer) {
    String oneLine = answer.replace('\n', ' ').trim();
    return oneLine.length() <= MAX_DETAIL_ANSWER_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_DETAIL_ANSWER_CHARS) + "...";
  }

  private static RewardComponent component(
      String name, Double value, RewardStatus status, String detail) {
    return RewardComponent.newBuilder()
        .setName(name)
        .setValue(value)
        .setStatus(status)
        .setSource(RewardSource.VERIFIER)
        .setVersion(VERSION)
        .setDetail(detail)
        .build();
  }
}
