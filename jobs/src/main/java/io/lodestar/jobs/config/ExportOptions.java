package io.lodestar.jobs.config;

import io.lodestar.jobs.ExportFormat;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** Trainer and preference files the streaming job writes next to its Kafka outputs. */
public final class ExportOptions {

  private ExportOptions() {}

  public static final ConfigOption<String> EXPORT_DIR =
      ConfigOptions.key("export.dir")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Streaming job: directory (path or URI) for trainer files of every RL batch, committed on checkpoints; empty: none.");
  public static final ConfigOption<String> EXPORT_FORMATS =
      ConfigOptions.key("export.formats")
          .stringType()
          .defaultValue(ExportFormat.idList(ExportFormat.Kind.RL))
          .withDescription(
              "Which trainer files: any of "
                  + ExportFormat.idList(ExportFormat.Kind.RL)
                  + " (comma-separated).");
  public static final ConfigOption<String> EXPORT_PREFERENCE_FORMATS =
      ConfigOptions.key("export.preference-formats")
          .stringType()
          .defaultValue(ExportFormat.idList(ExportFormat.Kind.PREFERENCE))
          .withDescription(
              "Which preference files under export.dir: any of "
                  + ExportFormat.idList(ExportFormat.Kind.PREFERENCE)
                  + " (comma-separated; empty: none).");

  static void validate(Configuration config) {
    exportFormats(config);
    preferenceExportFormats(config);
  }

  /** The trainer files to write; fails naming the key and the unknown format. */
  static Set<ExportFormat> exportFormats(Configuration config) {
    return OptionChecks.parse(
        config, EXPORT_FORMATS, list -> ExportFormat.parseList(ExportFormat.Kind.RL, list));
  }

  static Set<ExportFormat> preferenceExportFormats(Configuration config) {
    return OptionChecks.parse(
        config,
        EXPORT_PREFERENCE_FORMATS,
        list -> ExportFormat.parseList(ExportFormat.Kind.PREFERENCE, list));
  }
}
