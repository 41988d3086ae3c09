package io.lodestar.jobs.config;

import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.ExportFormat;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.batch.BatchLimits;
import io.lodestar.operators.batch.Staleness;
import io.lodestar.operators.group.GroupFilter;
import io.lodestar.operators.health.AlarmRule;
import io.lodestar.operators.health.GateSettings;
import io.lodestar.operators.health.HealthSettings;
import io.lodestar.operators.preference.PreferenceSettings;
import io.lodestar.operators.preference.Redactor;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import io.lodestar.operators.reward.model.RewardModelSettings;
import io.lodestar.operators.reward.remote.JudgeSettings;
import io.lodestar.operators.reward.remote.RemoteRewardSettings;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.operators.verify.VerifierRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of a Lodestar job, read from a properties file and {@code --key value} flags (flags
 * win), validated once at start-up with messages that name the key. The typed keys are declared,
 * with defaults and descriptions, in one options class per subsystem ({@link OptionCatalog});
 * docs/configuration.md is generated from them.
 *
 * <p>Keys starting with {@code kafka.} go, prefix removed, to every Kafka client (sources, sinks,
 * admin), so SASL/SSL work unchanged. Flink settings come from {@code FLINK_CONF_DIR}'s
 * config.yaml, {@code -D key=value}, {@code --flink.<key> value} and the restore flags ({@link
 * FlinkOverrides}). A value may be {@code ${env:NAME}} or {@code ${file:PATH}} to keep secrets out
 * of files and command lines; secret values are never printed.
 */
public final class LodestarOptions {

  public static final String KAFKA_PREFIX = "kafka.";

  /**
   * {@code verifiers.kind.<KIND>} or {@code verifiers.source.<dataSource>} = comma-separated
   * verifier names.
   */
  public static final String VERIFIERS_PREFIX = VerifierOptions.VERIFIERS_PREFIX;

