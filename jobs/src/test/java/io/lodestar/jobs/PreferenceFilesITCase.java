package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lodestar.connectors.serde.PlainJson;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.ChatMessage;
import io.lodestar.schema.Feedback;
import io.lodestar.schema.FeedbackKind;
import io.lodestar.schema.Generation;
import io.lodestar.schema.PairSource;
import io.lodestar.schema.Policy;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.Provenance;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.VoteOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preference exports end to end: pairs and unpaired examples through {@link PreferenceFiles} on a
 * mini cluster, every file read back as plain JSON with Jackson, each format's training keys and
 * JSON types checked, and provenance found only in the metadata columns (or the nested {@code
 * metadata} object of the OpenAI format). A last test runs the bounded job from feedback to files.
 */
class PreferenceFilesITCase {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Provenance columns of every pair format but OpenAI's, which nests them. */
  private static final List<String> PAIR_METADATA =
      List.of(
          "pair_id",
          "prompt_id",
          "source",
          "confidence",
          "chosen_generation_id",
          "rejected_generation_id",
          "generation_ids",
          "feedback_ids",
          "model_ids",
          "policy_versions",
          "pipeline_version",
          "created_at_ms");

  /**
   * TRL's pair columns: the margin rides along as pair_margin, a name RewardTrainer does not read.
   */
  private static final List<String> TRL_METADATA =
      List.of(
          "pair_id",
          "prompt_id",
          "source",
          "confidence",
          "pair_margin",
          "chosen_generation_id",
          "rejected_generation_id",
          "generation_ids",
          "feedback_ids",
          "model_ids",
          "policy_versions",
          "pipeline_version",
          "created_at_ms");

  private static final List<String> KTO_METADATA =
      List.of(
          "example_id",
          "prompt_id",
          "source",
          "confidence",
          "generation_id",
          "generation_ids",
          "feedback_ids",
          "model_ids",
          "policy_versions",
          "pipeline_version",
          "created_at_ms");

