package io.lodestar.operators.reward.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lodestar.operators.TestRecords;
import io.lodestar.operators.advantage.GroupAdvantages;
import io.lodestar.operators.verify.TestDataFiles;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How good a reward the majority vote is, on the 250 real groups of {@code
 * testdata/generations/groups.jsonl} (200 GSM8K groups of 4, 50 MATH groups of 8), voted on as if
 * they had no ground truth and compared with their {@code correct} labels. Prints, by data set and
 * group size (MATH groups also cut to their first 4 and 2 members, GSM8K to 2) and by difficulty
 * (the group's true pass rate; the MATH level): how many groups got a label, how often the label is
 * the right answer, how often a member's {@code majority_vote} equals its true reward, and how
 * often the sign of its GRPO advantage from the vote equals the sign from the labels.
 */
class MajorityVoteRealGroupsTest {

  private static final MajorityVote VOTE = new MajorityVote(MajorityVote.Settings.defaults());
  private static final List<JsonNode> GROUPS = TestDataFiles.jsonLines("generations/groups.jsonl");

  /** One group cut to its first {@code size} members, voted on. */
  private record Case(
      String dataSet, String level, int size, boolean[] correct, MajorityVote.Vote vote) {

    double passRate() {
      int right = 0;
      for (boolean c : correct) {
        right += c ? 1 : 0;
      }
      return (double) right / correct.length;
    }

    boolean labelled() {
      return vote.outcome() == MajorityVote.Outcome.LABELLED;
    }

    /** The label is right: the majority cluster's representative was judged correct. */
    boolean labelRight() {
      int winner = vote.clusters().uniqueLargest();
      return correct[vote.clusters().representatives()[winner]];
    }

    /** The majority cluster holds members the labels call right and members they call wrong. */
    boolean labelsSplitTheMajority() {
      int winner = vote.clusters().uniqueLargest();
      boolean right = false;
      boolean wrong = false;
      for (int i = 0; i < correct.length; i++) {
        if (vote.clusters().clusterOf()[i] == winner) {
          right |= correct[i];
          wrong |= !correct[i];
        }
      }
      return right && wrong;
    }
  }

  /** Sums over a set of cases. */
  private static final class Tally {
    int groups;
    int labelled;
    int labelRight;
    int split;
    int members;
    int rewardScored;
    int rewardEqual;
    int signEqual;

    void add(Case c) {
      groups++;
      if (c.labelled()) {
        labelled++;
        labelRight += c.labelRight() ? 1 : 0;
        split += c.labelsSplitTheMajority() ? 1 : 0;
      }
      Double[] pseudo = new Double[c.size()];
      Double[] truth = new Double[c.size()];
      for (int i = 0; i < c.size(); i++) {
        RewardComponent vote = c.vote().majority().get(i);
        pseudo[i] = vote.getStatus() == RewardStatus.OK ? vote.getValue() : null;
        truth[i] = c.correct()[i] ? 1.0 : 0.0;
        members++;
        if (pseudo[i] != null) {
          rewardScored++;
          rewardEqual += pseudo[i].equals(truth[i]) ? 1 : 0;
        }
      }
      double[] fromVote = GroupAdvantages.grpo(pseudo, GroupAdvantages.VERL_EPS).advantages();
      double[] fromTruth = GroupAdvantages.grpo(truth, GroupAdvantages.VERL_EPS).advantages();
      for (int i = 0; i < c.size(); i++) {
        signEqual += Math.signum(fromVote[i]) == Math.signum(fromTruth[i]) ? 1 : 0;
      }
    }

    String row(String name) {
      return String.format(
          Locale.ROOT,
          "| %-22s | %6d | %5.1f%% | %6s | %5.1f%% | %5.1f%% | %5.1f%% |",
          name,
          groups,
          percent(labelled, groups),
          labelled == 0
              ? "-"
              : String.format(Locale.ROOT, "%5.1f%%", percent(labelRight, labelled)),
          percent(rewardEqual, members),
          rewardScored == 0 ? 0 : percent(rewardEqual, rewardScored),
          percent(signEqual, members));
    }
  }

  private static double percent(int part, int whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }

  private static List<Case> cases() {
    return cases(VOTE, false);
  }

  /** Every group voted on by {@code vote}; also cut to smaller sizes unless {@code fullOnly}. */
  private static List<Case> cases(MajorityVote vote, boolean fullOnly) {
    List<Case> cases = new ArrayList<>();
    for (JsonNode group : GROUPS) {
      String id = group.path("group_id").asText();
      String dataSet = id.startsWith("math") ? "MATH" : "GSM8K";
      String level = group.path("level").asText("");
      JsonNode samples = group.path("generations");
      int full = samples.size();
      for (int size : fullOnly ? List.of(full) : List.of(full, full / 2, full / 4)) {
        if (size < 2) {
          continue;
        }
        List<Generation> members = new ArrayList<>();
        boolean[] correct = new boolean[size];
        for (int i = 0; i < size; i++) {
          JsonNode s = samples.get(i);
          correct[i] = s.path("correct").asBoolean();
          members.add(
              TestRecords.generation(id + "-" + i)
                  .setGroupId(id)
                  .setSampleIndex(i)
                  .setResponse(s.path("text").asText())
                  .setTask(
                      TaskMetadata.newBuilder()
                          .setDataSource(dataSet)
                          .setKind(TaskKind.MATH)
                          .setGroundTruth(null)
                          .build())
                  .build());
        }
        cases.add(new Case(dataSet, level, size, correct, vote.vote(members)));
      }
    }
    return cases;
  }

  private static String difficulty(Case c) {
    double rate = c.passRate();
    if (rate == 0) {
      return "none right";
    }
    if (rate < 0.5) {
      return "under half right";
    }
    if (rate < 1) {
      return "half or more right";
    }
    return "all right";
  }

  @Test
  void printsHowOftenTheMajorityVoteAgreesWithTheLabels() {
    List<Case> cases = cases();
    Map<String, Tally> bySize = new LinkedHashMap<>();
    Map<String, Tally> byDifficulty = new LinkedHashMap<>();
    Map<String, Tally> byLevel = new LinkedHashMap<>();
    Tally whole = new Tally();
    for (String d : List.of("none right", "under half right", "half or more right", "all right")) {
      byDifficulty.put(d, new Tally());
    }
    for (Case c : cases) {
      bySize.computeIfAbsent(c.dataSet() + " K=" + c.size(), k -> new Tally()).add(c);
      boolean fullGroup = c.size() == (c.dataSet().equals("MATH") ? 8 : 4);
      if (fullGroup) {
        whole.add(c);
        byDifficulty.get(difficulty(c)).add(c);
        if (!c.level().isEmpty()) {
          byLevel.computeIfAbsent("MATH " + c.level(), k -> new Tally()).add(c);
        }
      }
    }
    StringBuilder table = new StringBuilder();
    String header =
        "| %-22s | groups | labelled | label right | reward = truth (all) | (scored) | adv. sign = truth |";
    table.append(String.format(Locale.ROOT, header, "groups")).append('\n');
    table.append("|---|---|---|---|---|---|---|\n");
    bySize.forEach((name, t) -> table.append(t.row(name)).append('\n'));
    table.append(whole.row("all, full groups")).append('\n');
    table.append("| by difficulty (full groups) | | | | | | |\n");
    byDifficulty.forEach((name, t) -> table.append(t.row(name)).append('\n'));
    byLevel.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> table.append(e.getValue().row(e.getKey())).append('\n'));
    System.out.println("Majority vote (min-share 0.5) against the labels:\n" + table);
    System.out.println(
        "Labelled full groups whose majority cluster the labels split (right and wrong members): "
            + whole.split
            + " of "
            + whole.labelled);

    // Sanity, not a target: most labels are right, and a right label gives the true reward.
    assertThat(whole.groups).isEqualTo(250);
    assertThat(whole.labelRight).isGreaterThan(whole.labelled / 2);
    assertThat(byDifficulty.get("all right").labelRight)
        .isEqualTo(byDifficulty.get("all right").labelled);
    assertThat(byDifficulty.get("none right").labelRight).isZero();
  }

  @Test
  void printsHowTheMinimumShareTradesLabelledGroupsForRightLabels() {
    StringBuilder table = new StringBuilder();
    table
        .append(
            String.format(
                Locale.ROOT,
                "| %-22s | groups | labelled | label right | reward = truth (all) | (scored) | adv. sign = truth |",
                "full groups"))
        .append('\n');
    table.append("|---|---|---|---|---|---|---|\n");
    List<Tally> tallies = new ArrayList<>();
    for (double minShare : List.of(0.25, 0.5, 0.6, 0.75, 1.0)) {
      MajorityVote vote = new MajorityVote(MajorityVote.Settings.defaults().withMinShare(minShare));
      Tally tally = new Tally();
      cases(vote, true).forEach(tally::add);
      tallies.add(tally);
      table.append(tally.row("min-share " + minShare)).append('\n');
    }
    System.out.println("Majority vote by minimum share, full groups:\n" + table);

    // A higher bar labels no more groups.
    for (int i = 1; i < tallies.size(); i++) {
      assertThat(tallies.get(i).labelled).isLessThanOrEqualTo(tallies.get(i - 1).labelled);
    }
  }
}