  // The options under their earlier names, so call sites need not know which class declares them.
  public static final ConfigOption<String> TOPIC_GENERATIONS = TopicOptions.TOPIC_GENERATIONS;
  public static final ConfigOption<String> TOPIC_FEEDBACK = TopicOptions.TOPIC_FEEDBACK;
  public static final ConfigOption<String> TOPIC_SCORED = TopicOptions.TOPIC_SCORED;
  public static final ConfigOption<String> TOPIC_BATCHES = TopicOptions.TOPIC_BATCHES;
  public static final ConfigOption<String> TOPIC_PAIRS = TopicOptions.TOPIC_PAIRS;
  public static final ConfigOption<String> TOPIC_HEALTH_METRICS = TopicOptions.TOPIC_HEALTH_METRICS;
  public static final ConfigOption<String> TOPIC_ALERTS = TopicOptions.TOPIC_ALERTS;
  public static final ConfigOption<String> TOPIC_UNPAIRED = TopicOptions.TOPIC_UNPAIRED;
  public static final ConfigOption<String> TOPIC_DEAD_LETTERS = TopicOptions.TOPIC_DEAD_LETTERS;
  public static final ConfigOption<String> SOURCE_GROUP_ID = KafkaOptions.SOURCE_GROUP_ID;
  public static final ConfigOption<KafkaOptions.StartingOffsets> SOURCE_STARTING_OFFSETS =
      KafkaOptions.SOURCE_STARTING_OFFSETS;
  public static final ConfigOption<KafkaOptions.SinkFormat> SINK_FORMAT = KafkaOptions.SINK_FORMAT;
  public static final ConfigOption<String> SINK_TRANSACTIONAL_ID_PREFIX =
      KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX;
  public static final ConfigOption<Duration> SINK_TRANSACTION_TIMEOUT =
      KafkaOptions.SINK_TRANSACTION_TIMEOUT;
  public static final ConfigOption<Duration> BROKER_TRANSACTION_MAX_TIMEOUT =
      KafkaOptions.BROKER_TRANSACTION_MAX_TIMEOUT;
  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      RuntimeOptions.CHECKPOINT_INTERVAL;
  public static final ConfigOption<String> CHECKPOINT_DIR = RuntimeOptions.CHECKPOINT_DIR;
  public static final ConfigOption<Integer> CHECKPOINT_RETAINED =
      RuntimeOptions.CHECKPOINT_RETAINED;
  public static final ConfigOption<Boolean> STATE_BLOOM_FILTER = RuntimeOptions.STATE_BLOOM_FILTER;
  public static final ConfigOption<Integer> PARALLELISM = RuntimeOptions.PARALLELISM;
  public static final ConfigOption<Integer> RESTART_ATTEMPTS = RuntimeOptions.RESTART_ATTEMPTS;
  public static final ConfigOption<Duration> RESTART_DELAY = RuntimeOptions.RESTART_DELAY;
  public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
      EventTimeOptions.WATERMARK_OUT_OF_ORDERNESS;
  public static final ConfigOption<Duration> WATERMARK_IDLENESS =
      EventTimeOptions.WATERMARK_IDLENESS;
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_MAX_DRIFT =
      EventTimeOptions.WATERMARK_ALIGNMENT_MAX_DRIFT;
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_UPDATE_INTERVAL =
      EventTimeOptions.WATERMARK_ALIGNMENT_UPDATE_INTERVAL;
  public static final ConfigOption<Duration> DEDUP_RETENTION = EventTimeOptions.DEDUP_RETENTION;
  public static final ConfigOption<Duration> GROUP_TIMEOUT = GroupOptions.GROUP_TIMEOUT;
  public static final ConfigOption<Duration> GROUP_LATE_RETENTION =
      GroupOptions.GROUP_LATE_RETENTION;
  public static final ConfigOption<Duration> CODE_TIMEOUT = VerifierOptions.CODE_TIMEOUT;
  public static final ConfigOption<Integer> CODE_THREADS = VerifierOptions.CODE_THREADS;
  public static final ConfigOption<Integer> CODE_CAPACITY = VerifierOptions.CODE_CAPACITY;
  public static final ConfigOption<GroupOptions.EstimatorChoice> ADVANTAGE_ESTIMATOR =
      GroupOptions.ADVANTAGE_ESTIMATOR;
  public static final ConfigOption<GroupOptions.CompatChoice> ADVANTAGE_COMPAT =
      GroupOptions.ADVANTAGE_COMPAT;
  public static final ConfigOption<Double> ADVANTAGE_EPS = GroupOptions.ADVANTAGE_EPS;
  public static final ConfigOption<GroupOptions.FilterChoice> GROUP_FILTER =
      GroupOptions.GROUP_FILTER;
  public static final ConfigOption<String> TOPIC_FILTERED_GROUPS =
      TopicOptions.TOPIC_FILTERED_GROUPS;
  public static final ConfigOption<Long> STALENESS_MAX_LAG = BatchOptions.STALENESS_MAX_LAG;
  public static final ConfigOption<BatchOptions.StalenessChoice> STALENESS_ACTION =
      BatchOptions.STALENESS_ACTION;
  public static final ConfigOption<Double> STALENESS_WEIGHT = BatchOptions.STALENESS_WEIGHT;
  public static final ConfigOption<Integer> BATCH_GROUPS = BatchOptions.BATCH_GROUPS;
  public static final ConfigOption<Duration> BATCH_MAX_WAIT = BatchOptions.BATCH_MAX_WAIT;
  public static final ConfigOption<Boolean> BATCH_MIX_POLICY_VERSIONS =
      BatchOptions.BATCH_MIX_POLICY_VERSIONS;
  public static final ConfigOption<Boolean> BATCH_REQUIRE_CONSENT =
      BatchOptions.BATCH_REQUIRE_CONSENT;
  public static final ConfigOption<GroupOptions.ScaleRewardsChoice> ADVANTAGE_SCALE_REWARDS =
      GroupOptions.ADVANTAGE_SCALE_REWARDS;
  public static final ConfigOption<Long> BATCH_MAX_TOKENS = BatchOptions.BATCH_MAX_TOKENS;
  public static final ConfigOption<String> TOPIC_POLICY_UPDATES = TopicOptions.TOPIC_POLICY_UPDATES;
  public static final ConfigOption<String> EXPORT_DIR = ExportOptions.EXPORT_DIR;
  public static final ConfigOption<String> EXPORT_FORMATS = ExportOptions.EXPORT_FORMATS;
  public static final ConfigOption<Duration> FEEDBACK_KEEP_GENERATIONS =
      PreferenceOptions.FEEDBACK_KEEP_GENERATIONS;
  public static final ConfigOption<Duration> FEEDBACK_MAX_WAIT =
      PreferenceOptions.FEEDBACK_MAX_WAIT;
  public static final ConfigOption<Integer> MAX_RESPONSE_CHARS =
      ValidationOptions.MAX_RESPONSE_CHARS;
  public static final ConfigOption<Integer> MAX_PROMPT_CHARS = ValidationOptions.MAX_PROMPT_CHARS;
  public static final ConfigOption<Integer> MAX_GROUP_SIZE = ValidationOptions.MAX_GROUP_SIZE;
  public static final ConfigOption<Duration> MAX_CLOCK_SKEW = ValidationOptions.MAX_CLOCK_SKEW;
  public static final ConfigOption<Integer> SINK_MAX_MESSAGE_BYTES =
      KafkaOptions.SINK_MAX_MESSAGE_BYTES;
  public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD =
      ValidationOptions.DEAD_LETTER_MAX_PAYLOAD;
  public static final ConfigOption<String> REWARD_WEIGHTS = RewardOptions.REWARD_WEIGHTS;
  public static final ConfigOption<String> REWARD_GATES = RewardOptions.REWARD_GATES;
  public static final ConfigOption<String> REWARD_MISSING = RewardOptions.REWARD_MISSING;
  public static final ConfigOption<RewardOptions.OverlongModeChoice> REWARD_OVERLONG_MODE =
      RewardOptions.REWARD_OVERLONG_MODE;
  public static final ConfigOption<Integer> REWARD_OVERLONG_MAX_LENGTH =
      RewardOptions.REWARD_OVERLONG_MAX_LENGTH;
  public static final ConfigOption<Integer> REWARD_OVERLONG_BUFFER_LENGTH =
      RewardOptions.REWARD_OVERLONG_BUFFER_LENGTH;
  public static final ConfigOption<Double> REWARD_OVERLONG_PENALTY_FACTOR =
      RewardOptions.REWARD_OVERLONG_PENALTY_FACTOR;
  public static final ConfigOption<String> REWARD_OVERLONG_LENGTH_FALLBACK =
      RewardOptions.REWARD_OVERLONG_LENGTH_FALLBACK;
  public static final ConfigOption<String> REWARD_MODEL_PATH = RewardModelOptions.REWARD_MODEL_PATH;
  public static final ConfigOption<String> REWARD_MODEL_DEVICE =
      RewardModelOptions.REWARD_MODEL_DEVICE;
  public static final ConfigOption<Integer> REWARD_MODEL_BATCH_SIZE =
      RewardModelOptions.REWARD_MODEL_BATCH_SIZE;
  public static final ConfigOption<Duration> REWARD_MODEL_MAX_WAIT =
      RewardModelOptions.REWARD_MODEL_MAX_WAIT;
  public static final ConfigOption<String> REWARD_MODEL_TEMPLATE =
      RewardModelOptions.REWARD_MODEL_TEMPLATE;
  public static final ConfigOption<String> REWARD_MODEL_NORMALISATION =
      RewardModelOptions.REWARD_MODEL_NORMALISATION;
  public static final ConfigOption<String> REWARD_MODEL_COMPONENT =
      RewardModelOptions.REWARD_MODEL_COMPONENT;
  public static final ConfigOption<Duration> PREFERENCE_PROMPT_WINDOW =
      PreferenceOptions.PREFERENCE_PROMPT_WINDOW;
  public static final ConfigOption<Integer> PREFERENCE_MAX_PAIRS =
      PreferenceOptions.PREFERENCE_MAX_PAIRS;
  public static final ConfigOption<Double> PREFERENCE_RATING_GAP =
      PreferenceOptions.PREFERENCE_RATING_GAP;
  public static final ConfigOption<Boolean> PREFERENCE_REGENERATION_PAIRS =
      PreferenceOptions.PREFERENCE_REGENERATION_PAIRS;
  public static final ConfigOption<Boolean> PREFERENCE_BOTH_BAD_UNPAIRED =
      PreferenceOptions.PREFERENCE_BOTH_BAD_UNPAIRED;
  public static final ConfigOption<PreferenceOptions.GroupPairsChoice> PREFERENCE_GROUP_PAIRS =
      PreferenceOptions.PREFERENCE_GROUP_PAIRS;
  public static final ConfigOption<Double> PREFERENCE_GROUP_MARGIN =
      PreferenceOptions.PREFERENCE_GROUP_MARGIN;
  public static final ConfigOption<String> PREFERENCE_WEIGHTS =
      PreferenceOptions.PREFERENCE_WEIGHTS;
  public static final ConfigOption<String> PREFERENCE_REDACTION =
      PreferenceOptions.PREFERENCE_REDACTION;
  public static final ConfigOption<String> EXPORT_PREFERENCE_FORMATS =
      ExportOptions.EXPORT_PREFERENCE_FORMATS;
  public static final ConfigOption<Boolean> HEALTH_ENABLED = HealthOptions.HEALTH_ENABLED;
  public static final ConfigOption<Duration> HEALTH_WINDOW = HealthOptions.HEALTH_WINDOW;
  public static final ConfigOption<Duration> HEALTH_ALLOWED_LATENESS =
      HealthOptions.HEALTH_ALLOWED_LATENESS;
  public static final ConfigOption<String> HEALTH_FORMAT_COMPONENTS =
      HealthOptions.HEALTH_FORMAT_COMPONENTS;
  public static final ConfigOption<Double> HEALTH_PASS_THRESHOLD =
      HealthOptions.HEALTH_PASS_THRESHOLD;
  public static final ConfigOption<Double> HEALTH_MODEL_THRESHOLD =
      HealthOptions.HEALTH_MODEL_THRESHOLD;
  public static final ConfigOption<Boolean> HEALTH_ROLL_UP = HealthOptions.HEALTH_ROLL_UP;
  public static final ConfigOption<String> ALARM_RULES = HealthOptions.ALARM_RULES;
  public static final ConfigOption<Boolean> GATE_ENABLED = HealthOptions.GATE_ENABLED;
  public static final ConfigOption<Boolean> GATE_PAIRS = HealthOptions.GATE_PAIRS;
  public static final ConfigOption<HealthOptions.OnClearChoice> GATE_ON_CLEAR =
      HealthOptions.GATE_ON_CLEAR;
  public static final ConfigOption<Duration> GATE_VERDICT_DELAY = HealthOptions.GATE_VERDICT_DELAY;
  public static final ConfigOption<Duration> GATE_RETENTION = HealthOptions.GATE_RETENTION;
  public static final ConfigOption<RemoteRewardOptions.PromptFormatChoice>
      REMOTE_REWARD_PROMPT_FORMAT = RemoteRewardOptions.REMOTE_REWARD_PROMPT_FORMAT;
  public static final ConfigOption<JudgeOptions.GuardChoice> JUDGE_GUARD = JudgeOptions.JUDGE_GUARD;
  public static final ConfigOption<String> JUDGE_SYSTEM_PROMPT = JudgeOptions.JUDGE_SYSTEM_PROMPT;
  public static final ConfigOption<String> JUDGE_RUBRIC = JudgeOptions.JUDGE_RUBRIC;
  public static final ConfigOption<Integer> JUDGE_MAX_TOKENS = JudgeOptions.JUDGE_MAX_TOKENS;
  public static final ConfigOption<Boolean> EMBEDDING_SIMILARITY =
      EmbeddingOptions.EMBEDDING_SIMILARITY;
  public static final ConfigOption<Boolean> EMBEDDING_DIVERSITY =
      EmbeddingOptions.EMBEDDING_DIVERSITY;
  public static final ConfigOption<String> EMBEDDING_PATH = EmbeddingOptions.EMBEDDING_PATH;
  public static final ConfigOption<String> EMBEDDING_DEVICE = EmbeddingOptions.EMBEDDING_DEVICE;
  public static final ConfigOption<Integer> EMBEDDING_BATCH_SIZE =
      EmbeddingOptions.EMBEDDING_BATCH_SIZE;
  public static final ConfigOption<Duration> EMBEDDING_MAX_WAIT =
      EmbeddingOptions.EMBEDDING_MAX_WAIT;
  public static final ConfigOption<String> EMBEDDING_COMPONENT =
      EmbeddingOptions.EMBEDDING_COMPONENT;
  public static final ConfigOption<Boolean> STARTUP_CHECKS = RuntimeOptions.STARTUP_CHECKS;
  public static final ConfigOption<Duration> STARTUP_CHECK_TIMEOUT =
      RuntimeOptions.STARTUP_CHECK_TIMEOUT;
  public static final ConfigOption<Integer> MATH_EXAMINED_CHARS =
      VerifierOptions.MATH_EXAMINED_CHARS;
  public static final ConfigOption<GenerationsFormat> GENERATIONS_FORMAT =
      TopicOptions.GENERATIONS_FORMAT;
  public static final ConfigOption<FeedbackFormat> FEEDBACK_FORMAT = TopicOptions.FEEDBACK_FORMAT;

