package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.FinishReason;
import io.lodestar.schema.Generation;
import io.lodestar.schema.Policy;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.RLGroup;
import io.lodestar.schema.RLSample;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.export.TrlSample;
import io.lodestar.schema.export.VerlSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded job writes the trainer files of every RL batch: verl Parquet (read back with
 * parquet-avro's reader), verl JSON Lines and TRL JSON Lines, one row per sample with the
 * documented columns and types.
 */
class TrainerFilesITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  @Test
  void everySampleOfEveryBatchIsARowOfEachTrainerFile() throws Exception {
    Path input = dir.resolve("generations.jsonl");
    Files.write(input, generations().stream().map(PlainJson::toJsonString).toList());
    Path out = dir.resolve("out");

    BoundedJob.run(
        new BoundedJob.Inputs(input, null, out),
        LodestarOptions.fromArgs(new String[] {"--batch.groups", "2"}));

    List<RLBatch> batches = jsonLines(out.resolve("batches"), RLBatch.class);
    batches.sort(Comparator.comparing(RLBatch::getBatchId));
    List<RLSample> samples = new ArrayList<>();
    List<RLGroup> groupOfSample = new ArrayList<>();
    for (RLBatch b : batches) {
      for (RLGroup g : b.getGroups()) {
        for (RLSample s : g.getSamples()) {
          samples.add(s);
          groupOfSample.add(g);
        }
      }
    }
    assertThat(samples).hasSize(6);

    List<VerlSample> parquet = new ArrayList<>();
    for (Path file : files(out.resolve("verl-parquet"), ".parquet")) {
      parquet.addAll(ParquetTestFiles.read(file, VerlSample.class));
    }
    List<VerlSample> verlJson = jsonLines(out.resolve("verl-jsonl"), VerlSample.class);
    List<TrlSample> trl = jsonLines(out.resolve("trl-jsonl"), TrlSample.class);
    Comparator<VerlSample> byBatchAndIndex =
        Comparator.comparing((VerlSample v) -> v.getExtraInfo().getBatchId())
            .thenComparingLong(v -> v.getExtraInfo().getIndex());
    parquet.sort(byBatchAndIndex);
    verlJson.sort(byBatchAndIndex);
    assertThat(parquet).isEqualTo(verlJson).hasSize(samples.size());
    trl.sort(Comparator.comparing(TrlSample::getBatchId).thenComparing(TrlSample::getGenerationId));

    for (int i = 0; i < samples.size(); i++) {
      RLSample s = samples.get(i);
      RLGroup g = groupOfSample.get(i);
      VerlSample v = parquet.get(i);
      assertThat(v.getExtraInfo().getGenerationId()).isEqualTo(s.getGenerationId());
      assertThat(v.getExtraInfo().getGroupId()).isEqualTo(g.getGroupId());
      assertThat(v.getDataSource()).isEqualTo("fixture");
      assertThat(v.getAbility()).isEqualTo("math");
      assertThat(v.getRewardModel().getStyle()).isEqualTo("rule");
      assertThat(v.getRewardModel().getGroundTruth()).isEqualTo("42");
      assertThat(v.getPrompt()).containsExactly(new ChatMessage("user", "What is 6 times 7?"));
      assertThat(v.getResponse()).isEqualTo(s.getResponse());
      assertThat(v.getReward()).isEqualTo(s.getReward());
      assertThat(v.getAdvantage()).isCloseTo(s.getAdvantage(), within(0.0));
      assertThat(v.getPolicyVersion()).isEqualTo(3L);
      assertThat(v.getPromptTokenIds()).containsExactly(101, 102, 103);
      assertThat(v.getResponseTokenIds()).isEqualTo(s.getResponseTokenIds());
      assertThat(v.getResponseLogprobs()).isEqualTo(s.getResponseLogprobs());
      assertThat(v.getExtraInfo().getFinishReason()).isEqualTo("STOP");
    }
    assertThat(trl).hasSize(samples.size());
    assertThat(trl)
        .allSatisfy(
            t -> {
              assertThat(t.getCompletion())
                  .singleElement()
                  .satisfies(m -> assertThat(m.getRole()).isEqualTo("assistant"));
              assertThat(t.getCompletionIds()).isNotEmpty();
              assertThat(t.getOldPerTokenLogps()).hasSameSizeAs(t.getCompletionIds());
            });

    MessageType schema =
        ParquetTestFiles.schema(files(out.resolve("verl-parquet"), ".parquet").get(0));
    assertThat(schema.getFields())
        .extracting(Type::getName)
        .containsExactly(
            "data_source",
            "prompt",
            "ability",
            "reward_model",
            "extra_info",
            "response",
            "reward",
            "scored",
            "advantage",
            "policy_version",
            "prompt_token_ids",
            "response_token_ids",
            "response_logprobs");
    assertPrimitive(schema.getType("data_source"), PrimitiveTypeName.BINARY, true);
    assertThat(schema.getType("data_source").getLogicalTypeAnnotation())
        .isEqualTo(LogicalTypeAnnotation.stringType());
    assertPrimitive(schema.getType("reward"), PrimitiveTypeName.DOUBLE, false);
    assertPrimitive(schema.getType("advantage"), PrimitiveTypeName.DOUBLE, true);
    assertPrimitive(schema.getType("scored"), PrimitiveTypeName.BOOLEAN, true);
    assertPrimitive(schema.getType("policy_version"), PrimitiveTypeName.INT64, true);
    assertThat(schema.getType("prompt").getLogicalTypeAnnotation())
        .isEqualTo(LogicalTypeAnnotation.listType());
    assertThat(schema.getType("response_token_ids").getLogicalTypeAnnotation())
        .isEqualTo(LogicalTypeAnnotation.listType());
    assertThat(schema.getType("reward_model").asGroupType().getFields())
        .extracting(Type::getName)
        .containsExactly("style", "ground_truth");
    assertThat(schema.getType("extra_info").asGroupType().containsField("generation_id")).isTrue();
    assertThat(schema.toString()).contains("repeated int32").contains("repeated float");
  }

  private static void assertPrimitive(Type type, PrimitiveTypeName name, boolean required) {
    assertThat(type.isPrimitive()).as(type.getName()).isTrue();
    assertThat(type.asPrimitiveType().getPrimitiveTypeName()).as(type.getName()).isEqualTo(name);
    assertThat(type.isRepetition(Type.Repetition.REQUIRED))
        .as(type.getName() + " required")
        .isEqualTo(required);
  }

  /** Three groups of two with token ids and log-probs: one right and one wrong answer each. */
  private static List<Generation> generations() {
    List<Generation> out = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      for (int i = 0; i < 2; i++) {
        boolean right = i == 0;
        out.add(
            Generation.newBuilder()
                .setGenerationId("grp" + g + "-" + i)
                .setPromptId("p" + g)
                .setGroupId("grp" + g)
                .setExpectedGroupSize(2)
                .setSampleIndex(i)
                .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
                .setResponse(right ? "6 * 7 = 42\n#### 42" : "I think it is 48.\n#### 48")
                .setTask(
                    TaskMetadata.newBuilder()
                        .setDataSource("fixture")
                        .setKind(TaskKind.MATH)
                        .setGroundTruth("42")
                        .build())
                .setPolicy(Policy.newBuilder().setModelId("m").setPolicyVersion(3).build())
                .setPromptTokenIds(List.of(101, 102, 103))
                .setResponseTokenIds(right ? List.of(7, 8, 9, 10) : List.of(7, 8))
                .setResponseLogprobs(
                    right ? List.of(-0.5f, -0.25f, -0.125f, 0f) : List.of(-1f, -2f))
                .setFinishReason(FinishReason.STOP)
                .setCreatedAtMs(1_767_225_600_000L + g * 1_000L + i)
                .setConsentToTrain(true)
                .build());
      }
    }
    return out;
  }

  private static List<Path> files(Path folder, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(f -> !f.getFileName().toString().startsWith(".") && f.toString().endsWith(suffix))
          .sorted()
          .toList();
    }
  }

  private static <T extends SpecificRecordBase> List<T> jsonLines(Path folder, Class<T> type)
      throws IOException {
    assertThat(JsonLinesTestFiles.finished(folder))
        .allSatisfy(f -> assertThat(f.toString()).endsWith(".jsonl"));
    return JsonLinesTestFiles.read(folder, type);
  }
}