  private static final List<String> PROMPT =
      List.of("system", "Answer with a number.", "user", "What is 6 times 7?");

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  @Test
  void everyFormatHoldsItsTrainingKeysWithTheirJsonTypesAndProvenanceOnlyBesideThem()
      throws Exception {
    List<PreferencePair> pairs =
        List.of(
            pair("pair-vote", PairSource.VOTE, "gen-a1", null, 1.0),
            pair("pair-edit", PairSource.EDIT, null, null, 1.0),
            pair("pair-rating", PairSource.RATING, "gen-c1", 0.5, 0.8));
    List<UnpairedExample> unpaired =
        List.of(
            example("example-up", PairSource.THUMBS, true),
            example("example-regen", PairSource.REGENERATE, false));

    run(pairs, unpaired, EnumSet.copyOf(ExportFormat.of(ExportFormat.Kind.PREFERENCE)));

    Map<String, JsonNode> trl = byId(rows("trl-preference-jsonl", "pairs"), "pair_id");
    assertThat(trl).containsOnlyKeys("pair-vote", "pair-edit", "pair-rating");
    for (JsonNode row : trl.values()) {
      assertColumns(row, List.of("prompt", "chosen", "rejected"), TRL_METADATA);
      assertPrompt(row.get("prompt"));
      assertReply(row.get("chosen"), "42");
      assertReply(row.get("rejected"), "48");
      assertPairMetadata(row);
      assertNoProvenance(row, "prompt", "chosen", "rejected");
    }
    assertThat(trl.get("pair-rating").get("pair_margin").doubleValue()).isEqualTo(0.5);
    assertThat(trl.get("pair-vote").get("pair_margin").isNull()).isTrue();
    assertThat(trl.get("pair-edit").get("chosen_generation_id").isNull()).isTrue();
    assertThat(trl.get("pair-vote").get("chosen_generation_id").textValue()).isEqualTo("gen-a1");

    Map<String, JsonNode> text = byId(rows("trl-preference-text-jsonl", "pairs"), "pair_id");
    assertThat(text).hasSize(3);
    for (JsonNode row : text.values()) {
      assertColumns(row, List.of("prompt", "chosen", "rejected"), TRL_METADATA);
      assertThat(row.get("prompt").textValue())
          .isEqualTo("system: Answer with a number.\n\nuser: What is 6 times 7?\n\nassistant: ");
      assertThat(row.get("chosen").textValue()).isEqualTo("42");
      assertThat(row.get("rejected").textValue()).isEqualTo("48");
      assertPairMetadata(row);
      assertNoProvenance(row, "prompt", "chosen", "rejected");
    }

    Map<String, JsonNode> rlhf = byId(rows("openrlhf-jsonl", "pairs"), "pair_id");
    assertThat(rlhf).hasSize(3);
    for (JsonNode row : rlhf.values()) {
      assertColumns(row, List.of("prompt", "chosen", "rejected", "margin"), PAIR_METADATA);
      assertPrompt(row.get("prompt"));
      assertReply(row.get("chosen"), "42");
      assertReply(row.get("rejected"), "48");
      assertPairMetadata(row);
      assertNoProvenance(row, "prompt", "chosen", "rejected", "margin");
    }
    assertThat(rlhf.get("pair-rating").get("margin").isNumber()).isTrue();
    assertThat(rlhf.get("pair-rating").get("margin").doubleValue()).isEqualTo(0.5);
    assertThat(rlhf.get("pair-vote").get("margin").isNull()).isTrue();
    assertThat(rlhf.get("pair-edit").get("margin").isNull()).isTrue();

    Map<String, JsonNode> openAi =
        rows("openai-dpo-jsonl", "pairs").stream()
            .collect(
                Collectors.toMap(
                    r -> r.path("metadata").path("pair_id").asText(), Function.identity()));
    assertThat(openAi).containsOnlyKeys("pair-vote", "pair-edit", "pair-rating");
    for (JsonNode row : openAi.values()) {
      assertThat(fieldNames(row))
          .containsExactly("input", "preferred_output", "non_preferred_output", "metadata");
      assertThat(fieldNames(row.get("input"))).containsExactly("messages");
      assertPrompt(row.get("input").get("messages"));
      assertReply(row.get("preferred_output"), "42");
      assertReply(row.get("non_preferred_output"), "48");
      JsonNode metadata = row.get("metadata");
      assertThat(metadata.isObject()).isTrue();
      List<String> nested = new ArrayList<>(PAIR_METADATA);
      nested.add(4, "margin");
      assertThat(fieldNames(metadata)).containsExactlyElementsOf(nested);
      assertPairMetadata(metadata);
      assertNoProvenance(row, "input", "preferred_output", "non_preferred_output");
    }
    assertThat(openAi.get("pair-edit").get("metadata").get("chosen_generation_id").isNull())
        .isTrue();
    assertThat(openAi.get("pair-rating").get("metadata").get("margin").doubleValue())
        .isEqualTo(0.5);

    Map<String, JsonNode> kto = byId(rows("kto-jsonl", "examples"), "example_id");
    assertThat(kto).containsOnlyKeys("example-up", "example-regen");
    for (JsonNode row : kto.values()) {
      assertColumns(row, List.of("prompt", "completion", "label"), KTO_METADATA);
      assertPrompt(row.get("prompt"));
      assertReply(row.get("completion"), "48");
      assertThat(row.get("label").isBoolean()).isTrue();
      assertThat(row.get("generation_id").textValue()).isEqualTo("gen-u");
      assertThat(row.get("confidence").isNumber()).isTrue();
      assertThat(row.get("policy_versions"))
          .allSatisfy(v -> assertThat(v.isIntegralNumber()).isTrue());
      assertThat(row.get("created_at_ms").isIntegralNumber()).isTrue();
      assertNoProvenance(row, "prompt", "completion", "label");
    }
    assertThat(kto.get("example-up").get("label").booleanValue()).isTrue();
    assertThat(kto.get("example-up").get("source").textValue()).isEqualTo("THUMBS");
    assertThat(kto.get("example-regen").get("label").booleanValue()).isFalse();
    assertThat(kto.get("example-regen").get("source").textValue()).isEqualTo("REGENERATE");
  }