  /** Every typed option, for documentation and for rejecting unknown keys. */
  public static final List<ConfigOption<?>> ALL = OptionCatalog.options();

  private static final Set<ConfigOption<?>> SECRET_OPTIONS =
      Set.of(RemoteRewardOptions.REMOTE_REWARD_API_KEY, JudgeOptions.JUDGE_API_KEY);

  private static final Pattern REFERENCE = Pattern.compile("^\\$\\{(env|file):(.+)}$");

  private final Configuration config;
  private final Map<String, String> kafka;
  private final Map<String, String> verifierRules;
  private final FlinkOverrides flink;

  private LodestarOptions(
      Configuration config,
      Map<String, String> kafka,
      Map<String, String> verifierRules,
      FlinkOverrides flink) {
    this.config = config;
    this.kafka = kafka;
    this.verifierRules = verifierRules;
    this.flink = flink;
  }

  /**
   * Parses {@code [--config FILE] [--key value | --key=value | -D flinkKey=value]...}; flags
   * override the file. {@code -D key=value} (or {@code -Dkey=value}) is {@code --flink.key value}.
   */
  public static LodestarOptions fromArgs(String[] args) {
    return fromArgs(args, System::getenv);
  }

  static LodestarOptions fromArgs(String[] args, Function<String, String> environment) {
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> flags = new LinkedHashMap<>();
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("-D")) {
        String setting =
            arg.length() > 2 ? arg.substring(2) : (i + 1 < args.length ? args[++i] : "");
        int eq = setting.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "-D needs a Flink setting as key=value, was '" + setting + "'");
        }
        flags.put(
            FlinkOverrides.PREFIX + setting.substring(0, eq).trim(), setting.substring(eq + 1));
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '"
                + arg
                + "': options are --key value, and Flink settings -D key=value");
      }
      String key;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        key = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option --" + arg.substring(2) + " needs a value");
        }
        key = arg.substring(2);
        value = args[++i];
      }
      if (key.equals("config")) {
        configFile = value;
      } else {
        flags.put(key, value);
      }
    }
    if (configFile != null) {
      raw.putAll(readFile(Path.of(configFile)));
    }
    raw.putAll(flags);
    return fromMap(raw, environment);
  }

  /**
   * Builds and validates options from key/value pairs. {@code environment} resolves {@code
   * ${env:...}} references and names {@code FLINK_CONF_DIR}, whose config.yaml is read when set.
   */
  public static LodestarOptions fromMap(
      Map<String, String> values, Function<String, String> environment) {
    Map<String, String> typed = new TreeMap<>();
    Map<String, String> kafka = new TreeMap<>();
    Map<String, String> verifierRules = new TreeMap<>();
    Map<String, String> flinkSettings = new LinkedHashMap<>();
    List<String> known = new ArrayList<>();
    ALL.forEach(o -> known.add(o.key()));
    for (Map.Entry<String, String> e : values.entrySet()) {
      String key = e.getKey().trim();
      String value = resolve(key, e.getValue().trim(), environment);
      if (key.startsWith(KAFKA_PREFIX)) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), value);
      } else if (key.startsWith(VERIFIERS_PREFIX)) {
        verifierRules.put(key.substring(VERIFIERS_PREFIX.length()), value);
      } else if (key.startsWith(FlinkOverrides.PREFIX)) {
        flinkSettings.put(key.substring(FlinkOverrides.PREFIX.length()), value);
      } else if (FlinkOverrides.restoreKey(key).isPresent()) {
        flinkSettings.put(key, value);
      } else if (known.contains(key)) {
        typed.put(key, value);
      } else {
        throw new IllegalArgumentException(
            "unknown option '"
                + key
                + "'; known options: "
                + String.join(", ", known)
                + ", kafka.* for Kafka client settings, verifiers.kind.* / verifiers.source.* for verifier rules, "
                + "execution.state-recovery.path (or execution.savepoint.path) to resume from a checkpoint or savepoint, "
                + "and -D <key>=<value> or flink.* for Flink settings");
      }
    }
    Configuration config = new Configuration();
    for (Map.Entry<String, String> e : typed.entrySet()) {
      config.setString(e.getKey(), e.getValue());
    }
    FlinkOverrides flink =
        FlinkOverrides.of(environment.apply(FlinkOverrides.CONF_DIR_VARIABLE), flinkSettings);
    LodestarOptions options = new LodestarOptions(config, kafka, verifierRules, flink);
    options.validateTypes();
    options.validate();
    return options;
  }

  private static Map<String, String> readFile(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    return map;
  }

  private static String resolve(String key, String value, Function<String, String> environment) {
    Matcher m = REFERENCE.matcher(value);
    if (!m.matches()) {
      return value;
    }
    String where = m.group(2);
    if (m.group(1).equals("env")) {
      String resolved = environment.apply(where);
      if (resolved == null) {
        throw new IllegalArgumentException(
            key + " refers to environment variable " + where + ", which is not set");
      }
      return resolved;
    }
    try {
      return Files.readString(Path.of(where), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key + " refers to file " + where + ", which cannot be read", e);
    }
  }

  private void validateTypes() {
    for (OptionCatalog.Entry entry : OptionCatalog.entries()) {
      ConfigOption<?> option = entry.option();
      try {
        config.get(option);
      } catch (IllegalArgumentException e) {
        String value = config.toMap().get(option.key());
        if (entry.valueType().isEnum()) {
          throw new IllegalArgumentException(
              option.key()
                  + ": unknown "
                  + (option.key().endsWith(".format") ? "format" : "value")
                  + " '"
                  + value
                  + "'; use "
                  + choices(entry.valueType()),
              e);
        }
        throw new IllegalArgumentException(
            "option "
                + option.key()
                + " has a value that is not a valid "
                + describeType(entry.valueType())
                + ": "
                + value,
            e);
      }
    }
  }

  /** The values of a closed choice as users write them: "a, b or c". */
  static String choices(Class<?> enumType) {
    List<String> ids =
        Arrays.stream(enumType.getEnumConstants())
            .map(String::valueOf)
            .collect(Collectors.toList());
    String last = ids.remove(ids.size() - 1);
    return ids.isEmpty() ? last : String.join(", ", ids) + " or " + last;
  }

  private static String describeType(Class<?> type) {
    if (type == Duration.class) {
      return "duration (e.g. 30 s, 5 min, 1 h)";
    }
    if (type == Boolean.class) {
      return "boolean (true or false)";
    }
    if (type == Double.class) {
      return "number";
    }
    return type.getSimpleName().toLowerCase();
  }

  private void validate() {
    RuntimeOptions.validate(config);
    KafkaOptions.validate(config);
    EventTimeOptions.validate(config);
    ValidationOptions.validate(config);
    VerifierOptions.validate(config);
    verifierRegistry();
    GroupOptions.validate(config);
    BatchOptions.validate(config);
    rewardComposition();
    MajorityVoteOptions.validate(config);
    rewardModel();
    remoteReward();
    judge();
    embeddings();
    PreferenceOptions.validate(config);
    HealthOptions.validate(config);
    ExportOptions.validate(config);
    Optional<String> problem =
        transactionTimeoutProblem(config.get(BROKER_TRANSACTION_MAX_TIMEOUT));
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
  }

  /**
   * Checks the sink transaction timeout against checkpointing, restarts and a broker maximum: a
   * transaction stays open from one checkpoint until the next one completes, plus any restart.
   */
  public Optional<String> transactionTimeoutProblem(Duration brokerMaximum) {
    Duration minimum =
        checkpointInterval()
            .multipliedBy(2)
            .plus(restartDelay().multipliedBy(Math.max(1, restartAttempts())));
    return TransactionTimeouts.check(
        SINK_TRANSACTION_TIMEOUT.key(),
        transactionTimeout(),
        "2 x "
            + CHECKPOINT_INTERVAL.key()
            + " + "
            + RESTART_ATTEMPTS.key()
            + " x "
            + RESTART_DELAY.key(),
        minimum,
        brokerMaximum);
  }

  /** Kafka settings; fails naming the key when no bootstrap servers are configured. */
  public KafkaSettings kafka() {
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException(
          "kafka.bootstrap.servers is required to read from or write to Kafka");
    }
    return new KafkaSettings(kafka, config.get(SINK_TRANSACTIONAL_ID_PREFIX), transactionTimeout());
  }

  public <T> T get(ConfigOption<T> option) {
    return config.get(option);
  }

  /**
   * Flink's own settings: FLINK_CONF_DIR's config.yaml, -D overrides, the checkpoint to resume
   * from.
   */
  public FlinkOverrides flink() {
    return flink;
  }

  public WireFormat sinkFormat() {
    return config.get(SINK_FORMAT).wireFormat();
  }

  /** The format of the generations topic. */
  public GenerationsFormat generationsFormat() {
    return config.get(GENERATIONS_FORMAT);
  }

  /** The format of the feedback topic. */
  public FeedbackFormat feedbackFormat() {
    return config.get(FEEDBACK_FORMAT);
  }

  public Duration checkpointInterval() {
    return config.get(CHECKPOINT_INTERVAL);
  }

  public Duration transactionTimeout() {
    return config.get(SINK_TRANSACTION_TIMEOUT);
  }

  public Duration restartDelay() {
    return config.get(RESTART_DELAY);
  }

  public int restartAttempts() {
    return config.get(RESTART_ATTEMPTS);
  }

  /** The advantage arithmetic; fails naming the keys when the combination is not available. */
  public AdvantageSpec advantageSpec() {
    return GroupOptions.advantageSpec(config);
  }

  /** When an RL batch is full; fails naming the key. */
  public BatchLimits batchLimits() {
    return BatchOptions.batchLimits(config);
  }

  /** The trainer files to write; fails naming the key and the unknown format. */
  public Set<ExportFormat> exportFormats() {
    return ExportOptions.exportFormats(config);
  }

  /** The verifiers per task kind and data source; fails naming the rule when it is unknown. */
  public VerifierRegistry verifierRegistry() {
    return VerifierOptions.verifierRegistry(config, verifierRules);
  }

  /** The staleness bound of RL batches; fails naming the key. */
  public Staleness staleness() {
    return BatchOptions.staleness(config);
  }

  /** The local reward model's settings, or empty when {@code reward-model.path} is not set. */
  public Optional<RewardModelSettings> rewardModel() {
    return RewardModelOptions.rewardModel(config);
  }

  public HealthSettings healthSettings() {
    return HealthOptions.healthSettings(config);
  }

  /**
   * The alarm rules; a rule that does not parse fails start-up naming {@code alarms.rules} and the
   * rule.
   */
  public List<AlarmRule> alarmRules() {
    return HealthOptions.alarmRules(config);
  }

  public GateSettings gateSettings() {
    return HealthOptions.gateSettings(config);
  }

  /** How feedback and group rewards become pairs and unpaired examples; messages name the key. */
  public PreferenceSettings preferenceSettings() {
    return PreferenceOptions.preferenceSettings(config);
  }

  /** The redaction every training example passes before it is written. */
  public Redactor redactor() {
    return PreferenceOptions.redactor(config);
  }

  public Set<ExportFormat> preferenceExportFormats() {
    return ExportOptions.preferenceExportFormats(config);
  }

  /** The remote reward model's settings, or empty when {@code remote-reward.url} is not set. */
  public Optional<RemoteRewardSettings> remoteReward() {
    return RemoteRewardOptions.remoteReward(config);
  }

  /** The LLM judge's settings, or empty when {@code judge.url} is not set. */
  public Optional<JudgeSettings> judge() {
    return JudgeOptions.judge(config);
  }

  /** The embedding model's settings, or empty when neither similarity nor diversity is on. */
  public Optional<EmbeddingSettings> embeddings() {
    return EmbeddingOptions.embeddings(config);
  }

  /** How reward components combine into the reward; fails naming the key that is wrong. */
  public RewardComposition rewardComposition() {
    return RewardOptions.rewardComposition(config);
  }

  /**
   * The scorers that run when a group closes ({@code majority.*}), composing with {@link
   * #rewardComposition()}; {@link GroupScoring#NONE} when none is on.
   */
  public GroupScoring groupScoring() {
    return MajorityVoteOptions.groupScoring(
        config, rewardComposition(), config.get(MATH_EXAMINED_CHARS));
  }

  public GroupFilter groupFilter() {
    return GroupOptions.groupFilter(config);
  }

  public GenerationValidator.Limits generationLimits() {
    return ValidationOptions.generationLimits(config);
  }

  /** Settings for logs: every typed option, and Kafka settings, with secret values masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    for (ConfigOption<?> o : ALL) {
      String value = String.valueOf(config.get(o));
      shown.put(o.key(), SECRET_OPTIONS.contains(o) && !value.isEmpty() ? "****" : value);
    }
    kafka.forEach((k, v) -> shown.put(KAFKA_PREFIX + k, KafkaSettings.isSecretKey(k) ? "****" : v));
    verifierRules.forEach((k, v) -> shown.put(VERIFIERS_PREFIX + k, v));
    shown.putAll(flink.shown());
    return "LodestarOptions" + shown;
  }
}
