package io.lodestar.operators.reward.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerClustersTest {

  /** Integers written as text; "same" when their values are equal. Counts every comparison. */
  private static final class CountingValues implements AnswerClusters.Sameness<String> {
    final List<String> compared = new ArrayList<>();

    @Override
    public boolean same(String representative, String other) {
      compared.add(representative + "~" + other);
      return Integer.parseInt(representative.trim()) == Integer.parseInt(other.trim());
    }
  }

  @Test
  void answersWithTheSameKeyJoinAClusterWithoutAComparison() {
    CountingValues values = new CountingValues();
    AnswerClusters.Result r =
        AnswerClusters.cluster(List.of("4", "4", "4", "4"), a -> a, values, 10);

    assertThat(r.clusterCount()).isEqualTo(1);
    assertThat(r.sizes()).containsExactly(4);
    assertThat(values.compared).isEmpty();
  }

  @Test
  void aNewAnswerIsComparedOnlyWithClusterRepresentativesLargestFirst() {
    CountingValues values = new CountingValues();
    AnswerClusters.Result r =
        AnswerClusters.cluster(List.of("7", "3", "3", " 3", "07", "5"), a -> a, values, 100);

    assertThat(r.clusterOf()).containsExactly(0, 1, 1, 1, 0, 2);
    assertThat(r.sizes()).containsExactly(2, 3, 1);
    assertThat(r.representatives()).containsExactly(0, 1, 5);
    // " 3" meets the cluster of 3 (size 2) before the one of 7 (size 1); "07" meets 3 first too.
    assertThat(values.compared).containsExactly("7~3", "3~ 3", "3~07", "7~07", "3~5", "7~5");
    assertThat(r.comparisons()).isEqualTo(6);
    assertThat(r.capped()).isFalse();
  }

  @Test
  void membersWithoutAnAnswerBelongToNoClusterAndAreNeverCompared() {
    CountingValues values = new CountingValues();
    List<String> answers = Arrays.asList(null, "2", null, "2");
    AnswerClusters.Result r = AnswerClusters.cluster(answers, a -> a, values, 10);

    assertThat(r.clusterOf())
        .containsExactly(AnswerClusters.NO_ANSWER, 0, AnswerClusters.NO_ANSWER, 0);
    assertThat(r.answered()).isEqualTo(2);
    assertThat(r.agreeing(0)).isZero();
    assertThat(r.agreeing(1)).isEqualTo(2);
    assertThat(values.compared).isEmpty();
  }

  @Test
  void whenTheComparisonsRunOutAnAnswerStartsItsOwnClusterAndNeverJoinsAWrongOne() {
    CountingValues values = new CountingValues();
    // Every answer equals 1, written differently; two comparisons allowed.
    AnswerClusters.Result r =
        AnswerClusters.cluster(List.of("1", "01", "001", "0001", "001"), a -> a, values, 2);

    assertThat(r.comparisons()).isEqualTo(2);
    assertThat(r.capped()).isTrue();
    // "01" and "001" joined by comparison; "0001" could not be compared; the second "001" joins
    // by its key.
    assertThat(r.clusterOf()).containsExactly(0, 0, 0, 1, 0);
    assertThat(r.largestSize()).isEqualTo(4);
  }

  @Test
  void aTieForTheLargestClusterHasNoUniqueLargest() {
    AnswerClusters.Result tie =
        AnswerClusters.cluster(List.of("1", "2", "2", "1"), a -> a, String::equals, 0);
    AnswerClusters.Result clear =
        AnswerClusters.cluster(List.of("1", "2", "2", "3"), a -> a, String::equals, 0);

    assertThat(tie.uniqueLargest()).isEqualTo(AnswerClusters.NO_ANSWER);
    assertThat(clear.uniqueLargest()).isEqualTo(1);
  }

  @Test
  void sixtyFourDistinctAnswersCostNoMoreThanTheAllowance() {
    CountingValues values = new CountingValues();
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      answers.add(Integer.toString(i));
    }
    AnswerClusters.Result r = AnswerClusters.cluster(answers, a -> a, values, 256);

    // Without the allowance every pair would be compared once: 64 * 63 / 2 = 2016.
    assertThat(values.compared).hasSize(256);
    assertThat(r.capped()).isTrue();
    assertThat(r.clusterCount()).isEqualTo(64);
  }

  @Test
  void aNegativeAllowanceIsRefused() {
    assertThatThrownBy(() -> AnswerClusters.cluster(List.of("1"), a -> a, String::equals, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxComparisons");
  }
}
