package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.DeadLetters;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.group.SetAsideGroups;
import io.lodestar.schema.Alert;
import io.lodestar.schema.AlertState;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.SetAsideReason;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded job's set-aside output (filtered-groups): every group that does not reach a batch is
 * there once, saying why, and what the health gate still holds at the end of input is among them.
 */
class SetAsideGroupsITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** The start of a one-minute health window. */
  private static final long T0 = 28_333_333L * 60_000L;

  private static final String RIGHT = "6 times 7 is 42.";
  private static final String WRONG = "It is 41, I think.";

  @TempDir Path dir;

  @Test
  void zeroVarianceAlarmFiresOnGroupsThatGroupFilterSetsAside() throws Exception {
    List<Generation> generations = new ArrayList<>();
    for (int g = 0; g < 12; g++) {
      generations.addAll(group("same-" + g, 5, T0 + g * 1_000L, true, RIGHT, RIGHT, RIGHT, RIGHT));
    }

    Path out =
        run(
            generations,
            "--group.filter",
            "verl",
            "--alarms.rules",
            "all-alike: zeroVarianceFraction > 0.8 and groups >= 10 for 1 windows");

    assertThat(read(out, "batches", RLBatch.class)).isEmpty();
    assertThat(read(out, "filtered-groups", RLGroup.class))
        .hasSize(12)
        .allSatisfy(g -> assertThat(g.getReason()).isEqualTo(SetAsideReason.FILTER));
    HealthMetrics row =
        read(out, "health-metrics", HealthMetrics.class).stream()
            .filter(m -> m.getDataSource().equals("fixture"))
            .collect(onlyOne());
    assertThat(row.getGroups()).isEqualTo(12);
    assertThat(row.getZeroVarianceGroups()).isEqualTo(12);
    assertThat(read(out, "alerts", Alert.class))
        .filteredOn(a -> a.getDataSource().equals("fixture"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getRuleId()).isEqualTo("all-alike");
              assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            });
  }

  @Test
  void whatTheGateStillHoldsWhenTheInputEndsGoesToFilteredGroupsAndDeadLettersAndNothingIsLost()
      throws Exception {
    List<Generation> generations = new ArrayList<>();
    List<String> groupIds = new ArrayList<>();
    for (int g = 0; g < 6; g++) {
      groupIds.add("mixed-" + g);
      generations.addAll(group("mixed-" + g, 5, T0 + g * 1_000L, true, RIGHT, WRONG, RIGHT, WRONG));
    }

    Path out =
        run(
            generations,
            "--gate.enabled",
            "true",
            "--gate.pairs",
            "true",
            "--preference.group-pairs",
            "best-worst",
            "--alarms.rules",
            "any-traffic: generations >= 1 for 1 windows gate");

    assertThat(read(out, "alerts", Alert.class))
        .isNotEmpty()
        .allSatisfy(a -> assertThat(a.getState()).isEqualTo(AlertState.FIRING));
    assertThat(read(out, "batches", RLBatch.class)).isEmpty();
    assertThat(read(out, "pairs", PreferencePair.class)).isEmpty();
    List<RLGroup> setAside = read(out, "filtered-groups", RLGroup.class);
    assertThat(setAside)
        .extracting(RLGroup::getGroupId)
        .containsExactlyInAnyOrderElementsOf(groupIds);
    assertThat(setAside)
        .allSatisfy(g -> assertThat(g.getReason()).isEqualTo(SetAsideReason.GATE_HELD_AT_END));
    List<DeadLetter> dead = read(out, "dead-letters", DeadLetter.class);
    assertThat(dead)
        .hasSize(groupIds.size())
        .allSatisfy(
            d -> {
              assertThat(d.getErrorKind()).isEqualTo(DeadLetters.GATE_HELD_AT_END);
              assertThat(d.getOrigin()).isEqualTo("gate.pairs");
            });
  }

  @Test
  void everySetAsideGroupSaysWhyAndARefusedOneCarriesNoAdvantages() throws Exception {
    List<Generation> generations = new ArrayList<>();
    generations.addAll(group("varied", 5, T0, true, RIGHT, WRONG));
    generations.addAll(group("same", 5, T0 + 1_000, true, RIGHT, RIGHT));
    generations.addAll(group("lonely", 5, T0 + 2_000, true, RIGHT));
    generations.addAll(group("private", 5, T0 + 3_000, false, RIGHT, WRONG));
    // Closes after a group of version 5 settled: four versions behind, more than the allowed lag.
    generations.addAll(group("old", 1, T0 + 10_000, true, RIGHT, WRONG));

    Path out =
        run(
            generations,
            "--group.filter",
            "verl",
            "--advantage.compat",
            "trl",
            "--staleness.max-lag",
            "1");

    List<String> batched = new ArrayList<>();
    read(out, "batches", RLBatch.class)
        .forEach(b -> b.getGroups().forEach(g -> batched.add(g.getGroupId())));
    assertThat(batched).containsExactly("varied");
    Map<String, RLGroup> setAside =
        read(out, "filtered-groups", RLGroup.class).stream()
            .collect(
                Collectors.toMap(RLGroup::getGroupId, g -> g, (a, b) -> a, LinkedHashMap::new));
    assertThat(setAside).hasSize(4);
    assertThat(setAside.get("same").getReason()).isEqualTo(SetAsideReason.FILTER);
    assertThat(setAside.get("lonely").getReason()).isEqualTo(SetAsideReason.TRAINER_REFUSED);
    assertThat(setAside.get("private").getReason()).isEqualTo(SetAsideReason.NO_CONSENT);
    assertThat(setAside.get("old").getReason()).isEqualTo(SetAsideReason.STALE);
    RLGroup lonely = setAside.get("lonely");
    assertThat(lonely.getEstimator()).isEqualTo(SetAsideGroups.NO_ESTIMATOR);
    assertThat(lonely.getEstimatorParams()).containsEntry(SetAsideGroups.REFUSED_BY_COMPAT, "trl");
    assertThat(lonely.getSamples()).extracting(RLSample::getAdvantage).containsOnly(0.0);
    assertThat(lonely.getSamples()).extracting(RLSample::getReward).containsExactly(1.0);
  }

  private Path run(List<Generation> generations, String... args) throws Exception {
    Path input = dir.resolve("generations.jsonl");
    Files.write(input, generations.stream().map(PlainJson::toJsonString).toList());
    Path out = dir.resolve("out");
    BoundedJob.run(new BoundedJob.Inputs(input, null, out), LodestarOptions.fromArgs(args));
    return out;
  }

  /** One group of a math prompt, its members a millisecond apart, one per response. */
  private static List<Generation> group(
      String id, long policyVersion, long createdAtMs, boolean consent, String... responses) {
    List<Generation> members = new ArrayList<>();
    for (int i = 0; i < responses.length; i++) {
      members.add(
          Generation.newBuilder()
              .setGenerationId(id + "-" + i)
              .setPromptId(id)
              .setGroupId(id)
              .setExpectedGroupSize(responses.length)
              .setSampleIndex(i)
              .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
              .setResponse(responses[i])
              .setTask(
                  TaskMetadata.newBuilder()
                      .setDataSource("fixture")
                      .setKind(TaskKind.MATH)
                      .setGroundTruth("42")
                      .build())
              .setPolicy(
                  Policy.newBuilder().setModelId("m").setPolicyVersion(policyVersion).build())
              .setCreatedAtMs(createdAtMs + i)
              .setConsentToTrain(consent)
              .build());
    }
    return members;
  }

  private static <T extends SpecificRecordBase> List<T> read(Path out, String output, Class<T> type)
      throws IOException {
    return JsonLinesTestFiles.read(out.resolve(output), type);
  }

  private static <T> Collector<T, ?, T> onlyOne() {
    return Collectors.collectingAndThen(
        Collectors.toList(),
        list -> {
          assertThat(list).hasSize(1);
          return list.get(0);
        });
  }
}
