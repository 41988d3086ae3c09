package io.lodestar.operators.preference;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.schema.PairSource;
import org.junit.jupiter.api.Test;

/**
 * Pins pair and example ids to literal values, computed outside the code under test (SHA-256 of the
 * NUL-joined parts, first 16 bytes in hex). Consumers de-duplicate replays by these ids, across
 * versions of the pipeline: a change to the scheme must show up here as a deliberate edit.
 */
class PreferenceIdsTest {

  @Test
  void pairIdsAreStableAcrossVersions() {
    assertThat(PreferenceExamples.pairId(PairSource.VOTE, "gen-a", "gen-b"))
        .isEqualTo("pair-43ccc5e2a304cd2d4aa86a5455d6224d");
    assertThat(PreferenceExamples.pairId(PairSource.REWARD_MARGIN, "gen-a", "gen-b"))
        .isEqualTo("pair-773d0744f1fd4efee8414266fe38e39f");
    assertThat(PreferenceExamples.pairId(PairSource.EDIT, "edit:fb-7", "gen-a"))
        .isEqualTo("pair-f81b372f96afbc88ba5911d35e933a74");
  }

  @Test
  void pairIdsHashIdsAsUtf8() {
    assertThat(PreferenceExamples.pairId(PairSource.THUMBS, "gén-ü", "gen-b"))
        .isEqualTo("pair-57ea2ab973cf272804c0804a942a6b65");
  }

  @Test
  void swappingChosenAndRejectedGivesAnotherPair() {
    assertThat(PreferenceExamples.pairId(PairSource.VOTE, "gen-b", "gen-a"))
        .isEqualTo("pair-161bbaab215981136586f9dd12ceb398");
  }

  @Test
  void idsOfPairsAndExamplesMadeByOneFeedbackEventAlsoNameTheEvent() {
    assertThat(PreferenceExamples.pairId(PairSource.VOTE, "gen-a", "gen-b", "fb-1"))
        .isEqualTo("pair-dae6fbc0bbe07c1ab2aa4a09c45b884d");
    assertThat(PreferenceExamples.pairId(PairSource.VOTE, "gen-a", "gen-b", "fb-2"))
        .isEqualTo("pair-d862421959b12573e9164bfa1bdab1e3");
    assertThat(PreferenceExamples.pairId(PairSource.REGENERATE, "gen-b", "gen-a", "fb-9"))
        .isEqualTo("pair-b64b36dbe142d598c1c23192a3f9720c");
    assertThat(PreferenceExamples.exampleId(PairSource.VOTE, "gen-a", false, "fb-1"))
        .isEqualTo("example-283b4ce30f996101ca2372a36f3d6760");
    assertThat(PreferenceExamples.exampleId(PairSource.REGENERATE, "gen-a", false, "fb-9"))
        .isEqualTo("example-ca926fc9b152738e23dfcc508d174ce2");
  }

  @Test
  void exampleIdsAreStableAcrossVersionsAndDifferByLabel() {
    assertThat(PreferenceExamples.exampleId(PairSource.THUMBS, "gen-a", true))
        .isEqualTo("example-436e006d610b24af76b73a1af032fd77");
    assertThat(PreferenceExamples.exampleId(PairSource.THUMBS, "gen-a", false))
        .isEqualTo("example-852711371211d5554064025023202638");
  }
}
