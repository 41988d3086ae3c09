package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lodestar.connectors.RawRecord;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.DeadLetter;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PolicyUpdate;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trainers' control topic in a running streaming job: an announced version makes a group that
 * lags it stale, the batch records the version, and an unreadable announcement is a dead letter.
 */
class PolicyControlITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long T0 = 1_767_225_600_000L;

  @Test
  void anAnnouncedTrainerVersionDecidesStalenessInTheRunningJob() throws Exception {
    LodestarOptions options =
        LodestarOptions.fromArgs(
            new String[] {
              "--staleness.max-lag", "2", "--batch.groups", "4", "--checkpoint.interval", "1 s"
            });
    StreamExecutionEnvironment env =
        PipelineEnvironment.create(PipelineEnvironment.streaming(options));
    List<RawRecord> generations = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      long version = g == 0 ? 7 : 9; // the first group lags the announced version 10 by 3
      for (int i = 0; i < 2; i++) {
        generations.add(
            raw(
                "generations",
                generations.size(),
                PlainJson.toJsonString(generation(g, i, version))));
      }
    }
    PolicyUpdate announced =
        PolicyUpdate.newBuilder()
            .setModelId("m")
            .setPolicyVersion(10)
            .setPublishedAtMs(T0 - 1_000)
            .setTrainerId("t0")
            .build();
    List<RawRecord> control =
        List.of(
            raw("policy-updates", 0, PlainJson.toJsonString(announced)),
            raw("policy-updates", 1, "not json"));

    PipelineTopology.Streams streams =
        PipelineTopology.build(
            PipelineInputs.generations(source(env, generations, "g"))
                .withPolicyUpdates(source(env, control, "p")),
            options);
    CloseableIterator<RLBatch> batches = streams.batches().collectAsync();
    CloseableIterator<RLGroup> setAside = streams.filteredGroups().collectAsync();
    CloseableIterator<DeadLetter> dead = streams.deadLetters().collectAsync();
    env.execute("policy-control");

    List<RLBatch> emitted = drain(batches);
    assertThat(emitted)
        .flatExtracting(RLBatch::getGroups)
        .extracting(RLGroup::getGroupId)
        .containsExactly("grp1", "grp2");
    assertThat(emitted).allSatisfy(b -> assertThat(b.getTrainerPolicyVersion()).isEqualTo(10L));
    assertThat(drain(setAside)).extracting(RLGroup::getGroupId).containsExactly("grp0");
    assertThat(drain(dead))
        .singleElement()
        .satisfies(d -> assertThat(d.getTopic()).isEqualTo("policy-updates"));
  }

  private static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    it.close();
    return out;
  }

  private static DataStream<RawRecord> source(
      StreamExecutionEnvironment env, List<RawRecord> records, String name) {
    return env.fromData(records, TypeInformation.of(RawRecord.class)).uid("source-" + name);
  }

  private static RawRecord raw(String topic, long offset, String json) {
    return new RawRecord(topic, 0, offset, T0, null, json.getBytes(StandardCharsets.UTF_8));
  }

  private static Generation generation(int group, int index, long version) {
    return Generation.newBuilder()
        .setGenerationId("grp" + group + "-" + index)
        .setPromptId("p" + group)
        .setGroupId("grp" + group)
        .setExpectedGroupSize(2)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
        .setResponse(index == 0 ? "6 * 7 = 42\n#### 42" : "I think 48.\n#### 48")
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("fixture")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build())
        .setPolicy(Policy.newBuilder().setModelId("m").setPolicyVersion(version).build())
        .setCreatedAtMs(T0 + group * 1_000L + index)
        .setConsentToTrain(true)
        .build();
  }
}
