package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.schema.TaskKind;
import org.junit.jupiter.api.Test;

class MajorityVoteOptionsTest {

  @Test
  void theMajorityVoteIsOffByDefault() {
    assertThat(LodestarOptions.fromArgs(new String[0]).groupScoring()).isSameAs(GroupScoring.NONE);
  }

  @Test
  void enablingItTakesEveryKeyIntoItsSettings() {
    GroupScoring scoring =
        LodestarOptions.fromArgs(
                new String[] {
                  "--majority.enabled", "true",
                  "--majority.min-share", "0.6",
                  "--majority.scope", "all",
                  "--majority.max-comparisons", "32",
                  "--majority.task-kinds", "math, chat"
                })
            .groupScoring();

    MajorityVote.Settings settings = scoring.majorityVote().orElseThrow().settings();
    assertThat(settings.minShare()).isEqualTo(0.6);
    assertThat(settings.scope()).isEqualTo(MajorityVote.Scope.ALL);
    assertThat(settings.maxComparisons()).isEqualTo(32);
    assertThat(settings.taskKinds()).containsExactlyInAnyOrder(TaskKind.MATH, TaskKind.CHAT);
  }

  @Test
  void aMinimumShareOfExactlyOneIsAllowed() {
    GroupScoring scoring =
        LodestarOptions.fromArgs(
                new String[] {"--majority.enabled", "true", "--majority.min-share", "1"})
            .groupScoring();

    assertThat(scoring.majorityVote().orElseThrow().settings().minShare()).isEqualTo(1.0);
  }

  @Test
  void badValuesFailAtStartUpNamingTheKeyEvenWhileTheVoteIsOff() {
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--majority.min-share", "0"}))
        .hasMessageContaining("majority.min-share must be in (0, 1], was 0.0");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--majority.min-share", "1.5"}))
        .hasMessageContaining("majority.min-share must be in (0, 1], was 1.5");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--majority.min-share", "half"}))
        .hasMessageContaining("majority.min-share");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--majority.scope", "some"}))
        .hasMessageContaining("majority.scope: unknown value 'some'");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--majority.max-comparisons", "-1"}))
        .hasMessageContaining("majority.max-comparisons must be at least 0, was -1");
    assertThatThrownBy(
            () -> LodestarOptions.fromArgs(new String[] {"--majority.task-kinds", "MATH,poetry"}))
        .hasMessageContaining("majority.task-kinds: unknown task kind 'poetry'");
    assertThatThrownBy(() -> LodestarOptions.fromArgs(new String[] {"--majority.enable", "true"}))
        .hasMessageContaining("unknown option 'majority.enable'");
  }
}
