package io.lodestar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lodestar.jobs.ExportFormat.Kind;
import io.lodestar.jobs.config.LodestarOptions;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.UnpairedExample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class ExportFormatTest {

  private static final org.apache.flink.core.fs.Path EXPORT_DIR =
      new org.apache.flink.core.fs.Path("file:///tmp/lodestar-export");

  @Test
  void theOptionsDefaultToEveryFormatOfTheirKindAndNameTheValidOnesWhenOneIsUnknown() {
    LodestarOptions defaults = LodestarOptions.fromArgs(new String[0]);

    assertThat(defaults.exportFormats())
        .containsExactly(
            ExportFormat.VERL_PARQUET, ExportFormat.VERL_JSONL, ExportFormat.TRL_JSONL);
    assertThat(defaults.preferenceExportFormats())
        .containsExactly(
            ExportFormat.TRL_PREFERENCE_JSONL,
            ExportFormat.TRL_PREFERENCE_TEXT_JSONL,
            ExportFormat.KTO_JSONL,
            ExportFormat.OPENRLHF_JSONL,
            ExportFormat.OPENAI_DPO_JSONL);
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(new String[] {"--export.formats", "verl-jsonl,kto-jsonl"}))
        .hasMessageContaining("export.formats")
        .hasMessageContaining(
            "unknown trainer file format 'kto-jsonl'; use any of verl-parquet, verl-jsonl, trl-jsonl");
    assertThatThrownBy(
            () ->
                LodestarOptions.fromArgs(new String[] {"--export.preference-formats", "trl-jsonl"}))
        .hasMessageContaining("export.preference-formats")
        .hasMessageContaining("unknown preference file format 'trl-jsonl'");
    assertThat(ExportFormat.parseList(Kind.PREFERENCE, " , ")).isEmpty();
  }

  @Test
  void everyRowMappingAndSinkKeepsItsUidAndRowsSharedByTwoFormatsAreMadeOnce() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TrainerFiles.attach(
        graphOnly(env, RLBatch.class), EXPORT_DIR, EnumSet.copyOf(ExportFormat.of(Kind.RL)));
    PreferenceFiles.attach(
        graphOnly(env, PreferencePair.class),
        graphOnly(env, UnpairedExample.class),
        EXPORT_DIR,
        EnumSet.copyOf(ExportFormat.of(Kind.PREFERENCE)));

    List<String> uids = new ArrayList<>();
    for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
      if (node.getTransformationUID() != null
          && !node.getTransformationUID().startsWith("graph-only-")) {
        uids.add(node.getTransformationUID());
      }
    }
    List<String> sinks =
        List.of(
            "sink-verl-parquet",
            "sink-verl-jsonl",
            "sink-trl-jsonl",
            "sink-trl-preference-jsonl",
            "sink-trl-preference-text-jsonl",
            "sink-openrlhf-jsonl",
            "sink-openai-dpo-jsonl",
            "sink-kto-jsonl");
    List<String> expected =
        new ArrayList<>(
            List.of(
                "batch-to-verl-samples",
                "batch-to-trl-samples",
                "pairs-to-trl-preference",
                "pairs-to-trl-preference-text",
                "pairs-to-openrlhf",
                "pairs-to-openai-dpo",
                "unpaired-to-kto"));
    expected.addAll(sinks);
    sinks.forEach(sink -> expected.add("Sink Committer: " + sink));
    // Savepoints find operator state (the sinks' pending files included) by these uids: they must
    // never change.
    assertThat(uids).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void withoutUnpairedExamplesNoKtoFileIsAttached() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    PreferenceFiles.attach(
        graphOnly(env, PreferencePair.class),
        null,
        EXPORT_DIR,
        EnumSet.copyOf(ExportFormat.of(Kind.PREFERENCE)));

    List<String> uids = new ArrayList<>();
    env.getStreamGraph()
        .getStreamNodes()
        .forEach(n -> uids.add(String.valueOf(n.getTransformationUID())));
    assertThat(uids)
        .contains("sink-openai-dpo-jsonl")
        .doesNotContain("unpaired-to-kto", "sink-kto-jsonl");
  }

  @Test
  void aFormatOfTheOtherKindIsRefusedRatherThanSilentlyNotWritten() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertThatThrownBy(
            () ->
                TrainerFiles.attach(
                    graphOnly(env, RLBatch.class), EXPORT_DIR, Set.of(ExportFormat.KTO_JSONL)))
        .hasMessageContaining("kto-jsonl is not a trainer file format");
    assertThatThrownBy(
            () ->
                PreferenceFiles.attach(
                    graphOnly(env, PreferencePair.class),
                    null,
                    EXPORT_DIR,
                    Set.of(ExportFormat.VERL_JSONL)))
        .hasMessageContaining("verl-jsonl is not a preference file format");
  }

  @Test
  void theExportsDocsListEveryFormatWithItsFilesAndRecord() throws IOException {
    String docs = repositoryFile("docs/exports.md");

    List<String> trainerFiles = new ArrayList<>();
    for (List<String> row : table(docs, "| where | streaming job")) {
      trainerFiles.add(row.get(1).replace("`", "").replace("<export.dir>/", ""));
    }
    assertThat(trainerFiles)
        .isEqualTo(ExportFormat.of(Kind.RL).stream().map(ExportFormat::fileLayout).toList());
    Matcher picks =
        Pattern.compile("`export\\.formats` picks any of ([^(]*)\\(")
            .matcher(docs.replaceAll("\\s+", " "));
    assertThat(picks.find()).as("docs/exports.md: 'export.formats picks any of'").isTrue();
    assertThat(quoted(picks.group(1))).isEqualTo(ids(Kind.RL));

    List<String> preference = new ArrayList<>();
    for (List<String> row : table(docs, "| id (`DIR/<id>/`) | files | record")) {
      preference.add(String.join(" ", row.get(0), row.get(1), row.get(2)).replace("`", ""));
    }
    List<String> table = new ArrayList<>();
    for (ExportFormat f : ExportFormat.of(Kind.PREFERENCE)) {
      table.add(
          f.id()
              + " "
              + f.fileLayout().substring(f.id().length() + 1)
              + " "
              + f.recordType().getSimpleName());
    }
    assertThat(preference).isEqualTo(table);
  }

  @Test
  void theConfigurationReferenceListsEveryFormatOfEachOption() throws IOException {
    String reference = repositoryFile("docs/configuration.md");

    assertThat(lastCell(reference, "| `export.formats` |"))
        .contains("any of " + ExportFormat.idList(Kind.RL) + " ");
    assertThat(lastCell(reference, "| `export.preference-formats` |"))
        .contains("any of " + ExportFormat.idList(Kind.PREFERENCE) + " ");
  }

  private static <T extends SpecificRecordBase> DataStream<T> graphOnly(
      StreamExecutionEnvironment env, Class<T> type) {
    // Builds the graph only; nothing runs, so no record is ever made.
    return env.fromSequence(0, 0)
        .map(i -> (T) null, new AvroTypeInfo<>(type))
        .uid("graph-only-" + type.getSimpleName());
  }

  private static List<String> ids(Kind kind) {
    return ExportFormat.of(kind).stream().map(ExportFormat::id).toList();
  }

  private static List<String> quoted(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("`([a-z0-9-]+)`").matcher(text);
    while (m.find()) {
      words.add(m.group(1));
    }
    return words;
  }

  private static String lastCell(String markdown, String rowStart) {
    String row =
        markdown
            .lines()
            .filter(l -> l.startsWith(rowStart))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no row starting " + rowStart));
    String[] cells = row.split("\\|");
    return cells[cells.length - 1];
  }

  /** The cells of the table whose header line starts with {@code header}, one list per row. */
  private static List<List<String>> table(String markdown, String header) {
    List<String> lines = markdown.lines().toList();
    int at = 0;
    while (at < lines.size() && !lines.get(at).startsWith(header)) {
      at++;
    }
    assertThat(at).as("a table headed " + header).isLessThan(lines.size());
    List<List<String>> rows = new ArrayList<>();
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      List<String> cells = new ArrayList<>();
      for (String cell : lines.get(i).substring(1).split("\\|")) {
        cells.add(cell.strip());
      }
      rows.add(cells);
    }
    return rows;
  }

  private static String repositoryFile(String relative) throws IOException {
    for (Path candidate : List.of(Path.of("..").resolve(relative), Path.of(relative))) {
      if (Files.isRegularFile(candidate)) {
        return Files.readString(candidate, StandardCharsets.UTF_8);
      }
    }
    throw new IllegalStateException(relative + " not found from " + Path.of("").toAbsolutePath());
  }
}
