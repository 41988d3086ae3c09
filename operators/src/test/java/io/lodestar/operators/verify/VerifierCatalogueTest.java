package io.lodestar.operators.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lodestar.operators.TestRecords;
import io.lodestar.operators.health.ComponentRole;
import io.lodestar.operators.health.HealthSettings;
import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.TaskKind;
import io.lodestar.schema.TaskMetadata;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VerifierCatalogueTest {

  /**
   * A generation every verifier of the catalogue can score: a number, its ground truth, a pattern.
   */
  private static final Generation ANSWER_42 =
      TestRecords.generation("g")
          .setResponse("42")
          .setTask(
              TaskMetadata.newBuilder()
                  .setKind(TaskKind.OTHER)
                  .setDataSource("all")
                  .setGroundTruth("42")
                  .setExtra(Map.of("regex", "\\d+"))
                  .build())
          .build();

  @Test
  void everyEntryBuildsAVerifierThatWritesTheEntrysNameAndVersion() {
    for (VerifierCatalogue.Entry entry : VerifierCatalogue.entries()) {
      Verifier verifier = entry.factory().create(VerifierCatalogue.Settings.defaults());
      RewardComponent component = verifier.score(ANSWER_42);

      assertThat(verifier.name()).as(entry.name()).isEqualTo(entry.name());
      assertThat(component.getName()).as(entry.name()).isEqualTo(entry.name());
      assertThat(component.getVersion()).as(entry.name()).isEqualTo(entry.version());
      assertThat(component.getSource())
          .as(entry.name())
          .isEqualTo(
              entry.role() == VerifierCatalogue.Role.INFORMATIONAL
                  ? RewardSource.SHAPING
                  : RewardSource.VERIFIER);
    }
  }

  @Test
  void theRegistryOffersExactlyTheCatalogueUnderTheNamesRulesAlreadyUse() {
    assertThat(VerifierRegistry.available())
        .isEqualTo(VerifierCatalogue.names())
        .containsExactly(
            "math_equivalence",
            "numeric_answer",
            "format",
            "tag_count",
            "exact_match",
            "json_schema",
            "regex_match",
            "self_certainty");
  }

  @Test
  void aKindRuleNamingSelfCertaintyAddsItBesideTheVerifiersAndNoRuleMeansNone() {
    Generation sure =
        TestRecords.generation("sure")
            .setResponse("42")
            .setTask(ANSWER_42.getTask())
            .setResponseTokenIds(List.of(1))
            .setResponseLogprobs(List.of(-0.1f))
            .setTopLogprobs(List.of(List.of((float) Math.log(0.4), (float) Math.log(0.1))))
            .build();

    List<RewardComponent> selected =
        VerifierRegistry.fromRules(Map.of("kind.OTHER", "exact_match,self_certainty")).score(sure);

    assertThat(selected)
        .extracting(RewardComponent::getName)
        .containsExactly("exact_match", "self_certainty");
    assertThat(selected.get(1).getValue()).isCloseTo(Math.log(1.25), within(1e-6));
    assertThat(selected.get(1).getDetail()).isEqualTo("kl-uniform k=2 tokens=1");
    assertThat(VerifierRegistry.fromRules(Map.of("kind.OTHER", "exact_match")).score(sure))
        .extracting(RewardComponent::getName)
        .containsExactly("exact_match");
    assertThat(VerifierRegistry.defaults().score(sure))
        .extracting(RewardComponent::getName)
        .doesNotContain("self_certainty");
  }

  @Test
  void healthCountsFormatEntriesAsFormatAccuracyEntriesAsAccuracyAndInformationalOnesAsNoVerdict() {
    assertThat(HealthSettings.DEFAULT_FORMAT_COMPONENTS)
        .containsExactly("format", "tag_count", "json_schema");
    HealthSettings health = HealthSettings.defaults();
    for (VerifierCatalogue.Entry entry : VerifierCatalogue.entries()) {
      RewardSource written =
          entry
              .factory()
              .create(VerifierCatalogue.Settings.defaults())
              .score(ANSWER_42)
              .getSource();
      ComponentRole expected =
          switch (entry.role()) {
            case FORMAT -> ComponentRole.FORMAT;
            case ACCURACY -> ComponentRole.ACCURACY;
            case INFORMATIONAL -> ComponentRole.SHAPING;
          };
      assertThat(health.roleOf(entry.name(), written)).as(entry.name()).isEqualTo(expected);
    }
  }

  @Test
  void aRegistryOfEveryVerifierStillScoresAfterJavaSerialisation() throws Exception {
    String everyVerifier = String.join(",", VerifierCatalogue.names());
    VerifierRegistry registry = VerifierRegistry.fromRules(Map.of("source.all", everyVerifier));
    registry.score(ANSWER_42); // fills the verifiers' caches, which must not travel

    VerifierRegistry copy = roundTrip(registry);

    assertThat(copy.score(ANSWER_42))
        .extracting(RewardComponent::getName)
        .isEqualTo(VerifierCatalogue.names());
    assertThat(copy.score(ANSWER_42)).isEqualTo(registry.score(ANSWER_42));
  }

  @Test
  void theRewardsDocsVerifierTableIsTheCatalogue() throws IOException {
    List<String> documented = new ArrayList<>();
    for (List<String> row : table(docsFile("docs/rewards.md"), "| name | version | role |")) {
      documented.add(unquote(row.get(0)) + " " + unquote(row.get(1)) + " " + row.get(2));
    }
    List<String> catalogue = new ArrayList<>();
    for (VerifierCatalogue.Entry e : VerifierCatalogue.entries()) {
      catalogue.add(e.name() + " " + e.version() + " " + e.role());
    }
    assertThat(documented).as("docs/rewards.md, section Verifiers").isEqualTo(catalogue);
  }

  @Test
  void theReadmeNamesEveryVerifierOfTheCatalogue() throws IOException {
    String readme = docsFile("README.md").replaceAll("\\s+", " ");
    Matcher available = Pattern.compile("Available: (.*?) \\(").matcher(readme);
    assertThat(available.find()).as("README's list of available verifiers").isTrue();
    List<String> names = new ArrayList<>();
    Matcher quoted = Pattern.compile("`([a-z_]+)`").matcher(available.group(1));
    while (quoted.find()) {
      names.add(quoted.group(1));
    }
    assertThat(names).isEqualTo(VerifierCatalogue.names());
  }

  /** The cells of the table whose header line starts with {@code header}, one list per row. */
  static List<List<String>> table(String markdown, String header) {
    List<String> lines = markdown.lines().toList();
    int at = 0;
    while (at < lines.size() && !lines.get(at).startsWith(header)) {
      at++;
    }
    assertThat(at).as("a table headed " + header).isLessThan(lines.size());
    List<List<String>> rows = new ArrayList<>();
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String line = lines.get(i);
      List<String> cells = new ArrayList<>();
      for (String cell : line.substring(1, line.length() - 1).split("\\|")) {
        cells.add(cell.strip());
      }
      rows.add(cells);
    }
    return rows;
  }

  private static String unquote(String cell) {
    return cell.startsWith("`") && cell.endsWith("`") ? cell.substring(1, cell.length() - 1) : cell;
  }

  /** A file of the repository, found from the module or the repository root. */
  static String docsFile(String relative) throws IOException {
    for (Path candidate : List.of(Path.of("..").resolve(relative), Path.of(relative))) {
      if (Files.isRegularFile(candidate)) {
        return Files.readString(candidate, StandardCharsets.UTF_8);
      }
    }
    throw new IllegalStateException(relative + " not found from " + Path.of("").toAbsolutePath());
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
