package io.lodestar.operators.reward.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.TestRecords;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MajorityVoteTest {

  private static final MajorityVote DEFAULT = new MajorityVote(MajorityVote.Settings.defaults());

  private static List<Generation> group(TaskKind kind, String truth, String... responses) {
    List<Generation> members = new ArrayList<>();
    for (int i = 0; i < responses.length; i++) {
      members.add(
          TestRecords.generation("g" + i)
              .setSampleIndex(i)
              .setResponse(responses[i])
              .setTask(
                  TaskMetadata.newBuilder()
                      .setDataSource("unlabelled")
                      .setKind(kind)
                      .setGroundTruth(truth)
                      .build())
              .build());
    }
    return members;
  }

  private static List<Generation> math(String... responses) {
    return group(TaskKind.MATH, null, responses);
  }

  private static List<Double> values(List<RewardComponent> components) {
    return components.stream().map(RewardComponent::getValue).toList();
  }

  private static List<RewardStatus> statuses(List<RewardComponent> components) {
    return components.stream().map(RewardComponent::getStatus).toList();
  }

  @Test
  void equivalentAnswersWrittenDifferentlyFormTheMajorityAndScoreOne() {
    MajorityVote.Vote vote =
        DEFAULT.vote(
            math(
                "So the total is \\boxed{18}.",
                "Final answer: \\boxed{18.0}",
                "We get \\boxed{\\frac{36}{2}}",
                "\\boxed{20}"));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
    assertThat(vote.share()).isEqualTo(0.75);
    assertThat(values(vote.majority())).containsExactly(1.0, 1.0, 1.0, 0.0);
    assertThat(statuses(vote.majority())).containsOnly(RewardStatus.OK);
    assertThat(vote.majority().get(0).getDetail()).isEqualTo("share=3/4 clusters=2 label=18");
    assertThat(vote.majority().get(0).getName()).isEqualTo(MajorityVote.NAME);
    assertThat(vote.majority().get(0).getVersion()).isEqualTo(MajorityVote.VERSION);
    assertThat(values(vote.agreement())).containsExactly(0.75, 0.75, 0.75, 0.25);
    assertThat(vote.agreement().get(3).getDetail()).isEqualTo("agreeing=1/4");
  }

  @Test
  void lookAlikeAnswersThatDifferStayApart() {
    MajorityVote.Vote vote =
        DEFAULT.vote(
            math(
                "\\boxed{0.3}",
                "\\boxed{0.30000000000000004}",
                "\\boxed{x^2}",
                "\\boxed{x^2+10^{-12}x}"));

    assertThat(vote.clusters().clusterCount()).isEqualTo(4);
    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.NO_MAJORITY);
  }

  @Test
  void aTieForTheLargestClusterLeavesEveryMemberUnscorable() {
    MajorityVote.Vote vote =
        DEFAULT.vote(math("\\boxed{5}", "\\boxed{7}", "\\boxed{5}", "\\boxed{7}"));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.NO_MAJORITY);
    assertThat(vote.share()).isEqualTo(0.5);
    assertThat(statuses(vote.majority())).containsOnly(RewardStatus.UNSCORABLE);
    assertThat(values(vote.majority())).containsOnlyNulls();
    assertThat(vote.majority().get(0).getDetail())
        .isEqualTo("no clear majority; share=2/4 clusters=2");
    // Agreement does not need a majority.
    assertThat(values(vote.agreement())).containsExactly(0.5, 0.5, 0.5, 0.5);
  }

  @Test
  void aMemberWithoutAnAnswerIsUnscorableAndStillCountsInTheShare() {
    MajorityVote.Vote vote =
        DEFAULT.vote(math("\\boxed{3}", "I could not work this out.", "\\boxed{3}", "\\boxed{4}"));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
    assertThat(vote.share()).isEqualTo(0.5);
    assertThat(values(vote.majority())).containsExactly(1.0, null, 1.0, 0.0);
    assertThat(statuses(vote.majority()))
        .containsExactly(
            RewardStatus.OK, RewardStatus.UNSCORABLE, RewardStatus.OK, RewardStatus.OK);
    assertThat(vote.majority().get(1).getDetail()).startsWith("no answer; share=2/4");
    assertThat(vote.agreement().get(1).getStatus()).isEqualTo(RewardStatus.UNSCORABLE);
    assertThat(vote.agreement().get(1).getValue()).isNull();
  }

  @Test
  void aGroupWithNoAnswerAtAllHasNoLabel() {
    MajorityVote.Vote vote = DEFAULT.vote(math("I don't know.", "", "Hmm."));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.NO_ANSWERS);
    assertThat(statuses(vote.majority())).containsOnly(RewardStatus.UNSCORABLE);
    assertThat(vote.clusters().clusterCount()).isZero();
  }

  @Test
  void theMinimumShareIsInclusiveExactlyAtTheBoundary() {
    List<Generation> threeOfFive =
        math("\\boxed{1}", "\\boxed{1}", "\\boxed{1}", "\\boxed{2}", "\\boxed{3}");
    MajorityVote atBoundary = new MajorityVote(MajorityVote.Settings.defaults().withMinShare(0.6));
    MajorityVote justAbove =
        new MajorityVote(MajorityVote.Settings.defaults().withMinShare(0.6000000000000001));

    assertThat(atBoundary.vote(threeOfFive).outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
    assertThat(justAbove.vote(threeOfFive).outcome()).isEqualTo(MajorityVote.Outcome.NO_MAJORITY);
    assertThat(statuses(justAbove.vote(threeOfFive).majority()))
        .containsOnly(RewardStatus.UNSCORABLE);

    List<Generation> threeOfFour = math("\\boxed{1}", "\\boxed{1}", "\\boxed{1}", "\\boxed{2}");
    MajorityVote threeQuarters =
        new MajorityVote(MajorityVote.Settings.defaults().withMinShare(0.75));
    assertThat(threeQuarters.vote(threeOfFour).outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
  }

  @Test
  void sixtyFourMembersAreClusteredWithinTheComparisonAllowance() {
    String[] responses = new String[64];
    for (int i = 0; i < 64; i++) {
      // 40 say 12 in four spellings, 24 give 24 distinct wrong answers.
      responses[i] =
          i < 40
              ? List.of(
                      "\\boxed{12}",
                      "\\boxed{12.0}",
                      "\\boxed{\\frac{24}{2}}",
                      "\\boxed{2 \\cdot 6}")
                  .get(i % 4)
              : "\\boxed{" + (100 + i) + "}";
    }
    MajorityVote.Vote vote = DEFAULT.vote(math(responses));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
    assertThat(vote.clusters().largestSize()).isEqualTo(40);
    assertThat(vote.clusters().clusterCount()).isEqualTo(25);
    // Three new spellings of 12, then 24 answers each compared with at most the 12-cluster and
    // the clusters before it.
    assertThat(vote.clusters().comparisons())
        .isLessThanOrEqualTo(MajorityVote.Settings.DEFAULT_MAX_COMPARISONS);
    assertThat(vote.clusters().capped()).isTrue();
    assertThat(values(vote.majority()).subList(0, 40)).containsOnly(1.0);
    assertThat(values(vote.majority()).subList(40, 64)).containsOnly(0.0);
  }

  @Test
  void sixtyFourAgreeingMembersNeedOnlyTheComparisonsOfTheirDistinctSpellings() {
    String[] responses = new String[64];
    for (int i = 0; i < 64; i++) {
      responses[i] = i % 2 == 0 ? "\\boxed{\\frac{1}{2}}" : "\\boxed{0.5}";
    }
    MajorityVote.Vote vote = DEFAULT.vote(math(responses));

    assertThat(vote.share()).isEqualTo(1.0);
    assertThat(vote.clusters().comparisons()).isEqualTo(1);
  }

  @Test
  void otherTasksClusterByNormalisedExactMatch() {
    MajorityVote.Vote vote =
        DEFAULT.vote(
            group(
                TaskKind.CHAT,
                null,
                "Paris.",
                "<think>capital of France</think>  PARIS !",
                "paris",
                "Lyon",
                "Ｐａｒｉｓ"));

    assertThat(vote.outcome()).isEqualTo(MajorityVote.Outcome.LABELLED);
    assertThat(values(vote.majority())).containsExactly(1.0, 1.0, 1.0, 0.0, 1.0);
    assertThat(vote.clusters().comparisons()).isZero();
  }

  @Test
  void textAnswersAreNormalisedButNotRewritten() {
    assertThat(MajorityVote.normalisedText("  The  Answer\nis  B.  ")).hasValue("the answer is b");
    assertThat(MajorityVote.normalisedText("<think>x</think>   ")).isEmpty();
    assertThat(MajorityVote.normalisedText("1,000")).hasValue("1,000");
  }

  @Test
  void groupsWithGroundTruthAreVotedOnlyWhenAllGroupsAreChosen() {
    List<Generation> labelled = group(TaskKind.MATH, "42", "\\boxed{42}", "\\boxed{42}");
    List<Generation> unlabelled = math("\\boxed{42}", "\\boxed{42}");
    List<Generation> blankTruth = group(TaskKind.MATH, "  ", "\\boxed{42}");
    MajorityVote all =
        new MajorityVote(MajorityVote.Settings.defaults().withScope(MajorityVote.Scope.ALL));

    assertThat(DEFAULT.appliesTo(labelled)).isFalse();
    assertThat(DEFAULT.appliesTo(unlabelled)).isTrue();
    assertThat(DEFAULT.appliesTo(blankTruth)).isTrue();
    assertThat(all.appliesTo(labelled)).isTrue();
  }

  @Test
  void onlyTheChosenTaskKindsAreVotedOn() {
    MajorityVote mathOnly =
        new MajorityVote(MajorityVote.Settings.defaults().withTaskKinds(Set.of(TaskKind.MATH)));

    assertThat(mathOnly.appliesTo(math("\\boxed{1}"))).isTrue();
    assertThat(mathOnly.appliesTo(group(TaskKind.CHAT, null, "hi"))).isFalse();
  }

  @Test
  void settingsRefuseAShareOutsideZeroToOne() {
    assertThatThrownBy(() -> MajorityVote.Settings.defaults().withMinShare(0))
        .hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> MajorityVote.Settings.defaults().withMinShare(1.01))
        .hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> MajorityVote.Settings.defaults().withMinShare(Double.NaN))
        .hasMessageContaining("(0, 1]");
    assertThat(MajorityVote.Scope.fromId(" No-Ground-Truth "))
        .isEqualTo(MajorityVote.Scope.NO_GROUND_TRUTH);
    assertThatThrownBy(() -> MajorityVote.Scope.fromId("some"))
        .hasMessageContaining("no-ground-truth or all");
  }
}