  @Test
  void withoutUnpairedExamplesOrUnchosenFormatsNothingElseIsWritten() throws Exception {
    run(
        List.of(pair("pair-vote", PairSource.VOTE, "gen-a1", null, 1.0)),
        null,
        ExportFormat.parseList(ExportFormat.Kind.PREFERENCE, "kto-jsonl, OPENAI-DPO-JSONL"));

    assertThat(rows("openai-dpo-jsonl", "pairs")).hasSize(1);
    try (Stream<Path> written = Files.list(dir.resolve("out"))) {
      assertThat(written.map(p -> p.getFileName().toString())).containsExactly("openai-dpo-jsonl");
    }
  }

  @Test
  void theBoundedJobWritesEveryFormatFromGenerationsAndFeedback() throws Exception {
    List<Generation> generations = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      generations.add(
          generation("g" + i, i, i == 0 ? "42" : "4" + i + " because mail me at ann@example.com"));
    }
    List<Feedback> feedback =
        List.of(
            feedback("vote", "g0")
                .setKind(FeedbackKind.PAIRWISE)
                .setOtherGenerationId("g1")
                .setOutcome(VoteOutcome.A)
                .build(),
            feedback("vote", "g0")
                .setKind(FeedbackKind.PAIRWISE)
                .setOtherGenerationId("g1")
                .setOutcome(VoteOutcome.A)
                .build(),
            feedback("edit", "g2").setKind(FeedbackKind.EDIT).setEditedText("42").build(),
            feedback("up", "g0").setKind(FeedbackKind.THUMB).setThumbUp(true).build(),
            feedback("down", "g3").setKind(FeedbackKind.THUMB).setThumbUp(false).build(),
            feedback("regen", "g1").setKind(FeedbackKind.REGENERATE).build());
    Path generationsFile = dir.resolve("generations.jsonl");
    Path feedbackFile = dir.resolve("feedback.jsonl");
    Files.write(generationsFile, generations.stream().map(PlainJson::toJsonString).toList());
    Files.write(feedbackFile, feedback.stream().map(PlainJson::toJsonString).toList());

    BoundedJob.run(
        new BoundedJob.Inputs(generationsFile, feedbackFile, dir.resolve("out")),
        LodestarOptions.fromArgs(
            new String[] {
              "--preference.group-pairs", "best-worst", "--preference.redaction", "pii"
            }));

