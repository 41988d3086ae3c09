package io.lodestar.jobs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.Description;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/**
 * docs/configuration.md, generated from {@link OptionCatalog}: one table (key, type, default,
 * description) per options class. {@code ConfigurationReferenceTest} fails when the file drifts
 * from the options; {@code main} (or that test with {@code -Dregenerate}) rewrites it.
 */
public final class ConfigurationReference {

  /** The command that rewrites the file, from the repository root. */
  public static final String REGENERATE =
      "./mvnw -B -q -o -pl jobs -am test -Dtest=ConfigurationReferenceTest -Dregenerate"
          + " -Dsurefire.failIfNoSpecifiedTests=false";

  /** Defaults longer than this, or of several lines, are shown after the tables. */
  private static final int LONGEST_INLINE_DEFAULT = 60;

  private ConfigurationReference() {}

  /** Writes the reference to the given file (default: docs/configuration.md). */
  public static void main(String[] args) throws IOException {
    Path target = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
    Files.writeString(target, markdown(), StandardCharsets.UTF_8);
  }

  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration\n\n")
        .append(
            "_Generated from the options classes in `jobs/src/main/java/io/lodestar/jobs/config`")
        .append(
            " (`OptionCatalog`); do not edit by hand. After changing an option, regenerate with")
        .append(" `")
        .append(REGENERATE)
        .append("`; `ConfigurationReferenceTest` fails while this file is out of date._\n\n");
    md.append(INTRODUCTION);
    List<OptionCatalog.Entry> longDefaults = new ArrayList<>();
    OptionCatalog.Section current = null;
    for (OptionCatalog.Entry entry : OptionCatalog.entries()) {
      if (entry.section() != current) {
        current = entry.section();
        md.append("\n## ")
            .append(current.title())
            .append("\n\n")
            .append("Declared in `")
            .append(current.holder().getSimpleName())
            .append("`.\n\n")
            .append("| Key | Type | Default | Description |\n")
            .append("|---|---|---|---|\n");
      }
      ConfigOption<?> option = entry.option();
      String shownDefault = defaultText(option);
      String defaultCell;
      if (shownDefault == null) {
        defaultCell = "(none)";
      } else if (shownDefault.isEmpty()) {
        defaultCell = "(empty)";
      } else if (shownDefault.contains("\n") || shownDefault.length() > LONGEST_INLINE_DEFAULT) {
        defaultCell = "see [Long defaults](#long-defaults)";
        longDefaults.add(entry);
      } else {
        defaultCell = "`" + shownDefault + "`";
      }
      md.append("| `")
          .append(option.key())
          .append("` | ")
          .append(typeName(entry.valueType()))
          .append(" | ")
          .append(cell(defaultCell))
          .append(" | ")
          .append(cell(description(option, entry.valueType())))
          .append(" |\n");
    }
    if (!longDefaults.isEmpty()) {
      md.append("\n## Long defaults\n");
      for (OptionCatalog.Entry entry : longDefaults) {
        md.append("\n`")
            .append(entry.option().key())
            .append("`:\n\n```text\n")
            .append(defaultText(entry.option()))
            .append("\n```\n");
      }
    }
    return md.toString();
  }

  private static final String INTRODUCTION =
      "A job takes `--config file.properties` (Java properties) and `--key value` or"
          + " `--key=value` flags; flags win over the file. Unknown keys and bad values stop the"
          + " job at start-up with a message that names the key. Any value may be `${env:NAME}` or"
          + " `${file:/path}`, so secrets need not sit in files or command lines; secret values"
          + " are printed as `****`.\n\n"
          + "Durations are written like `30 s`, `5 min`, `1 h` or `200 ms`. A choice (type Enum)"
          + " takes one of the listed values, in any case.\n\n"
          + "Besides the keys below:\n\n"
          + "- `kafka.<setting>`: passed, without the prefix, to every Kafka client (sources,"
          + " sinks, admin), e.g. `kafka.bootstrap.servers`, `kafka.security.protocol`,"
          + " `kafka.sasl.jaas.config`.\n"
          + "- `verifiers.kind.<KIND>` and `verifiers.source.<dataSource>`: the verifiers"
          + " (comma-separated names; empty switches them off) for a task kind or a data source;"
          + " a data-source rule wins (docs/rewards.md, \"Verifiers\").\n"
          + "- `-D <key>=<value>` or `--flink.<key> <value>`: any Flink setting; it wins over"
          + " Lodestar's own, which win over `FLINK_CONF_DIR`'s `config.yaml`.\n"
          + "- `execution.state-recovery.path` (or `execution.savepoint.path`), with"
          + " `execution.state-recovery.claim-mode` and"
          + " `execution.state-recovery.ignore-unclaimed-state`: resume from a retained"
          + " checkpoint or a savepoint (docs/recovery.md).\n";

  /** The default as a user would write it, or null when the option has none. */
  private static String defaultText(ConfigOption<?> option) {
    if (!option.hasDefaultValue()) {
      return null;
    }
    Object value = option.defaultValue();
    return value instanceof Duration duration
        ? TimeUtils.formatWithHighestUnit(duration)
        : String.valueOf(value);
  }

  private static String typeName(Class<?> type) {
    return type.isEnum() ? "Enum" : type.getSimpleName();
  }

  private static String description(ConfigOption<?> option, Class<?> type) {
    HtmlFormatter html = new HtmlFormatter();
    StringBuilder text = new StringBuilder(html.format(option.description()));
    if (type.isEnum()) {
      text.append("<br>Possible values:");
      for (Object value : type.getEnumConstants()) {
        text.append("<br>`").append(value).append('`');
        if (value instanceof DescribedEnum described) {
          text.append(": ")
              .append(
                  html.format(
                      Description.builder().text("%s", described.getDescription()).build()));
        }
      }
    }
    return text.toString();
  }

  /** Text safe inside one cell of a Markdown table. */
  private static String cell(String text) {
    return text.replace("\n", "<br>").replace("|", "\\|");
  }
}
