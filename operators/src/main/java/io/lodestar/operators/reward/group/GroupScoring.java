package io.lodestar.operators.reward.group;

import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The scorers that need the whole group, run once when a group closes and before its advantages are
 * computed: each adds components to the members, and every member's reward is then composed again,
 * by the same rule as the per-generation step, from all of its components. A component name this
 * step adds replaces a component of that name the member already carries, so a record scored twice
 * is scored once. Pure, no Flink types.
 */
public final class GroupScoring implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Scores nothing: groups pass unchanged. */
  public static final GroupScoring NONE = new GroupScoring(null, RewardComposition.defaults());

  private static final Comparator<ScoredGeneration> MEMBER_ORDER =
      Comparator.comparing(
              (ScoredGeneration m) -> m.getGeneration().getSampleIndex(),
              Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(m -> m.getGeneration().getGenerationId());

  private final MajorityVote majorityVote;
  private final RewardComposition composition;

  /**
   * @param majorityVote the vote, or null for none
   * @param composition the rule {@code combine-rewards} uses; {@code self_consistency} is weighed 0
   *     in it unless its weights name it
   */
  public GroupScoring(MajorityVote majorityVote, RewardComposition composition) {
    this.majorityVote = majorityVote;
    this.composition = composition.withDefaultWeight(MajorityVote.AGREEMENT, 0.0);
  }

  public boolean enabled() {
    return majorityVote != null;
  }

  /** The majority vote, when it is on. */
  public Optional<MajorityVote> majorityVote() {
    return Optional.ofNullable(majorityVote);
  }

  /** The members, rescored, and the vote when one was taken. */
  public record Scored(List<ScoredGeneration> members, Optional<MajorityVote.Vote> vote) {}

  /**
   * Scores one closed group. The members come back in sample-index order (then generation id), the
   * order the group record uses, so the result does not depend on arrival order.
   */
  public Scored apply(List<ScoredGeneration> members) {
    if (majorityVote == null || members.isEmpty()) {
      return new Scored(members, Optional.empty());
    }
    List<ScoredGeneration> ordered = new ArrayList<>(members);
    ordered.sort(MEMBER_ORDER);
    List<Generation> generations = new ArrayList<>(ordered.size());
    ordered.forEach(m -> generations.add(m.getGeneration()));
    if (!majorityVote.appliesTo(generations)) {
      return new Scored(members, Optional.empty());
    }
    MajorityVote.Vote vote = majorityVote.vote(generations);
    List<ScoredGeneration> rescored = new ArrayList<>(ordered.size());
    for (int i = 0; i < ordered.size(); i++) {
      rescored.add(
          withComponents(ordered.get(i), List.of(vote.majority().get(i), vote.agreement().get(i))));
    }
    return new Scored(rescored, Optional.of(vote));
  }

  private ScoredGeneration withComponents(ScoredGeneration member, List<RewardComponent> added) {
    Set<String> names = new HashSet<>();
    added.forEach(c -> names.add(c.getName()));
    List<RewardComponent> components = new ArrayList<>(member.getComponents().size() + 2);
    for (RewardComponent c : member.getComponents()) {
      if (!names.contains(c.getName())) {
        components.add(c);
      }
    }
    components.addAll(added);
    return composition.compose(member.getGeneration(), components).applyTo(member);
  }
}
