package io.lodestar.operators.reward.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.reward.compose.OverlongShaping;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.verify.math.MathVerifier;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class GroupScoringTest {

  private static final RewardComposition COMPOSITION = RewardComposition.defaults();

  /** A group member scored as the pipeline scores it before grouping (math_equivalence). */
  static ScoredGeneration member(int index, String truth, String response) {
    Generation g =
        TestRecords.generation("g" + index)
            .setSampleIndex(index)
            .setResponse(response)
            .setTask(
                TaskMetadata.newBuilder()
                    .setDataSource("unlabelled")
                    .setKind(TaskKind.MATH)
                    .setGroundTruth(truth)
                    .build())
            .build();
    RewardComponent verdict = new MathVerifier().score(g);
    ScoredGeneration verified =
        ScoredGeneration.newBuilder()
            .setGeneration(g)
            .setComponents(new ArrayList<>(List.of(verdict)))
            .setReward(null)
            .setRewardVersion(RewardComposition.UNCOMBINED)
            .setScoredAtMs(g.getCreatedAtMs())
            .build();
    return COMPOSITION.compose(verified).applyTo(verified);
  }

  private static GroupScoring majority(MajorityVote.Settings settings, RewardComposition rule) {
    return new GroupScoring(new MajorityVote(settings), rule);
  }

  private static List<Double> rewards(List<ScoredGeneration> members) {
    return members.stream().map(ScoredGeneration::getReward).toList();
  }

  @Test
  void withoutGroundTruthTheMajorityVoteBecomesTheReward() {
    List<ScoredGeneration> members =
        List.of(
            member(2, null, "\\boxed{18}"),
            member(0, null, "\\boxed{18}"),
            member(1, null, "\\boxed{20}"));
    assertThat(rewards(members)).containsOnlyNulls(); // math_equivalence: gold answer missing

    GroupScoring.Scored scored =
        majority(MajorityVote.Settings.defaults(), COMPOSITION).apply(members);

    assertThat(scored.vote()).isPresent();
    // Sample-index order, whatever the arrival order.
    assertThat(scored.members())
        .extracting(m -> m.getGeneration().getGenerationId())
        .containsExactly("g0", "g1", "g2");
    // self_consistency is a signal, weighed 0: the reward is exactly the vote.
    assertThat(rewards(scored.members())).containsExactly(1.0, 0.0, 1.0);
    assertThat(scored.members().get(0).getComponents())
        .extracting(RewardComponent::getName)
        .containsExactly(MathVerifier.NAME, MajorityVote.NAME, MajorityVote.AGREEMENT);
    assertThat(scored.members().get(0).getRewardVersion())
        .contains("majority_vote@majority-vote/1")
        .contains("self_consistency:0.0");
  }

  @Test
  void noClearMajorityLeavesTheMembersUnscored() {
    List<ScoredGeneration> members =
        List.of(member(0, null, "\\boxed{1}"), member(1, null, "\\boxed{2}"));

    GroupScoring.Scored scored =
        majority(MajorityVote.Settings.defaults(), COMPOSITION).apply(members);

    assertThat(rewards(scored.members())).containsOnlyNulls();
  }

  @Test
  void aGroupWithGroundTruthIsLeftAsItWasByDefault() {
    List<ScoredGeneration> members =
        List.of(member(0, "18", "\\boxed{18}"), member(1, "18", "\\boxed{20}"));

    GroupScoring.Scored scored =
        majority(MajorityVote.Settings.defaults(), COMPOSITION).apply(members);

    assertThat(scored.vote()).isEmpty();
    assertThat(scored.members()).isSameAs(members);
  }

  @Test
  void votingOnEveryGroupAveragesTheVoteWithTheVerifier() {
    // Two say 20 (wrong), one says 18 (right): the vote labels 20.
    List<ScoredGeneration> members =
        List.of(
            member(0, "18", "\\boxed{18}"),
            member(1, "18", "\\boxed{20}"),
            member(2, "18", "\\boxed{20}"));

    GroupScoring.Scored scored =
        majority(MajorityVote.Settings.defaults().withScope(MajorityVote.Scope.ALL), COMPOSITION)
            .apply(members);

    assertThat(rewards(scored.members())).containsExactly(0.5, 0.5, 0.5);
  }

  @Test
  void weightsNamingTheComponentsDecideHowTheyCount() {
    RewardComposition voteOnly =
        RewardComposition.of(
            new RewardComposition.Weights(
                Map.of(MajorityVote.NAME, 1.0, MajorityVote.AGREEMENT, 1.0), 0.0),
            RewardComposition.MissingRules.SKIP_ALL,
            List.of(),
            OverlongShaping.NONE);
    List<ScoredGeneration> members =
        List.of(
            member(0, "18", "\\boxed{18}"),
            member(1, "18", "\\boxed{20}"),
            member(2, "18", "\\boxed{20}"));

    GroupScoring.Scored scored =
        majority(MajorityVote.Settings.defaults().withScope(MajorityVote.Scope.ALL), voteOnly)
            .apply(members);

    // (vote + agreement) / 2: (0 + 1/3) / 2 and (1 + 2/3) / 2.
    assertThat(rewards(scored.members()).get(0)).isCloseTo(1.0 / 6, Assertions.within(1e-12));
    assertThat(rewards(scored.members()).get(1)).isCloseTo(5.0 / 6, Assertions.within(1e-12));
  }

  @Test
  void scoringAGroupTwiceGivesTheSameMembers() {
    GroupScoring scoring = majority(MajorityVote.Settings.defaults(), COMPOSITION);
    List<ScoredGeneration> once =
        scoring
            .apply(List.of(member(0, null, "\\boxed{3}"), member(1, null, "\\boxed{3}")))
            .members();

    assertThat(scoring.apply(once).members()).isEqualTo(once);
  }

  @Test
  void noScoringPassesTheGroupUnchanged() {
    List<ScoredGeneration> members = List.of(member(0, null, "\\boxed{3}"));

    assertThat(GroupScoring.NONE.enabled()).isFalse();
    assertThat(GroupScoring.NONE.apply(members).members()).isSameAs(members);
  }
}
