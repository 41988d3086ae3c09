package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.connectors.RawRecord;
import io.lodestar.jobs.config.LodestarOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class PipelineTopologyTest {

  private final LodestarOptions options = LodestarOptions.fromArgs(new String[0]);

  @Test
  void everyOperatorHasAStableUidAndAName() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    build(source(env, "g"), source(env, "f"), options);

    StreamGraph graph = env.getStreamGraph();
    List<String> uids = new ArrayList<>();
    for (StreamNode node : graph.getStreamNodes()) {
      assertThat(node.getOperatorName()).isNotBlank();
      if (node.getTransformationUID() != null) {
        uids.add(node.getTransformationUID());
      }
    }
    assertThat(uids)
        .doesNotHaveDuplicates()
        .contains(
            "parse-generations",
            "dedup-generations",
            "verify-numeric-answer",
            "group-generations",
            "pack-batches",
            "parse-feedback",
            "dedup-feedback",
            "join-feedback-with-generations",
            "join-feedback-halves",
            "feedback-to-examples",
            "prompt-feedback-to-examples",
            "redact-pairs",
            "redact-unpaired",
            "sink-unpaired",
            "combine-rewards",
            "no-policy-updates");
  }

  @Test
  void theTrainerControlTopicAndTrainerFilesHaveStableUids() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    PipelineTopology.Streams streams =
        discardingOutputs()
            .connect(
                PipelineTopology.build(
                    PipelineInputs.generations(source(env, "g"))
                        .withFeedback(source(env, "f"))
                        .withPolicyUpdates(source(env, "p")),
                    options));
    TrainerFiles.attach(
        streams.batches(), new Path("file:///tmp/lodestar-export"), options.exportFormats());

    StreamGraph graph = env.getStreamGraph();
    List<String> uids = new ArrayList<>();
    for (StreamNode node : graph.getStreamNodes()) {
      assertThat(node.getOperatorName()).isNotBlank();
      if (node.getTransformationUID() != null) {
        uids.add(node.getTransformationUID());
      }
    }
    assertThat(uids)
        .doesNotHaveDuplicates()
        .contains(
            "source-p",
            "parse-policy-updates",
            "event-time-policy-updates",
            "pack-batches",
            "batch-to-verl-samples",
            "sink-verl-parquet",
            "sink-verl-jsonl",
            "batch-to-trl-samples",
            "sink-trl-jsonl")
        .doesNotContain("no-policy-updates");
    assertThat(graph.getJobGraph()).isNotNull();
  }

  @Test
  void generationsCrossToTheFeedbackJoinWithoutTheirTokenArrays() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    build(source(env, "g"), source(env, "f"), options);

    StreamGraph graph = env.getStreamGraph();
    StreamNode join =
        graph.getStreamNodes().stream()
            .filter(n -> "join-feedback-with-generations".equals(n.getTransformationUID()))
            .findFirst()
            .orElseThrow();
    assertThat(join.getInEdges())
        .extracting(edge -> graph.getStreamNode(edge.getSourceId()).getTransformationUID())
        .contains("slim-generations-for-feedback");
  }

  @Test
  void anOperatorWithoutUidFailsTheJobGraphNamingIt() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    DataStream<RawRecord> unnamed =
        source(env, "g")
            .map(r -> r, TypeInformation.of(RawRecord.class))
            .name("Operator without uid");
    build(unnamed, source(env, "f"), options);

    assertThatThrownBy(() -> env.getStreamGraph().getJobGraph())
        .hasMessageContaining("no UID")
        .hasMessageContaining("Operator without uid");
  }

  @Test
  void genericTypesAreDisabled() {
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
  }

  @Test
  void aConfiguredRewardModelRunsBetweenTheVerifiersAndTheCombineStep() {
    LodestarOptions withModel =
        LodestarOptions.fromArgs(new String[] {"--reward-model.path", "/models/rm"});
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(withModel));
    build(source(env, "g"), source(env, "f"), withModel);

    List<String> uids = new ArrayList<>();
    env.getStreamGraph().getStreamNodes().forEach(n -> uids.add(n.getTransformationUID()));
    assertThat(uids)
        .containsSubsequence("verify-code-tests", "reward-model-reward_model", "combine-rewards");
  }

  @Test
  void withEveryOptionalStageOnEachDeadLetterAndSetAsideSourceReachesItsSink() {
    LodestarOptions everything =
        LodestarOptions.fromArgs(
            new String[] {
              "--reward-model.path", "/models/rm",
              "--remote-reward.url", "http://127.0.0.1:9/rm",
              "--judge.url", "http://127.0.0.1:9/judge",
              "--judge.model", "judge-model",
              "--batch.require-consent", "true",
              "--health.enabled", "true",
              "--gate.enabled", "true",
              "--gate.pairs", "true",
              "--preference.group-pairs", "best-worst"
            });
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(everything));
    new PipelineOutputs(
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>())
        .connect(
            PipelineTopology.build(
                PipelineInputs.generations(source(env, "g"))
                    .withFeedback(source(env, "f"))
                    .withPolicyUpdates(source(env, "p")),
                everything));

    StreamGraph graph = env.getStreamGraph();
    assertThat(inputsOf(graph, "sink-dead-letters"))
        .containsExactlyInAnyOrder(
            "parse-generations",
            "parse-feedback",
            "parse-policy-updates",
            "remote-reward-remote_rm-failures",
            "remote-reward-judge-failures",
            "late-members-to-dead-letters",
            "group-generations",
            "unmatched-feedback-to-dead-letters",
            "gate-discarded-pairs-to-dead-letters",
            "gate-held-at-end-pairs-to-dead-letters");
    assertThat(inputsOf(graph, "sink-filtered-groups"))
        .containsExactlyInAnyOrder(
            "group-generations",
            "training-consent",
            "stale-groups-reason",
            "refused-batch-groups-reason",
            "gate-discarded-batch-groups",
            "gate-held-at-end-batch-groups");
  }

  private static List<String> inputsOf(StreamGraph graph, String uid) {
    StreamNode node =
        graph.getStreamNodes().stream()
            .filter(n -> uid.equals(n.getTransformationUID()))
            .findFirst()
            .orElseThrow();
    List<String> sources = new ArrayList<>();
    node.getInEdges()
        .forEach(e -> sources.add(graph.getStreamNode(e.getSourceId()).getTransformationUID()));
    return sources;
  }

  private static void build(
      DataStream<RawRecord> generations, DataStream<RawRecord> feedback, LodestarOptions options) {
    discardingOutputs()
        .connect(
            PipelineTopology.build(
                PipelineInputs.generations(generations).withFeedback(feedback), options));
  }

  private static DataStream<RawRecord> source(StreamExecutionEnvironment env, String name) {
    return env.fromData(
            TypeInformation.of(RawRecord.class),
            new RawRecord(name, 0, 0, 0, null, new byte[] {'{', '}'}))
        .uid("source-" + name);
  }

  private static PipelineOutputs discardingOutputs() {
    return new PipelineOutputs(
        new DiscardingSink<>(),
        new DiscardingSink<>(),
        new DiscardingSink<>(),
        new DiscardingSink<>(),
        new DiscardingSink<>());
  }
}
