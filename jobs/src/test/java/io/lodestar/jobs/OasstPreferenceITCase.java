package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.preference.PreferenceExamples;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real human rankings and thumbs (OpenAssistant) through the pipeline in bounded mode. */
class OasstPreferenceITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path work;

  @Test
  void everyRankedSiblingGroupYieldsExactlyItsImpliedPairsAndEveryThumbIsAccountedFor()
      throws Exception {
    Path trees = BoundedJobITCase.testData().resolve("oasst/en_100_tree.jsonl");
    OasstConversations.Converted data = OasstConversations.read(trees);
    Path generations = work.resolve("generations.jsonl");
    Path feedback = work.resolve("feedback.jsonl");
    OasstConversations.write(data.generations, generations);
    OasstConversations.write(data.feedback, feedback);
    Path out = work.resolve("out");

    // Rankings are ratings on [0, maxRank]: any gap counts, and no cap may cut a ranking short.
    BoundedJob.run(
        new BoundedJob.Inputs(generations, feedback, out),
        LodestarOptions.fromArgs(
            new String[] {
              "--preference.rating-gap",
              "0",
              "--preference.max-pairs-per-prompt",
              "1000",
              "--export.preference-formats",
              ""
            }));

    List<PreferencePair> pairs = read(out, "pairs", PreferencePair.class);
    List<UnpairedExample> unpaired = read(out, "unpaired", UnpairedExample.class);
    List<DeadLetter> deadLetters = read(out, "dead-letters", DeadLetter.class);

    Set<String> expectedRatingPairs = new HashSet<>();
    for (Map<String, Integer> ranking : data.rankings.values()) {
      ranking.forEach(
          (better, betterRank) ->
              ranking.forEach(
                  (worse, worseRank) -> {
                    if (betterRank < worseRank) {
                      expectedRatingPairs.add(
                          PreferenceExamples.pairId(PairSource.RATING, better, worse));
                    }
                  }));
    }
    assertThat(data.rankings).hasSizeGreaterThan(50);
    assertThat(pairs)
        .filteredOn(p -> p.getSource() == PairSource.RATING)
        .extracting(PreferencePair::getPairId)
        .containsExactlyInAnyOrderElementsOf(expectedRatingPairs);

    // Thumbs: each reply's thumbs sum to a label; within one prompt every liked reply beats every
    // disliked one.
    Set<String> expectedThumbPairs = new HashSet<>();
    Set<String> expectedLoneLabels = new HashSet<>();
    Set<String> conflicted = new HashSet<>();
    for (Map.Entry<String, int[]> e : data.thumbs.entrySet()) {
      int[] c = e.getValue();
      if (c[0] == c[1]) {
        conflicted.add(e.getKey());
        continue;
      }
      boolean liked = c[0] > c[1];
      boolean opposed = false;
      for (Map.Entry<String, int[]> other : data.thumbs.entrySet()) {
        int[] o = other.getValue();
        boolean sameprompt =
            data.promptOf.get(other.getKey()).equals(data.promptOf.get(e.getKey()));
        if (sameprompt && o[0] != o[1] && (o[0] > o[1]) != liked) {
          opposed = true;
          if (liked) {
            expectedThumbPairs.add(
                PreferenceExamples.pairId(PairSource.THUMBS, e.getKey(), other.getKey()));
          }
        }
      }
      if (!opposed) {
        expectedLoneLabels.add(PreferenceExamples.exampleId(PairSource.THUMBS, e.getKey(), liked));
      }
    }
    assertThat(pairs)
        .filteredOn(p -> p.getSource() == PairSource.THUMBS)
        .extracting(PreferencePair::getPairId)
        .containsExactlyInAnyOrderElementsOf(expectedThumbPairs);
    assertThat(unpaired)
        .extracting(UnpairedExample::getExampleId)
        .containsExactlyInAnyOrderElementsOf(expectedLoneLabels);

    Set<String> accounted = new HashSet<>();
    pairs.stream()
        .filter(p -> p.getSource() == PairSource.THUMBS)
        .forEach(p -> accounted.addAll(p.getProvenance().getFeedbackIds()));
    unpaired.forEach(u -> accounted.addAll(u.getProvenance().getFeedbackIds()));
    conflicted.forEach(id -> accounted.addAll(data.thumbIdsByGeneration.get(id)));
    deadLetters.stream()
        .filter(d -> DeadLetters.UNMATCHED_FEEDBACK.equals(d.getErrorKind()))
        .forEach(d -> accounted.add(d.getRecordId()));
    List<String> everyThumb = new ArrayList<>(data.thumbIdsOnPrompterMessages);
    data.thumbIdsByGeneration.values().forEach(everyThumb::addAll);
    assertThat(everyThumb).hasSizeGreaterThan(1000);
    assertThat(accounted).containsAll(everyThumb);
    assertThat(deadLetters)
        .filteredOn(d -> DeadLetters.UNMATCHED_FEEDBACK.equals(d.getErrorKind()))
        .extracting(DeadLetter::getRecordId)
        .containsExactlyInAnyOrderElementsOf(data.thumbIdsOnPrompterMessages);
  }

  private static <T extends SpecificRecordBase> List<T> read(Path dir, String output, Class<T> type)
      throws IOException {
    return JsonLinesTestFiles.read(dir.resolve(output), type);
  }
}