    // vote (the repeat is de-duplicated), edit, thumbs, best-vs-worst of the group
    List<JsonNode> trl = rows("trl-preference-jsonl", "pairs");
    assertThat(trl)
        .extracting(r -> r.path("source").asText())
        .containsExactlyInAnyOrder("VOTE", "EDIT", "THUMBS", "REWARD_MARGIN");
    for (JsonNode row : trl) {
      assertColumns(row, List.of("prompt", "chosen", "rejected"), TRL_METADATA);
      assertThat(row.get("chosen").get(0).get("role").asText()).isEqualTo("assistant");
      assertThat(row.toString()).doesNotContain("ann@example.com");
      assertThat(row.get("pair_id").asText()).startsWith("pair-");
      assertThat(row.get("pipeline_version").asText()).isEqualTo(Stages.PIPELINE_VERSION);
    }
    assertThat(rows("trl-preference-text-jsonl", "pairs")).hasSize(4);
    assertThat(rows("openrlhf-jsonl", "pairs")).hasSize(4);
    assertThat(rows("openai-dpo-jsonl", "pairs")).hasSize(4);
    // the lone thumbs-up stays paired with the thumbs-down; the regeneration is an undesirable
    // example
    assertThat(rows("kto-jsonl", "examples"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("label").booleanValue()).isFalse();
              assertThat(row.get("source").asText()).isEqualTo("REGENERATE");
              assertThat(row.get("completion").get(0).get("content").asText()).contains("[EMAIL]");
            });
  }

  // ---------------------------------------------------------------- the job

  private void run(
      List<PreferencePair> pairs, List<UnpairedExample> unpaired, Set<ExportFormat> formats)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.configure(conf, PreferenceFilesITCase.class.getClassLoader());
    env.setParallelism(2);
    DataStream<PreferencePair> pairStream =
        env.fromData(pairs, new AvroTypeInfo<>(PreferencePair.class))
            .uid("source-pairs")
            .name("Pairs");
    DataStream<UnpairedExample> unpairedStream =
        unpaired == null
            ? null
            : env.fromData(unpaired, new AvroTypeInfo<>(UnpairedExample.class))
                .uid("source-unpaired")
                .name("Unpaired");
    PreferenceFiles.attach(
        pairStream,
        unpairedStream,
        new org.apache.flink.core.fs.Path(dir.resolve("out").toUri()),
        formats);
    env.execute("preference-files");
  }

  // ---------------------------------------------------------------- fixtures

  /** Chosen "42" over rejected "48"; ids that must never appear inside a training key. */
  private static PreferencePair pair(
      String id, PairSource source, String chosenGenerationId, Double margin, double confidence) {
    List<String> generationIds = new ArrayList<>();
    if (chosenGenerationId != null) {
      generationIds.add(chosenGenerationId);
    }
    generationIds.add(id + "-rejected-gen");
    List<Long> versions = new ArrayList<>();
    List<String> models = new ArrayList<>();
    for (int i = 0; i < generationIds.size(); i++) {
      versions.add(7L);
      models.add("model-under-test");
    }
    return PreferencePair.newBuilder()
        .setPairId(id)
        .setPromptId("prompt-under-test")
        .setPrompt(prompt())
        .setChosen("42")
        .setRejected("48")
        .setChosenGenerationId(chosenGenerationId)
        .setRejectedGenerationId(id + "-rejected-gen")
        .setMargin(margin)
        .setSource(source)
        .setConfidence(confidence)
        .setProvenance(
            Provenance.newBuilder()
                .setGenerationIds(generationIds)
                .setFeedbackIds(List.of(id + "-feedback"))
                .setModelIds(models)
                .setPolicyVersions(versions)
                .setPipelineVersion("pipeline-under-test")
                .build())
        .setCreatedAtMs(1_767_225_600_000L)
        .build();
  }

  private static UnpairedExample example(String id, PairSource source, boolean label) {
    return UnpairedExample.newBuilder()
        .setExampleId(id)
        .setPromptId("prompt-under-test")
        .setPrompt(prompt())
        .setCompletion("48")
        .setLabel(label)
        .setGenerationId("gen-u")
        .setSource(source)
        .setConfidence(0.3)
        .setProvenance(
            Provenance.newBuilder()
                .setGenerationIds(List.of("gen-u"))
                .setFeedbackIds(List.of(id + "-feedback"))
                .setModelIds(List.of("model-under-test"))
                .setPolicyVersions(List.of(7L))
                .setPipelineVersion("pipeline-under-test")
                .build())
        .setCreatedAtMs(1_767_225_600_001L)
        .build();
  }

  private static List<ChatMessage> prompt() {
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < PROMPT.size(); i += 2) {
      messages.add(new ChatMessage(PROMPT.get(i), PROMPT.get(i + 1)));
    }
    return messages;
  }

  private static Generation generation(String id, int index, String response) {
    return Generation.newBuilder()
        .setGenerationId(id)
        .setPromptId("p")
        .setGroupId("p")
        .setExpectedGroupSize(4)
        .setSampleIndex(index)
        .setPrompt(List.of(new ChatMessage("user", "What is 6 times 7?")))
        .setResponse(response)
        .setTask(
            TaskMetadata.newBuilder()
                .setDataSource("fixture")
                .setKind(TaskKind.MATH)
                .setGroundTruth("42")
                .build())
        .setPolicy(Policy.newBuilder().setModelId("m").setPolicyVersion(2).build())
        .setCreatedAtMs(1_767_225_600_000L + index)
        .setConsentToTrain(true)
        .build();
  }

  private static Feedback.Builder feedback(String id, String generationId) {
    return Feedback.newBuilder()
        .setFeedbackId(id)
        .setGenerationId(generationId)
        .setCreatedAtMs(1_767_225_605_000L);
  }

  // ---------------------------------------------------------------- checks

  private static void assertColumns(JsonNode row, List<String> training, List<String> metadata) {
    List<String> expected = new ArrayList<>(training);
    expected.addAll(metadata);
    assertThat(fieldNames(row)).containsExactlyElementsOf(expected);
  }

  private static void assertPrompt(JsonNode prompt) {
    assertThat(prompt.isArray()).isTrue();
    List<String> flat = new ArrayList<>();
    for (JsonNode m : prompt) {
      assertThat(fieldNames(m)).containsExactly("role", "content");
      assertThat(m.get("role").isTextual()).isTrue();
      assertThat(m.get("content").isTextual()).isTrue();
      flat.add(m.get("role").textValue());
      flat.add(m.get("content").textValue());
    }
    assertThat(flat).isEqualTo(PROMPT);
  }

  private static void assertReply(JsonNode reply, String content) {
    assertThat(reply.isArray()).isTrue();
    assertThat(reply)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(fieldNames(m)).containsExactly("role", "content");
              assertThat(m.get("role").textValue()).isEqualTo("assistant");
              assertThat(m.get("content").textValue()).isEqualTo(content);
            });
  }

  /** The provenance of {@link #pair}, wherever it sits (top-level columns or the nested object). */
  private static void assertPairMetadata(JsonNode m) {
    String id = m.get("pair_id").textValue();
    assertThat(id).startsWith("pair-");
    assertThat(m.get("prompt_id").textValue()).isEqualTo("prompt-under-test");
    assertThat(m.get("source").isTextual()).isTrue();
    assertThat(m.get("confidence").isNumber()).isTrue();
    assertThat(m.get("rejected_generation_id").textValue()).isEqualTo(id + "-rejected-gen");
    JsonNode chosen = m.get("chosen_generation_id");
    assertThat(chosen.isNull() || chosen.isTextual()).isTrue();
    assertThat(m.get("generation_ids").isArray()).isTrue();
    assertThat(m.get("generation_ids"))
        .allSatisfy(g -> assertThat(g.isTextual()).isTrue())
        .last()
        .satisfies(g -> assertThat(g.textValue()).isEqualTo(id + "-rejected-gen"));
    assertThat(m.get("feedback_ids"))
        .singleElement()
        .satisfies(f -> assertThat(f.textValue()).isEqualTo(id + "-feedback"));
    assertThat(m.get("model_ids")).hasSameSizeAs(m.get("generation_ids"));
    assertThat(m.get("policy_versions"))
        .hasSameSizeAs(m.get("generation_ids"))
        .allSatisfy(v -> assertThat(v.isIntegralNumber()).isTrue());
    assertThat(m.get("pipeline_version").textValue()).isEqualTo("pipeline-under-test");
    assertThat(m.get("created_at_ms").isIntegralNumber()).isTrue();
  }

  /** No id, model or version string of the fixtures appears inside the training keys. */
  private static void assertNoProvenance(JsonNode row, String... trainingKeys) {
    for (String key : trainingKeys) {
      assertThat(row.get(key).toString())
          .as(key)
          .doesNotContain(
              "pair-",
              "example-",
              "gen-",
              "-feedback",
              "model-under-test",
              "pipeline-under-test",
              "prompt-under-test",
              "THUMBS",
              "VOTE",
              "EDIT",
              "RATING",
              "REGENERATE");
    }
  }

  private static Map<String, JsonNode> byId(List<JsonNode> rows, String idColumn) {
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode row : rows) {
      assertThat(byId.put(row.get(idColumn).textValue(), row)).as("duplicate " + idColumn).isNull();
    }
    return byId;
  }

  private List<JsonNode> rows(String format, String filePrefix) throws IOException {
    List<Path> files = JsonLinesTestFiles.finished(dir.resolve("out").resolve(format));
    assertThat(files)
        .isNotEmpty()
        .allSatisfy(
            f ->
                assertThat(f.getFileName().toString())
                    .startsWith(filePrefix + "-")
                    .endsWith(".jsonl"));
    List<JsonNode> rows = new ArrayList<>();
    for (String line : JsonLinesTestFiles.lines(files)) {
      rows.add(JSON.readTree(line));
    }
    return rows;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
