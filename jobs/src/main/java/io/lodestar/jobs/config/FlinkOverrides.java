package io.lodestar.jobs.config;

import io.lodestar.connectors.kafka.KafkaSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * The Flink settings a job takes besides Lodestar's own: the {@code config.yaml} of {@code
 * FLINK_CONF_DIR} (the base), and overrides from {@code -D key=value}, {@code --flink.<key> value}
 * and the restore flags {@code --execution.state-recovery.path} (or its older name {@code
 * --execution.savepoint.path}), {@code --execution.state-recovery.claim-mode} and {@code
 * --execution.state-recovery.ignore-unclaimed-state}. Validated at start-up with messages that name
 * the key; a restore path on the local file system must be one retained checkpoint or savepoint.
 */
public final class FlinkOverrides {

  /** Keys under this prefix are Flink settings (prefix removed), as {@code -D} gives them. */
  public static final String PREFIX = "flink.";

  /** The environment variable naming the folder of Flink's {@code config.yaml}. */
  public static final String CONF_DIR_VARIABLE = "FLINK_CONF_DIR";

  /**
   * The restore settings a job takes as plain flags, each under its current key or an older one.
   */
  static final List<ConfigOption<?>> RESTORE_OPTIONS =
      List.of(
          StateRecoveryOptions.SAVEPOINT_PATH,
          StateRecoveryOptions.RESTORE_MODE,
          StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE);

  private static final Pattern CHECKPOINT_FOLDER = Pattern.compile("chk-(\\d+)");
  private static final String METADATA = "_metadata";

  private final String confDir;
  private final Configuration base;
  private final Map<String, String> overrides;

  private FlinkOverrides(String confDir, Configuration base, Map<String, String> overrides) {
    this.confDir = confDir;
    this.base = base;
    this.overrides = overrides;
  }

  /** None: no config.yaml, no overrides. */
  public static FlinkOverrides none() {
    return new FlinkOverrides(null, new Configuration(), Map.of());
  }

  /**
   * The current key of a restore flag given as {@code key} (current or older name), or empty when
   * {@code key} is not one.
   */
  static Optional<String> restoreKey(String key) {
    for (ConfigOption<?> option : RESTORE_OPTIONS) {
      if (option.key().equals(key)) {
        return Optional.of(key);
      }
      for (FallbackKey fallback : option.fallbackKeys()) {
        if (fallback.getKey().equals(key)) {
          return Optional.of(option.key());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reads {@code confDir}'s config.yaml (when {@code confDir} is set) and validates the overrides.
   *
   * @param given Flink key to value, as given; restore flags under an older name are renamed
   */
  static FlinkOverrides of(String confDir, Map<String, String> given) {
    Configuration base = new Configuration();
    if (confDir != null && !confDir.isBlank()) {
      try {
        base = GlobalConfiguration.loadConfiguration(confDir);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            CONF_DIR_VARIABLE + "=" + confDir + " cannot be read: " + e.getMessage(), e);
      }
    }
    Map<String, String> overrides = new TreeMap<>();
    Map<String, String> givenAs = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String key = e.getKey().trim();
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            "a Flink setting (-D key=value or --flink.<key> value) has no key");
      }
      String canonical = restoreKey(key).orElse(key);
      String earlier = givenAs.put(canonical, key);
      if (earlier != null && !overrides.get(canonical).equals(e.getValue())) {
        throw new IllegalArgumentException(
            earlier
                + " and "
                + key
                + " name the same setting with different values: "
                + overrides.get(canonical)
                + " and "
                + e.getValue());
      }
      overrides.put(canonical, e.getValue());
    }
    FlinkOverrides flink = new FlinkOverrides(confDir, base, overrides);
    flink.validate();
    return flink;
  }

  private void validate() {
    Configuration typed = overrides();
    for (ConfigOption<?> option : RESTORE_OPTIONS) {
      try {
        typed.get(option);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            option.key()
                + " has a value that is not valid: "
                + overrides.get(option.key())
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    restorePath().ifPresent(FlinkOverrides::checkRestorePath);
  }

  /**
   * A restore path on the local file system must be a retained checkpoint ({@code .../chk-N}) or a
   * savepoint: a folder holding {@code _metadata}, or that file. Other file systems are checked by
   * Flink when the job is submitted.
   */
  static void checkRestorePath(String value) {
    String key = StateRecoveryOptions.SAVEPOINT_PATH.key();
    if (value.isBlank()) {
      throw new IllegalArgumentException(
          key + " is empty: name a retained checkpoint (.../chk-N) or a savepoint");
    }
    Path local;
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null) {
        local = Path.of(value);
      } else if (uri.getScheme().equals("file")) {
        local = Path.of(uri);
      } else {
        return;
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      local = Path.of(value);
    }
    if (!Files.exists(local)) {
      throw new IllegalArgumentException(key + "=" + value + " does not exist");
    }
    if (Files.isRegularFile(local)) {
      if (!local.getFileName().toString().equals(METADATA)) {
        throw new IllegalArgumentException(
            key
                + "="
                + value
                + " is a file but not a checkpoint's "
                + METADATA
                + ": name its folder (.../chk-N)");
      }
      return;
    }
    if (Files.isRegularFile(local.resolve(METADATA))) {
      return;
    }
    Optional<Path> newest = newestCheckpoint(local);
    if (newest.isPresent()) {
      throw new IllegalArgumentException(
          key
              + "="
              + value
              + " is a job's checkpoint folder, not one checkpoint: name one of its retained checkpoints,"
              + " e.g. the newest, "
              + newest.get());
    }
    throw new IllegalArgumentException(
        key
            + "="
            + value
            + " holds no "
            + METADATA
            + ": it is neither a retained checkpoint (.../chk-N) nor a savepoint");
  }

  /** The retained checkpoint with the highest number in a job's checkpoint folder, if any. */
  static Optional<Path> newestCheckpoint(Path jobFolder) {
    try (Stream<Path> children = Files.list(jobFolder)) {
      return children
          .filter(p -> CHECKPOINT_FOLDER.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
          .max(Comparator.comparingLong(FlinkOverrides::checkpointNumber));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long checkpointNumber(Path checkpoint) {
    Matcher m = CHECKPOINT_FOLDER.matcher(checkpoint.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Flink's settings from {@code FLINK_CONF_DIR}'s config.yaml; empty without one. */
  public Configuration base() {
    return new Configuration(base);
  }

  /** The overrides, each under its current key; they win over Lodestar's own settings. */
  public Configuration overrides() {
    return Configuration.fromMap(overrides);
  }

  /** The checkpoint or savepoint to restore from, when one is given. */
  public Optional<String> restorePath() {
    return Optional.ofNullable(overrides.get(StateRecoveryOptions.SAVEPOINT_PATH.key()));
  }

  /** For logs: the config folder and every override, secret-looking values masked. */
  Map<String, String> shown() {
    Map<String, String> shown = new TreeMap<>();
    if (confDir != null) {
      shown.put(CONF_DIR_VARIABLE, confDir);
    }
    overrides.forEach((k, v) -> shown.put(PREFIX + k, secret(k) ? "****" : v));
    return shown;
  }

  private static boolean secret(String key) {
    return GlobalConfiguration.isSensitive(key) || KafkaSettings.isSecretKey(key);
  }
}
