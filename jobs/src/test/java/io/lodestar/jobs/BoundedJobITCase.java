package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.serde.DecodeErrors;
import io.lodestar.connectors.serde.DecodeResult;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.connectors.serde.RecordCodec;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.operators.verify.code.CodeSandbox;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.GroupCompletion;
import io.lodestar.schema.HealthMetrics;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import io.lodestar.schema.ScoredGeneration;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.VoteOutcome;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline in BATCH mode over JSON Lines files. */
class BoundedJobITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path out;

  @Test
  void fixtureFilesProduceExactlyTheExpectedOutputs() throws Exception {
    BoundedJob.run(
        new BoundedJob.Inputs(
            resource("bounded/generations.jsonl"), resource("bounded/feedback.jsonl"), out),
        LodestarOptions.fromArgs(new String[0]));

    Map<String, Double> rewards = new HashMap<>();
    read("scored", ScoredGeneration.class)
        .forEach(s -> rewards.put(s.getGeneration().getGenerationId(), s.getReward()));
    assertThat(rewards)
        .containsExactlyInAnyOrderEntriesOf(Map.of("g1", 1.0, "g2", 0.0, "g3", 1.0, "g4", 0.0));

    // grp1 is policy version 3 and grp2 version 4: a batch never mixes versions.
    List<RLBatch> batches = new ArrayList<>(read("batches", RLBatch.class));
    batches.sort(Comparator.comparingLong(RLBatch::getSequence));
    assertThat(batches).extracting(RLBatch::getSequence).containsExactly(0L, 1L);
    assertThat(batches)
        .extracting(RLBatch::getBatchId)
        .allSatisfy(id -> assertThat(id).matches("m-[0-9a-f]{32}"));
    List<RLGroup> batched = new ArrayList<>();
    batches.forEach(b -> batched.addAll(b.getGroups()));
    assertThat(batched).extracting(RLGroup::getGroupId).containsExactly("grp1", "grp2");
    assertThat(batched)
        .extracting(RLGroup::getCompletion)
        .containsExactly(GroupCompletion.FULL, GroupCompletion.END_OF_INPUT);
    assertThat(batches).extracting(RLBatch::getMinPolicyVersion).containsExactly(3L, 4L);
    double expected = 0.5 / (Math.sqrt(0.5) + 1e-6);
    for (RLGroup group : batched) {
      assertThat(group.getSamples())
          .extracting(RLSample::getAdvantage)
          .satisfiesExactly(
              a -> assertThat(a).isCloseTo(expected, within(1e-12)),
              a -> assertThat(a).isCloseTo(-expected, within(1e-12)));
    }

    List<PreferencePair> pairs = read("pairs", PreferencePair.class);
    assertThat(pairs)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getChosenGenerationId()).isEqualTo("g1");
              assertThat(p.getRejectedGenerationId()).isEqualTo("g2");
              assertThat(p.getProvenance().getFeedbackIds()).containsExactly("f1");
            });

    List<DeadLetter> dead = read("dead-letters", DeadLetter.class);
    assertThat(dead)
        .extracting(DeadLetter::getErrorKind)
        .containsExactlyInAnyOrder(
            "UNRECOGNIZED_ENCODING", "INVALID", "INVALID", "UNMATCHED_FEEDBACK");
    assertThat(dead)
        .filteredOn(d -> "file:generations.jsonl".equals(d.getTopic()))
        .extracting(DeadLetter::getOffset)
        .containsExactlyInAnyOrder(4L, 5L);
  }

  @Test
  void realGsm8kAndMathGenerationsAreScoredInAgreementWithTheirLabels() throws Exception {
    Path groups = testData().resolve("generations/groups.jsonl");
    Path input = out.resolve("input.jsonl");
    Map<String, Boolean> labels = writeGenerations(groups, input);

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("result")),
        LodestarOptions.fromArgs(new String[] {"--batch.groups", "16"}));

    List<ScoredGeneration> scored =
        readFrom(out.resolve("result"), "scored", ScoredGeneration.class);
    assertThat(scored).hasSize(1200);
    List<String> disagreements = new ArrayList<>();
    int gsm8k = 0;
    for (ScoredGeneration s : scored) {
      String id = s.getGeneration().getGenerationId();
      gsm8k += id.startsWith("gsm8k") ? 1 : 0;
      if (!Boolean.valueOf(s.getReward() != null && s.getReward() == 1.0).equals(labels.get(id))) {
        disagreements.add(id + " reward=" + s.getReward() + " labelled=" + labels.get(id));
      }
    }
    assertThat(gsm8k).isEqualTo(800);
    assertThat(disagreements)
        .as("generations scored against their label, GSM8K and MATH")
        .isEmpty();

    List<RLGroup> allGroups = new ArrayList<>();
    readFrom(out.resolve("result"), "batches", RLBatch.class)
        .forEach(b -> allGroups.addAll(b.getGroups()));
    assertThat(allGroups).hasSize(250);
    for (RLGroup group : allGroups) {
      assertThat(group.getCompletion()).isEqualTo(GroupCompletion.FULL);
      assertAdvantagesFollowVerlGrpo(group);
    }
    assertThat(readFrom(out.resolve("result"), "dead-letters", DeadLetter.class)).isEmpty();
  }

  @Test
  void realGroupsWithoutGroundTruthTrainOnTheirMajorityAnswer() throws Exception {
    Path groups = testData().resolve("generations/groups.jsonl");
    Path input = out.resolve("input.jsonl");
    Map<String, Boolean> labels = writeGenerations(groups, input, false);

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("voted")),
        LodestarOptions.fromArgs(
            new String[] {"--batch.groups", "16", "--majority.enabled", "true"}));

    // The scored topic keeps the per-generation verdict: without a gold answer, unscored.
    List<ScoredGeneration> scored =
        readFrom(out.resolve("voted"), "scored", ScoredGeneration.class);
    assertThat(scored).hasSize(1200);
    assertThat(scored).allSatisfy(s -> assertThat(s.getReward()).isNull());

    List<RLGroup> allGroups = new ArrayList<>();
    readFrom(out.resolve("voted"), "batches", RLBatch.class)
        .forEach(b -> allGroups.addAll(b.getGroups()));
    assertThat(allGroups).hasSize(250);
    int labelled = 0;
    int samples = 0;
    int agreeWithLabels = 0;
    for (RLGroup group : allGroups) {
      boolean groupLabelled = false;
      for (RLSample sample : group.getSamples()) {
        RewardComponent vote =
            sample.getComponents().stream()
                .filter(c -> c.getName().equals(MajorityVote.NAME))
                .collect(onlyOne());
        assertThat(sample.getComponents())
            .extracting(RewardComponent::getName)
            .contains(MajorityVote.AGREEMENT);
        // The vote is the reward; self_consistency weighs 0.
        assertThat(sample.getReward()).isEqualTo(vote.getValue());
        assertThat(sample.getScored()).isEqualTo(vote.getStatus() == RewardStatus.OK);
        groupLabelled |= sample.getScored();
        samples++;
        boolean right = labels.get(sample.getGenerationId());
        agreeWithLabels += sample.getScored() && sample.getReward() == (right ? 1.0 : 0.0) ? 1 : 0;
      }
      labelled += groupLabelled ? 1 : 0;
      assertAdvantagesFollowVerlGrpo(group);
    }
    // The same counts as MajorityVoteRealGroupsTest's full groups (min-share 0.5).
    assertThat(samples).isEqualTo(1200);
    assertThat(labelled).isGreaterThan(125);
    assertThat(agreeWithLabels).isGreaterThan(samples / 2);
    assertThat(readFrom(out.resolve("voted"), "dead-letters", DeadLetter.class)).isEmpty();
  }

  @Test
  void zeroVarianceGroupsAreFilteredAndKeptApartWithTheVerlFilter() throws Exception {
    Path groups = testData().resolve("generations/groups.jsonl");
    Path input = out.resolve("input.jsonl");
    writeGenerations(groups, input);

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("filtered")),
        LodestarOptions.fromArgs(
            new String[] {"--group.filter", "verl", "--advantage.compat", "trl"}));

    List<RLGroup> kept = new ArrayList<>();
    readFrom(out.resolve("filtered"), "batches", RLBatch.class)
        .forEach(b -> kept.addAll(b.getGroups()));
    List<RLGroup> filtered = readFrom(out.resolve("filtered"), "filtered-groups", RLGroup.class);
    // 136 of the 250 groups have members whose labels are all equal (counted from the data file).
    assertThat(filtered).hasSize(136);
    assertThat(kept).hasSize(114);
    assertThat(kept)
        .allSatisfy(
            g -> {
              assertThat(g.getRewardStd()).isPositive();
              assertThat(g.getEstimatorParams())
                  .containsEntry("compat", "trl")
                  .containsEntry("eps", "1.0E-4");
            });
    // No variance: every scored reward equal, or fewer than two scored at all.
    assertThat(filtered)
        .allSatisfy(g -> assertThat(g.getRewardStd() == null || g.getRewardStd() == 0.0).isTrue());
  }

  @Test
  void codeGenerationsAreScoredByTheirUnitTestsInTheSandbox() throws Exception {
    assumeThat(new CodeSandbox().unavailableReason()).as("bubblewrap sandbox").isEmpty();
    String prompt = "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n";
    String test =
        "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n";
    Path input = out.resolve("code.jsonl");
    Files.write(
        input,
        List.of(
            PlainJson.toJsonString(code("c-pass", 0, prompt, test, "    return a + b\n")),
            PlainJson.toJsonString(code("c-fail", 1, prompt, test, "    return a - b\n")),
            PlainJson.toJsonString(
                code(
                    "c-fenced",
                    2,
                    prompt,
                    test,
                    "Sure:\n```python\ndef add(a, b):\n    return b + a\n```\n")),
            PlainJson.toJsonString(
                code("c-hang", 3, prompt, test, "    while True:\n        pass\n"))));

    // A deadline no loaded machine comes near, so c-pass cannot turn into a TIMEOUT; c-hang never
    // ends and is stopped by the sandbox's CPU limit or this deadline, whichever comes first.
    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("code")),
        LodestarOptions.fromArgs(new String[] {"--code.timeout", "30 s"}));

    Map<String, ScoredGeneration> scored = new HashMap<>();
    readFrom(out.resolve("code"), "scored", ScoredGeneration.class)
        .forEach(s -> scored.put(s.getGeneration().getGenerationId(), s));
    assertThat(scored.get("c-pass").getReward()).isEqualTo(1.0);
    assertThat(scored.get("c-fail").getReward()).isEqualTo(0.0);
    assertThat(scored.get("c-fenced").getReward()).isEqualTo(1.0);
    // A test that never finishes is not a failing answer: unscored, never 0.
    assertThat(scored.get("c-hang").getReward()).isNull();
    assertThat(scored.get("c-hang").getComponents())
        .singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo(RewardStatus.TIMEOUT));
  }

  @Test
  void configuredCompositionCombinesUpstreamScoresGatesAndShapesLength() throws Exception {
    Path input = out.resolve("composed.jsonl");
    Files.write(
        input,
        List.of(
            PlainJson.toJsonString(math("short-right", 0, "The answer is 42.", 10, 0.5)),
            PlainJson.toJsonString(math("long-right", 1, "#### 42", 18, 1.0)),
            PlainJson.toJsonString(math("wrong", 2, "The answer is 41.", 10, 0.25)),
            PlainJson.toJsonString(math("no-upstream", 3, "The answer is 42.", 10, null))));

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("composed")),
        LodestarOptions.fromArgs(
            new String[] {
              "--reward.weights", "math_equivalence:3,rm_helpful:1",
              "--reward.gates", "rm_helpful>=0.25 else -1.0",
              "--reward.overlong.mode", "verl",
              "--reward.overlong.max-length", "20",
              "--reward.overlong.buffer-length", "4"
            }));

    Map<String, ScoredGeneration> scored = new HashMap<>();
    readFrom(out.resolve("composed"), "scored", ScoredGeneration.class)
        .forEach(s -> scored.put(s.getGeneration().getGenerationId(), s));
    // (3 * correct + 1 * rm_helpful) / 4, plus verl's min(-(|y| - 16) / 4, 0); a failed gate gives
    // -1.
    assertThat(scored.get("short-right").getReward()).isEqualTo(0.875);
    assertThat(scored.get("long-right").getReward()).isEqualTo(0.5);
    assertThat(scored.get("wrong").getReward()).isEqualTo(0.0625);
    assertThat(scored.get("no-upstream").getReward()).isEqualTo(-1.0);
    assertThat(scored.get("long-right").getComponents())
        .extracting(c -> c.getName() + "=" + c.getValue())
        .containsExactly("rm_helpful=1.0", "math_equivalence=1.0", "overlong=-0.5");
    assertThat(scored.get("no-upstream").getComponents())
        .extracting(c -> c.getName() + ":" + c.getDetail())
        .endsWith("gate:rm_helpful missing");
    assertThat(scored.values())
        .extracting(ScoredGeneration::getRewardVersion)
        .allSatisfy(
            v ->
                assertThat(v)
                    .startsWith(
                        "wmean[math_equivalence:3.0,rm_helpful:1.0,*:1.0]+gates[rm_helpful>=0.25 else -1.0]"
                            + "+overlong:verl(max=20,buffer=4,factor=1.0,fallback=unscorable)(math_equivalence@"));

    List<RLBatch> batches = readFrom(out.resolve("composed"), "batches", RLBatch.class);
    assertThat(batches)
        .singleElement()
        .satisfies(
            b ->
                assertThat(b.getGroups())
                    .singleElement()
                    .satisfies(
                        g -> {
                          assertThat(g.getSamples())
                              .extracting(RLSample::getReward)
                              .containsExactly(0.875, 0.5, 0.0625, -1.0);
                          assertThat(g.getSamples().get(0).getComponents())
                              .extracting(c -> c.getName())
                              .contains("rm_helpful", "overlong");
                        }));
  }

  @Test
  void healthWindowsCompareHumanThumbsWithTheRewardModelThroughTheFeedbackJoin() throws Exception {
    Path model =
        Path.of("..", "operators", "src", "main", "resources", "lodestar", "models", "tiny-reward")
            .toAbsolutePath();
    assertThat(model.resolve("model.onnx"))
        .as("the tiny reward model shipped in the operators module")
        .exists();
    List<Generation> generations = new ArrayList<>();
    List<Feedback> thumbs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Generation g =
          math("h" + i, i, i % 2 == 0 ? "6 times 7 is 42." : "It is 41, I think.", 4, null);
      generations.add(
          Generation.newBuilder(g)
              .setGroupId("h")
              .setPromptId("h")
              .setExpectedGroupSize(8)
              .build());
      thumbs.add(
          Feedback.newBuilder()
              .setFeedbackId("t" + i)
              .setGenerationId("h" + i)
              .setKind(FeedbackKind.THUMB)
              .setThumbUp(i % 2 == 0)
              .setCreatedAtMs(1_767_225_600_000L + 1_000)
              .build());
    }
    Path generationsFile = out.resolve("generations.jsonl");
    Path feedbackFile = out.resolve("feedback.jsonl");
    Files.write(generationsFile, generations.stream().map(PlainJson::toJsonString).toList());
    Files.write(feedbackFile, thumbs.stream().map(PlainJson::toJsonString).toList());

    BoundedJob.run(
        new BoundedJob.Inputs(generationsFile, feedbackFile, out.resolve("health")),
        LodestarOptions.fromArgs(
            new String[] {
              "--reward-model.path", model.toString(), "--reward-model.device", "cpu"
            }));

    List<HealthMetrics> rows =
        readFrom(out.resolve("health"), "health-metrics", HealthMetrics.class);
    HealthMetrics fixture =
        rows.stream().filter(r -> r.getDataSource().equals("fixture")).findFirst().orElseThrow();
    assertThat(fixture.getGenerations()).isEqualTo(8);
    assertThat(fixture.getFeedback()).isEqualTo(8);
    assertThat(fixture.getHumanModelCompared())
        .as("every thumb met its scored generation")
        .isEqualTo(8);
    // The tiny model puts both answers on the same side of its threshold, so it agrees with the
    // four thumbs on that side and with none of the other four: exactly one half.
    assertThat(fixture.getHumanModelAgreement()).isEqualTo(0.5);
  }

  @Test
  void shouldDeadLetterALineWithInvalidUtf8AsMalformedJustAsTheKafkaPathDoes() throws Exception {
    byte[] good =
        PlainJson.toJsonString(math("good", 0, "6 * 7 = 42\n#### 42", 4, null))
            .getBytes(StandardCharsets.UTF_8);
    String json = PlainJson.toJsonString(math("bad", 1, "6 * 7 = 42\n#### 42", 4, null));
    int cut = json.indexOf("#### 42");
    // A byte that never occurs in UTF-8, inside the response: decoding as text would turn it into
    // U+FFFD.
    ByteArrayOutputStream badLine = new ByteArrayOutputStream();
    badLine.write(json.substring(0, cut).getBytes(StandardCharsets.UTF_8));
    badLine.write(0xFF);
    badLine.write(json.substring(cut).getBytes(StandardCharsets.UTF_8));
    byte[] bad = badLine.toByteArray();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(good);
    file.write('\n');
    file.write(bad);
    file.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    Path input = out.resolve("invalid-utf8.jsonl");
    Files.write(input, file.toByteArray());

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("utf8")),
        LodestarOptions.fromArgs(new String[0]));

    assertThat(readFrom(out.resolve("utf8"), "scored", ScoredGeneration.class))
        .extracting(s -> s.getGeneration().getGenerationId())
        .containsExactly("good");
    DeadLetter dead =
        readFrom(out.resolve("utf8"), "dead-letters", DeadLetter.class).stream().collect(onlyOne());
    // What the Kafka path's decoder makes of the very same bytes.
    DecodeResult<Generation> fromKafka = RecordCodec.of(Generation.class).decode(bad);
    assertThat(fromKafka.isOk()).isFalse();
    assertThat(dead.getErrorKind())
        .isEqualTo(DecodeErrors.MALFORMED)
        .isEqualTo(fromKafka.errorKind());
    assertThat(dead.getReason()).isEqualTo(fromKafka.reason());
    assertThat(dead.getOffset()).as("line number").isEqualTo(2L);
    byte[] payload = new byte[dead.getPayload().remaining()];
    dead.getPayload().duplicate().get(payload);
    assertThat(payload).as("the line's bytes as they are in the file").isEqualTo(bad);
  }

  @Test
  void aPartialBatchGoesOutAtItsMaxWaitOfEventTimeAsInTheStreamingJob() throws Exception {
    long t0 = 1_767_225_600_000L;
    Path input = out.resolve("max-wait.jsonl");
    Files.write(
        input,
        List.of(
            PlainJson.toJsonString(timed("early", 0, 3, t0)),
            PlainJson.toJsonString(timed("early", 1, 3, t0 + 100)),
            PlainJson.toJsonString(timed("late", 0, 3, t0 + 600_000)),
            PlainJson.toJsonString(timed("late", 1, 3, t0 + 600_100))));

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("max-wait")),
        LodestarOptions.fromArgs(new String[0]));

    // Eight groups per batch, one minute of wait: ten minutes apart, the two groups never meet.
    assertThat(readFrom(out.resolve("max-wait"), "batches", RLBatch.class))
        .extracting(b -> b.getGroups().stream().map(RLGroup::getGroupId).toList())
        .containsExactlyInAnyOrder(List.of("early"), List.of("late"));
  }

  @Test
  void groupsOfTwoPolicyVersionsNeverShareABatch() throws Exception {
    long t0 = 1_767_225_600_000L;
    Path input = out.resolve("versions.jsonl");
    Files.write(
        input,
        List.of(
            PlainJson.toJsonString(timed("v3", 0, 3, t0)),
            PlainJson.toJsonString(timed("v3", 1, 3, t0 + 100)),
            PlainJson.toJsonString(timed("v4", 0, 4, t0 + 200)),
            PlainJson.toJsonString(timed("v4", 1, 4, t0 + 300))));

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out.resolve("versions")),
        LodestarOptions.fromArgs(new String[0]));

    List<RLBatch> batches = readFrom(out.resolve("versions"), "batches", RLBatch.class);
    assertThat(batches)
        .extracting(b -> b.getGroups().stream().map(RLGroup::getGroupId).toList())
        .containsExactlyInAnyOrder(List.of("v3"), List.of("v4"));
    assertThat(batches)
        .allSatisfy(b -> assertThat(b.getMinPolicyVersion()).isEqualTo(b.getMaxPolicyVersion()));
  }

  @Test
  void aVoteThirtyMinutesBeforeItsGenerationsOrThreeHoursAfterThemIsUnmatchedInBoundedMode()
      throws Exception {
    long t0 = 1_767_225_600_000L;
    Path generations = out.resolve("vote-generations.jsonl");
    Files.write(
        generations,
        List.of(
            PlainJson.toJsonString(timed("early", 0, 3, t0 + 1_800_000)),
            PlainJson.toJsonString(timed("early", 1, 3, t0 + 1_800_100)),
            PlainJson.toJsonString(timed("late", 0, 3, t0 + 3_600_000)),
            PlainJson.toJsonString(timed("late", 1, 3, t0 + 3_600_100)),
            PlainJson.toJsonString(timed("in-time", 0, 3, t0 + 3_700_000)),
            PlainJson.toJsonString(timed("in-time", 1, 3, t0 + 3_700_100))));
    Path feedback = out.resolve("votes.jsonl");
    Files.write(
        feedback,
        List.of(
            PlainJson.toJsonString(vote("vote-early", "early-0", "early-1", t0)),
            PlainJson.toJsonString(
                vote("vote-in-time", "in-time-0", "in-time-1", t0 + 3_700_000 + 60_000)),
            PlainJson.toJsonString(
                vote("vote-late", "late-0", "late-1", t0 + 3_600_100 + 3 * 3_600_000))));

    BoundedJob.run(
        new BoundedJob.Inputs(generations, feedback, out.resolve("votes")),
        LodestarOptions.fromArgs(new String[0]));

    assertThat(readFrom(out.resolve("votes"), "pairs", PreferencePair.class))
        .extracting(p -> p.getProvenance().getFeedbackIds().get(0))
        .containsExactly("vote-in-time");
    // Each side of each vote waits for its own generation: two dead letters per unmatched vote.
    assertThat(readFrom(out.resolve("votes"), "dead-letters", DeadLetter.class))
        .extracting(DeadLetter::getErrorKind, DeadLetter::getRecordId)
        .containsExactlyInAnyOrder(
            Assertions.tuple("UNMATCHED_FEEDBACK", "vote-early"),
            Assertions.tuple("UNMATCHED_FEEDBACK", "vote-early"),
            Assertions.tuple("UNMATCHED_FEEDBACK", "vote-late"),
            Assertions.tuple("UNMATCHED_FEEDBACK", "vote-late"));
  }

  /**
   * A right (even index) or wrong answer of group {@code groupId}, two members, policy {@code
   * version}.
   */
  private static Generation timed(String groupId, int index, long version, long createdAtMs) {
    return Generation.newBuilder(
            math(groupId + "-" + index, index, index % 2 == 0 ? "#### 42" : "#### 41", 4, null))
        .setGroupId(groupId)
        .setPromptId(groupId)
        .setExpectedGroupSize(2)
        .setPolicy(Policy.newBuilder().setModelId("m").setPolicyVersion(version).build())
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  private static Feedback vote(String id, String a, String b, long createdAtMs) {
    return Feedback.newBuilder()
        .setFeedbackId(id)
        .setGenerationId(a)
        .setOtherGenerationId(b)
        .setKind(FeedbackKind.PAIRWISE)
        .setOutcome(VoteOutcome.A)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  private static <T> Collector<T, ?, T> onlyOne() {
    return Collectors.collectingAndThen(
        Collectors.toList(),
        list -> {
          assertThat(list).hasSize(1);
          return list.get(0);
        });
  }

  private static Generation math(
      String id, int index, String response, int tokens, Double helpfulness) {
    List<RewardComponent> upstream = new ArrayList<>();
    if (helpfulness != null) {
      upstream.add(
          RewardComponent.newBuilder()
              .setName("rm_helpful")
              .setValue(helpfulness)
              .setStatus(RewardStatus.OK)
              .setSource(RewardSource.MODEL)
              .setVersion("serving-rm/3")
              .build());
    }
    return Generation.newBuilder()
        .setGenerationId(id)
        .setPromptId("p")
        .setGroupId("p")
        .setExpectedGroupSize(4)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
        .setResponse(response)
        .setResponseTokenIds(new ArrayList<>(Collections.nCopies(tokens, 5)))
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("fixture")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build())
        .setPolicy(Policy.newBuilder().setModelId("m").build())
        .setCreatedAtMs(1_767_225_600_000L + index)
        .setConsentToTrain(true)
        .setUpstreamRewards(upstream)
        .build();
  }

  private static Generation code(
      String id, int index, String prompt, String test, String response) {
    return Generation.newBuilder()
        .setGenerationId(id)
        .setPromptId("add")
        .setGroupId("add")
        .setExpectedGroupSize(4)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "Complete the function.\n" + prompt)))
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("fixture-code")
                .setKind(TaskKind.CODE)
                .setUnitTests(List.of(test))
                .setExtra(Map.of("code_prompt", prompt, "entry_point", "add"))
                .build())
        .setPolicy(Policy.newBuilder().setModelId("m").build())
        .setCreatedAtMs(1_767_225_600_000L + index)
        .setConsentToTrain(true)
        .build();
  }

  /** Recomputes the advantages in the plainest way and compares. */
  private static void assertAdvantagesFollowVerlGrpo(RLGroup group) {
    List<Double> rewards = new ArrayList<>();
    group
        .getSamples()
        .forEach(
            s -> {
              if (s.getScored()) {
                rewards.add(s.getReward());
              }
            });
    double mean = rewards.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double var =
        rewards.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum()
            / Math.max(1, rewards.size() - 1);
    for (RLSample s : group.getSamples()) {
      double expected;
      if (!s.getScored()) {
        expected = 0;
      } else if (rewards.size() == 1) {
        expected = s.getReward() / (1 + 1e-6);
      } else {
        expected = (s.getReward() - mean) / (Math.sqrt(var) + 1e-6);
      }
      assertThat(s.getAdvantage()).as(group.getGroupId()).isCloseTo(expected, within(1e-9));
    }
  }

  /** Writes the real groups as generations in the plain JSON encoding; returns the labels by id. */
  private static Map<String, Boolean> writeGenerations(Path groups, Path target)
      throws IOException {
    return writeGenerations(groups, target, true);
  }

  /** As above; without {@code groundTruth} the tasks carry no gold answer. */
  private static Map<String, Boolean> writeGenerations(
      Path groups, Path target, boolean groundTruth) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Boolean> labels = new HashMap<>();
    long time = 1_767_225_600_000L;
    try (Stream<String> lines = Files.lines(groups);
        BufferedWriter writer = Files.newBufferedWriter(target)) {
      for (String line : (Iterable<String>) lines::iterator) {
        JsonNode group = mapper.readTree(line);
        String groupId = group.path("group_id").asText();
        JsonNode members = group.path("generations");
        for (int i = 0; i < members.size(); i++) {
          JsonNode m = members.get(i);
          String id = groupId + "/" + i;
          labels.put(id, m.path("correct").asBoolean());
          Generation g =
              Generation.newBuilder()
                  .setGenerationId(id)
                  .setPromptId(groupId)
                  .setGroupId(groupId)
                  .setExpectedGroupSize(members.size())
                  .setSampleIndex(i)
                  .setPrompt(List.of(new ChatMessage("user", group.path("prompt").asText())))
                  .setResponse(m.path("text").asText())
                  .setTask(
                      TaskMetadata.newBuilder()
                          .setDataSource(groupId.startsWith("gsm8k") ? "gsm8k" : "math")
                          .setKind(TaskKind.MATH)
                          .setGroundTruth(groundTruth ? group.path("gold_answer").asText() : null)
                          .build())
                  // The published groups mix solutions of several models; a group is one policy, so
                  // each is given the data source's name as its model (the sample's own model would
                  // make every member but the first an inconsistent member).
                  .setPolicy(
                      Policy.newBuilder()
                          .setModelId(
                              groupId.startsWith("gsm8k") ? "gsm8k-examples" : "math-examples")
                          .setPolicyVersion(0)
                          .build())
                  .setCreatedAtMs(time++)
                  .setConsentToTrain(true)
                  .build();
          writer.write(PlainJson.toJsonString(g));
          writer.newLine();
        }
      }
    }
    return labels;
  }

  private <T extends SpecificRecordBase> List<T> read(String output, Class<T> type)
      throws IOException {
    return readFrom(out, output, type);
  }

  private static <T extends SpecificRecordBase> List<T> readFrom(
      Path dir, String output, Class<T> type) throws IOException {
    return JsonLinesTestFiles.read(dir.resolve(output), type);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(BoundedJobITCase.class.getClassLoader().getResource(name).toURI());
  }

  /** The repository's public test data (sources and licences in its README). */
  static Path testData() {
    return Path.of("..", "testdata");
  }
}
