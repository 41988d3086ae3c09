package io.lodestar.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the options classes say; {@code -Dregenerate} rewrites it. */
class ConfigurationReferenceTest {

  private static final Path REFERENCE =
      Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");

  @Test
  void theConfigurationReferenceMatchesTheOptions() throws Exception {
    String generated = ConfigurationReference.markdown();
    if (System.getProperty("regenerate") != null) {
      Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(REFERENCE))
        .as("docs/configuration.md is missing; create it with " + ConfigurationReference.REGENERATE)
        .isTrue();
    assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
        .as(
            "docs/configuration.md is out of date with the options; regenerate it with "
                + ConfigurationReference.REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void everyOptionIsDocumentedOnceWithItsKeyAndDefault() {
    String generated = ConfigurationReference.markdown();
    for (OptionCatalog.Entry entry : OptionCatalog.entries()) {
      assertThat(generated).contains("| `" + entry.option().key() + "` |");
      assertThat(entry.option().description().getBlocks())
          .as("description of " + entry.option().key())
          .isNotEmpty();
    }
    assertThat(generated)
        .contains("| `batch.groups` | Integer | `8` |")
        .contains("| `group.timeout` | Duration | `2 min` |")
        .contains("| `sink.format` | Enum | `avro` |")
        .contains("<br>`openai-chat`: ");
  }
}
