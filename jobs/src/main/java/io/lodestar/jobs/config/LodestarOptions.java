package io.lodestar.jobs.config;

import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.TrainerFiles;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.ScaleRewards;
import io.lodestar.operators.batch.BatchLimits;
import io.lodestar.operators.batch.Staleness;
import io.lodestar.operators.group.GroupFilter;
import io.lodestar.operators.reward.compose.Gate;
import io.lodestar.operators.reward.model.RewardModelSettings;
import io.lodestar.operators.reward.compose.OverlongShaping;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.operators.verify.VerifierRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of a Lodestar job: typed keys with defaults and descriptions, read from a
 * properties file and {@code --key value} flags (flags win), validated once at start-up with
 * messages that name the key.
 *
 * <p>Keys starting with {@code kafka.} go, prefix removed, to every Kafka client (sources, sinks,
 * admin), so SASL/SSL work unchanged. A value may be {@code ${env:NAME}} or {@code ${file:PATH}} to
 * keep secrets out of files and command lines; secret values are never printed.
 */
public final class LodestarOptions {

  public static final String KAFKA_PREFIX = "kafka.";
  /** {@code verifiers.kind.<KIND>} or {@code verifiers.source.<dataSource>} = comma-separated verifier names. */
  public static final String VERIFIERS_PREFIX = "verifiers.";

  public static final ConfigOption<String> TOPIC_GENERATIONS = topic("generations", "Input: generations.");
  public static final ConfigOption<String> TOPIC_FEEDBACK = topic("feedback", "Input: feedback.");
  public static final ConfigOption<String> TOPIC_SCORED = topic("scored", "Output: scored generations.");
  public static final ConfigOption<String> TOPIC_BATCHES = topic("batches", "Output: RL batches.");
  public static final ConfigOption<String> TOPIC_PAIRS = topic("pairs", "Output: preference pairs.");
  public static final ConfigOption<String> TOPIC_DEAD_LETTERS = topic("dead-letters", "Output: dead letters.");

  public static final ConfigOption<String> SOURCE_GROUP_ID =
      ConfigOptions.key("source.group-id").stringType().defaultValue("lodestar-pipeline")
          .withDescription("Kafka consumer group of the sources (offsets are committed on checkpoints).");
  public static final ConfigOption<String> SOURCE_STARTING_OFFSETS =
      ConfigOptions.key("source.starting-offsets").stringType().defaultValue("committed-or-earliest")
          .withDescription("Where a fresh job starts reading: committed-or-earliest, earliest or latest.");
  public static final ConfigOption<String> SINK_FORMAT =
      ConfigOptions.key("sink.format").stringType().defaultValue("avro")
          .withDescription("Encoding of output records: avro (single-object encoding) or json.");
  public static final ConfigOption<String> SINK_TRANSACTIONAL_ID_PREFIX =
      ConfigOptions.key("sink.transactional-id-prefix").stringType().defaultValue("lodestar")
          .withDescription("Prefix of the Kafka transactional ids; each sink appends its own name. Must be unique per job.");
  public static final ConfigOption<Duration> SINK_TRANSACTION_TIMEOUT =
      ConfigOptions.key("sink.transaction-timeout").durationType().defaultValue(Duration.ofMinutes(10))
          .withDescription("Kafka transaction timeout of the exactly-once sinks.");
  public static final ConfigOption<Duration> BROKER_TRANSACTION_MAX_TIMEOUT =
      ConfigOptions.key("sink.broker-transaction-max-timeout").durationType().defaultValue(Duration.ofMinutes(15))
          .withDescription("The brokers' transaction.max.timeout.ms, used when it cannot be read from the brokers.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("checkpoint.interval").durationType().defaultValue(Duration.ofSeconds(10))
          .withDescription("Checkpoint interval; outputs become visible to read_committed readers on each checkpoint.");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOptions.key("checkpoint.dir").stringType().defaultValue("file:///tmp/lodestar/checkpoints")
          .withDescription("Durable checkpoint storage (file://, s3://, ...).");
  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("parallelism").intType().defaultValue(1).withDescription("Default operator parallelism.");
  public static final ConfigOption<Integer> RESTART_ATTEMPTS =
      ConfigOptions.key("restart.attempts").intType().defaultValue(10)
          .withDescription("Restarts after a failure before the job gives up.");
  public static final ConfigOption<Duration> RESTART_DELAY =
      ConfigOptions.key("restart.delay").durationType().defaultValue(Duration.ofSeconds(5))
          .withDescription("Delay between restarts.");

  public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
      ConfigOptions.key("watermark.out-of-orderness").durationType().defaultValue(Duration.ofSeconds(5))
          .withDescription("How far event times may run backwards before records count as late.");
  public static final ConfigOption<Duration> WATERMARK_IDLENESS =
      ConfigOptions.key("watermark.idleness").durationType().defaultValue(Duration.ofSeconds(30))
          .withDescription("A source split silent this long stops holding the watermark back.");
  public static final ConfigOption<Duration> DEDUP_RETENTION =
      ConfigOptions.key("dedup.retention").durationType().defaultValue(Duration.ofHours(24))
          .withDescription("How long a generation id is remembered for de-duplication (event time).");
  public static final ConfigOption<Duration> GROUP_TIMEOUT =
      ConfigOptions.key("group.timeout").durationType().defaultValue(Duration.ofMinutes(2))
          .withDescription("Event time after a group's first member at which an incomplete group closes.");
  public static final ConfigOption<Duration> GROUP_LATE_RETENTION =
      ConfigOptions.key("group.late-retention").durationType().defaultValue(Duration.ofMinutes(30))
          .withDescription("How long a closed group is remembered so late members are recognised.");
  public static final ConfigOption<Duration> CODE_TIMEOUT =
      ConfigOptions.key("code.timeout").durationType().defaultValue(Duration.ofSeconds(10))
          .withDescription("Wall-clock limit of one code-test run in the sandbox.");
  public static final ConfigOption<Integer> CODE_THREADS =
      ConfigOptions.key("code.threads").intType().defaultValue(2)
          .withDescription("Sandboxes running at once per subtask.");
  public static final ConfigOption<Integer> CODE_CAPACITY =
      ConfigOptions.key("code.capacity").intType().defaultValue(32)
          .withDescription("Generations in flight in the code-test operator before it applies backpressure.");
  public static final ConfigOption<String> ADVANTAGE_ESTIMATOR =
      ConfigOptions.key("advantage.estimator").stringType().defaultValue("grpo")
          .withDescription("grpo, dr_grpo, rloo, reinforce_pp_baseline or grpo_pass_at_k (see docs/advantages.md).");
  public static final ConfigOption<String> ADVANTAGE_COMPAT =
      ConfigOptions.key("advantage.compat").stringType().defaultValue("lodestar")
          .withDescription("Whose arithmetic: lodestar, verl, trl, trl-async or openrlhf.");
  public static final ConfigOption<Double> ADVANTAGE_EPS =
      ConfigOptions.key("advantage.eps").doubleType().noDefaultValue()
          .withDescription("Overrides the compatibility mode's epsilon.");
  public static final ConfigOption<String> GROUP_FILTER =
      ConfigOptions.key("group.filter").stringType().defaultValue("none")
          .withDescription("Dynamic sampling: none, verl (std > 0 or one member) or openrlhf (mean inside (0, 1)).");
  public static final ConfigOption<String> TOPIC_FILTERED_GROUPS =
      ConfigOptions.key("topics.filtered-groups").stringType().defaultValue("")
          .withDescription("Output for filtered or refused groups; empty: counted, not written.");
  public static final ConfigOption<Long> STALENESS_MAX_LAG =
      ConfigOptions.key("staleness.max-lag").longType().defaultValue(-1L)
          .withDescription("Largest allowed lag (newest policy version minus a group's oldest); negative: no check.");
  public static final ConfigOption<String> STALENESS_ACTION =
      ConfigOptions.key("staleness.action").stringType().defaultValue("drop")
          .withDescription("drop (to the filtered output) or downweight (advantages times staleness.weight).");
  public static final ConfigOption<Double> STALENESS_WEIGHT =
      ConfigOptions.key("staleness.weight").doubleType().defaultValue(0.5)
          .withDescription("Factor on a stale group's advantages when staleness.action=downweight, in (0, 1].");
  public static final ConfigOption<Integer> BATCH_GROUPS =
      ConfigOptions.key("batch.groups").intType().defaultValue(8).withDescription("Groups per RL batch.");
  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      ConfigOptions.key("batch.max-wait").durationType().defaultValue(Duration.ofMinutes(1))
          .withDescription("Event time a partial batch waits for more groups before it is emitted.");
  public static final ConfigOption<String> ADVANTAGE_SCALE_REWARDS =
      ConfigOptions.key("advantage.scale-rewards").stringType().noDefaultValue()
          .withDescription("TRL's scale_rewards, with advantage.compat=trl and grpo: group, batch (std over the RL batch) or none.");
  public static final ConfigOption<Long> BATCH_MAX_TOKENS =
      ConfigOptions.key("batch.max-tokens").longType().defaultValue(0L)
          .withDescription("Token budget per RL batch: prompt plus response tokens of every sample (token ids, else 4 characters per token); 0: none.");
  public static final ConfigOption<String> TOPIC_POLICY_UPDATES =
      ConfigOptions.key("topics.policy-updates").stringType().defaultValue("")
          .withDescription("Control input: PolicyUpdate records in which trainers announce their policy version; empty: none.");
  public static final ConfigOption<String> EXPORT_DIR =
      ConfigOptions.key("export.dir").stringType().defaultValue("")
          .withDescription("Streaming job: directory (path or URI) for trainer files of every RL batch, committed on checkpoints; empty: none.");
  public static final ConfigOption<String> EXPORT_FORMATS =
      ConfigOptions.key("export.formats").stringType().defaultValue("verl-parquet,verl-jsonl,trl-jsonl")
          .withDescription("Which trainer files: any of verl-parquet, verl-jsonl, trl-jsonl (comma-separated).");
  public static final ConfigOption<Duration> FEEDBACK_KEEP_GENERATIONS =
      ConfigOptions.key("feedback.keep-generations").durationType().defaultValue(Duration.ofHours(1))
          .withDescription("Event time a generation is kept for feedback that may still arrive.");
  public static final ConfigOption<Duration> FEEDBACK_MAX_WAIT =
      ConfigOptions.key("feedback.max-wait").durationType().defaultValue(Duration.ofMinutes(10))
          .withDescription("Event time feedback waits for its generation before it is routed as unmatched.");
  public static final ConfigOption<Integer> MAX_RESPONSE_CHARS =
      ConfigOptions.key("validate.max-response-chars").intType().defaultValue(200_000)
          .withDescription("Longer responses are dead-lettered.");
  public static final ConfigOption<Integer> MAX_PROMPT_CHARS =
      ConfigOptions.key("validate.max-prompt-chars").intType().defaultValue(200_000)
          .withDescription("Longer prompts are dead-lettered.");
  public static final ConfigOption<Integer> MAX_GROUP_SIZE =
      ConfigOptions.key("validate.max-group-size").intType().defaultValue(1024)
          .withDescription("Larger declared group sizes are dead-lettered.");
  public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD =
      ConfigOptions.key("dead-letter.max-payload-bytes").intType().defaultValue(1 << 20)
          .withDescription("Raw bytes kept in a dead letter; longer payloads are truncated (the size is recorded).");

  public static final ConfigOption<String> REWARD_WEIGHTS =
      ConfigOptions.key("reward.weights").stringType().defaultValue("")
          .withDescription("Weights of the reward's weighted mean, name:weight,... (*:w for every other name; default 1).");
  public static final ConfigOption<String> REWARD_GATES =
      ConfigOptions.key("reward.gates").stringType().defaultValue("")
          .withDescription("Gates in order, e.g. format>=1.0 else -1.0;...: a failing gate sets the reward to its penalty.");
  public static final ConfigOption<String> REWARD_MISSING =
      ConfigOptions.key("reward.missing").stringType().defaultValue("skip")
          .withDescription("Missing or unscored components: skip, unscored or substitute:<v>, plus name=<policy> entries.");
  public static final ConfigOption<String> REWARD_OVERLONG_MODE =
      ConfigOptions.key("reward.overlong.mode").stringType().defaultValue("none")
          .withDescription("Overlong reward shaping: none, dapo (the paper's rule) or verl (verl's overlong_buffer).");
  public static final ConfigOption<Integer> REWARD_OVERLONG_MAX_LENGTH =
      ConfigOptions.key("reward.overlong.max-length").intType().noDefaultValue()
          .withDescription("L_max in tokens (verl: data.max_response_length).");
  public static final ConfigOption<Integer> REWARD_OVERLONG_BUFFER_LENGTH =
      ConfigOptions.key("reward.overlong.buffer-length").intType().noDefaultValue()
          .withDescription("L_cache in tokens (verl: overlong_buffer.len): shaping starts at max-length minus this.");
  public static final ConfigOption<Double> REWARD_OVERLONG_PENALTY_FACTOR =
      ConfigOptions.key("reward.overlong.penalty-factor").doubleType().noDefaultValue()
          .withDescription("verl's overlong_buffer.penalty_factor (mode verl only; 1.0 when unset).");
  public static final ConfigOption<String> REWARD_OVERLONG_LENGTH_FALLBACK =
      ConfigOptions.key("reward.overlong.length-fallback").stringType().defaultValue("unscorable")
          .withDescription("Without responseTokenIds: unscorable (no shaping) or estimate:<chars per token>.");

  public static final ConfigOption<String> REWARD_MODEL_PATH =
      ConfigOptions.key("reward-model.path").stringType().defaultValue("")
          .withDescription("Folder of a local ONNX reward model (model.onnx, tokenizer.json, reward-model.json); empty: off.");
  public static final ConfigOption<String> REWARD_MODEL_DEVICE =
      ConfigOptions.key("reward-model.device").stringType().defaultValue("auto")
          .withDescription("auto (a GPU when present), cpu, gpu or gpu:N.");
  public static final ConfigOption<Integer> REWARD_MODEL_BATCH_SIZE =
      ConfigOptions.key("reward-model.batch-size").intType().defaultValue(RewardModelSettings.DEFAULT_BATCH_SIZE)
          .withDescription("Records per model call.");
  public static final ConfigOption<Duration> REWARD_MODEL_MAX_WAIT =
      ConfigOptions.key("reward-model.max-wait").durationType().defaultValue(RewardModelSettings.DEFAULT_MAX_WAIT)
          .withDescription("Longest a record waits for its batch to fill (processing time).");
  public static final ConfigOption<String> REWARD_MODEL_TEMPLATE =
      ConfigOptions.key("reward-model.template").stringType().defaultValue("role-prefixed")
          .withDescription("How (prompt, response) become model input: role-prefixed, text-pair, last-user-pair or format:...");
  public static final ConfigOption<String> REWARD_MODEL_NORMALISATION =
      ConfigOptions.key("reward-model.normalisation").stringType().defaultValue("none")
          .withDescription("none, sigmoid or affine:scale,bias applied to the model's logit.");
  public static final ConfigOption<String> REWARD_MODEL_COMPONENT =
      ConfigOptions.key("reward-model.component-name").stringType().defaultValue(RewardModelSettings.DEFAULT_COMPONENT_NAME)
          .withDescription("Name of the reward component the model adds.");

  /** Every typed option, for documentation and for rejecting unknown keys. */
  public static final List<ConfigOption<?>> ALL =
      List.of(
          TOPIC_GENERATIONS, TOPIC_FEEDBACK, TOPIC_SCORED, TOPIC_BATCHES, TOPIC_PAIRS, TOPIC_DEAD_LETTERS,
          SOURCE_GROUP_ID, SOURCE_STARTING_OFFSETS, SINK_FORMAT, SINK_TRANSACTIONAL_ID_PREFIX,
          SINK_TRANSACTION_TIMEOUT, BROKER_TRANSACTION_MAX_TIMEOUT, CHECKPOINT_INTERVAL, CHECKPOINT_DIR,
          PARALLELISM, RESTART_ATTEMPTS, RESTART_DELAY, WATERMARK_OUT_OF_ORDERNESS, WATERMARK_IDLENESS,
          DEDUP_RETENTION, GROUP_TIMEOUT, GROUP_LATE_RETENTION, CODE_TIMEOUT, CODE_THREADS, CODE_CAPACITY,
          ADVANTAGE_ESTIMATOR, ADVANTAGE_COMPAT, ADVANTAGE_EPS,
          GROUP_FILTER, TOPIC_FILTERED_GROUPS, STALENESS_MAX_LAG, STALENESS_ACTION, STALENESS_WEIGHT,
          BATCH_GROUPS, BATCH_MAX_WAIT,
          ADVANTAGE_SCALE_REWARDS, BATCH_MAX_TOKENS, TOPIC_POLICY_UPDATES, EXPORT_DIR, EXPORT_FORMATS,
          FEEDBACK_KEEP_GENERATIONS, FEEDBACK_MAX_WAIT, MAX_RESPONSE_CHARS, MAX_PROMPT_CHARS, MAX_GROUP_SIZE,
          DEAD_LETTER_MAX_PAYLOAD,
          REWARD_WEIGHTS, REWARD_GATES, REWARD_MISSING, REWARD_OVERLONG_MODE, REWARD_OVERLONG_MAX_LENGTH,
          REWARD_OVERLONG_BUFFER_LENGTH, REWARD_OVERLONG_PENALTY_FACTOR, REWARD_OVERLONG_LENGTH_FALLBACK,
          REWARD_MODEL_PATH, REWARD_MODEL_DEVICE, REWARD_MODEL_BATCH_SIZE, REWARD_MODEL_MAX_WAIT, REWARD_MODEL_TEMPLATE,
          REWARD_MODEL_NORMALISATION, REWARD_MODEL_COMPONENT);

  private static final Pattern REFERENCE = Pattern.compile("^\\$\\{(env|file):(.+)}$");

  private final Configuration config;
  private final Map<String, String> kafka;
  private final Map<String, String> verifierRules;

  private LodestarOptions(Configuration config, Map<String, String> kafka, Map<String, String> verifierRules) {
    this.config = config;
    this.kafka = kafka;
    this.verifierRules = verifierRules;
  }

  /** Parses {@code [--config FILE] [--key value | --key=value]...}; flags override the file. */
  public static LodestarOptions fromArgs(String[] args) {
    return fromArgs(args, System::getenv);
  }

  static LodestarOptions fromArgs(String[] args, Function<String, String> environment) {
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> flags = new LinkedHashMap<>();
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --key value");
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

  /** Builds and validates options from key/value pairs. */
  public static LodestarOptions fromMap(Map<String, String> values, Function<String, String> environment) {
    Map<String, String> typed = new TreeMap<>();
    Map<String, String> kafka = new TreeMap<>();
    Map<String, String> verifierRules = new TreeMap<>();
    List<String> known = new ArrayList<>();
    ALL.forEach(o -> known.add(o.key()));
    for (Map.Entry<String, String> e : values.entrySet()) {
      String key = e.getKey().trim();
      String value = resolve(key, e.getValue().trim(), environment);
      if (key.startsWith(KAFKA_PREFIX)) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), value);
      } else if (key.startsWith(VERIFIERS_PREFIX)) {
        verifierRules.put(key.substring(VERIFIERS_PREFIX.length()), value);
      } else if (known.contains(key)) {
        typed.put(key, value);
      } else {
        throw new IllegalArgumentException("unknown option '" + key + "'; known options: " + String.join(", ", known)
            + ", kafka.* for Kafka client settings and verifiers.kind.* / verifiers.source.* for verifier rules");
      }
    }
    Configuration config = new Configuration();
    for (Map.Entry<String, String> e : typed.entrySet()) {
      config.setString(e.getKey(), e.getValue());
    }
    LodestarOptions options = new LodestarOptions(config, kafka, verifierRules);
    options.validateTypes();
    options.validate();
    return options;
  }

  private static Map<String, String> readFile(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
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
        throw new IllegalArgumentException(key + " refers to environment variable " + where + ", which is not set");
      }
      return resolved;
    }
    try {
      return Files.readString(Path.of(where), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(key + " refers to file " + where + ", which cannot be read", e);
    }
  }

  private void validateTypes() {
    for (ConfigOption<?> option : ALL) {
      try {
        config.get(option);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "option " + option.key() + " has a value that is not a valid " + describeType(option) + ": "
                + config.toMap().get(option.key()), e);
      }
    }
  }

  private static String describeType(ConfigOption<?> option) {
    Object def = option.defaultValue();
    if (def instanceof Duration) {
      return "duration (e.g. 30 s, 5 min, 1 h)";
    }
    return def == null ? "value" : def.getClass().getSimpleName().toLowerCase();
  }

  private void validate() {
    requirePositive(PARALLELISM);
    requirePositive(BATCH_GROUPS);
    requirePositive(MAX_RESPONSE_CHARS);
    requirePositive(MAX_PROMPT_CHARS);
    requirePositive(MAX_GROUP_SIZE);
    requirePositive(DEAD_LETTER_MAX_PAYLOAD);
    requirePositive(CODE_THREADS);
    requirePositive(CODE_CAPACITY);
    if (config.get(RESTART_ATTEMPTS) < 0) {
      throw new IllegalArgumentException(RESTART_ATTEMPTS.key() + " must not be negative");
    }
    for (ConfigOption<Duration> d :
        List.of(CHECKPOINT_INTERVAL, GROUP_TIMEOUT, BATCH_MAX_WAIT, DEDUP_RETENTION, FEEDBACK_MAX_WAIT,
            FEEDBACK_KEEP_GENERATIONS, SINK_TRANSACTION_TIMEOUT, GROUP_LATE_RETENTION, CODE_TIMEOUT)) {
      if (config.get(d).isNegative() || config.get(d).isZero()) {
        throw new IllegalArgumentException(d.key() + " must be a positive duration, was " + config.get(d));
      }
    }
    String offsets = config.get(SOURCE_STARTING_OFFSETS);
    if (!List.of("committed-or-earliest", "earliest", "latest").contains(offsets)) {
      throw new IllegalArgumentException(
          SOURCE_STARTING_OFFSETS.key() + " must be committed-or-earliest, earliest or latest, was " + offsets);
    }
    sinkFormat();
    advantageSpec();
    groupFilter();
    verifierRegistry();
    staleness();
    rewardComposition();
    rewardModel();
    batchLimits();
    exportFormats();
    Optional<String> problem = transactionTimeoutProblem(config.get(BROKER_TRANSACTION_MAX_TIMEOUT));
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
  }

  /**
   * Checks the sink transaction timeout against checkpointing, restarts and a broker maximum:
   * a transaction stays open from one checkpoint until the next one completes, plus any restart.
   */
  public Optional<String> transactionTimeoutProblem(Duration brokerMaximum) {
    Duration minimum =
        checkpointInterval().multipliedBy(2).plus(restartDelay().multipliedBy(Math.max(1, restartAttempts())));
    return TransactionTimeouts.check(
        SINK_TRANSACTION_TIMEOUT.key(),
        transactionTimeout(),
        "2 x " + CHECKPOINT_INTERVAL.key() + " + " + RESTART_ATTEMPTS.key() + " x " + RESTART_DELAY.key(),
        minimum,
        brokerMaximum);
  }

  private void requirePositive(ConfigOption<Integer> option) {
    if (config.get(option) < 1) {
      throw new IllegalArgumentException(option.key() + " must be at least 1, was " + config.get(option));
    }
  }

  /** Kafka settings; fails naming the key when no bootstrap servers are configured. */
  public KafkaSettings kafka() {
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("kafka.bootstrap.servers is required to read from or write to Kafka");
    }
    return new KafkaSettings(kafka, config.get(SINK_TRANSACTIONAL_ID_PREFIX), transactionTimeout());
  }

  public <T> T get(ConfigOption<T> option) {
    return config.get(option);
  }

  public WireFormat sinkFormat() {
    String format = config.get(SINK_FORMAT);
    switch (format.toLowerCase()) {
      case "avro":
        return WireFormat.AVRO;
      case "json":
        return WireFormat.JSON;
      default:
        throw new IllegalArgumentException(SINK_FORMAT.key() + " must be avro or json, was " + format);
    }
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
    String estimatorKey = ADVANTAGE_ESTIMATOR.key();
    String compatKey = ADVANTAGE_COMPAT.key();
    AdvantageSpec spec;
    try {
      spec =
          AdvantageSpec.of(
              Estimator.fromId(config.get(ADVANTAGE_ESTIMATOR)), CompatMode.fromId(config.get(ADVANTAGE_COMPAT)));
      if (config.getOptional(ADVANTAGE_EPS).isPresent()) {
        spec = spec.withEps(config.get(ADVANTAGE_EPS));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          estimatorKey + "=" + config.get(ADVANTAGE_ESTIMATOR) + " with " + compatKey + "="
              + config.get(ADVANTAGE_COMPAT) + ": " + e.getMessage(), e);
    }
    // Batch-wide estimators are finished by the batch operator over each RL batch.
    if (config.getOptional(ADVANTAGE_SCALE_REWARDS).isPresent()) {
      String scale = config.get(ADVANTAGE_SCALE_REWARDS);
      try {
        spec = spec.withScaleRewards(ScaleRewards.fromId(scale));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            ADVANTAGE_SCALE_REWARDS.key() + "=" + scale + " with " + estimatorKey + "=" + config.get(ADVANTAGE_ESTIMATOR)
                + " and " + compatKey + "=" + config.get(ADVANTAGE_COMPAT) + ": " + e.getMessage(), e);
      }
    }
    return spec;
  }

  /** When an RL batch is full; fails naming the key. */
  public BatchLimits batchLimits() {
    long maxTokens = config.get(BATCH_MAX_TOKENS);
    if (maxTokens < 0) {
      throw new IllegalArgumentException(BATCH_MAX_TOKENS.key() + " must be 0 (no budget) or positive, was " + maxTokens);
    }
    return new BatchLimits(config.get(BATCH_GROUPS), maxTokens);
  }

  /** The trainer files to write; fails naming the key and the unknown format. */
  public Set<TrainerFiles.Format> exportFormats() {
    try {
      return TrainerFiles.Format.parseList(config.get(EXPORT_FORMATS));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(EXPORT_FORMATS.key() + ": " + e.getMessage(), e);
    }
  }

  /** The verifiers per task kind and data source; fails naming the rule when it is unknown. */
  public VerifierRegistry verifierRegistry() {
    try {
      return VerifierRegistry.fromRules(verifierRules);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(VERIFIERS_PREFIX + "*: " + e.getMessage(), e);
    }
  }

  /** The staleness bound of RL batches; fails naming the key. */
  public Staleness staleness() {
    Staleness.Action action;
    try {
      action = Staleness.Action.fromId(config.get(STALENESS_ACTION));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(STALENESS_ACTION.key() + ": " + e.getMessage(), e);
    }
    try {
      return new Staleness(config.get(STALENESS_MAX_LAG), action, config.get(STALENESS_WEIGHT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(STALENESS_WEIGHT.key() + ": " + e.getMessage(), e);
    }
  }

  /** How reward components combine into the reward; fails naming the key that is wrong. */
  /** The local reward model's settings, or empty when {@code reward-model.path} is not set. */
  public Optional<RewardModelSettings> rewardModel() {
    String path = config.get(REWARD_MODEL_PATH);
    if (path.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          RewardModelSettings.parse(
              path, config.get(REWARD_MODEL_DEVICE), config.get(REWARD_MODEL_BATCH_SIZE), config.get(REWARD_MODEL_MAX_WAIT),
              config.get(REWARD_MODEL_TEMPLATE), config.get(REWARD_MODEL_NORMALISATION), config.get(REWARD_MODEL_COMPONENT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reward-model.*: " + e.getMessage(), e);
    }
  }

  public RewardComposition rewardComposition() {
    RewardComposition.Weights weights = parse(REWARD_WEIGHTS, RewardComposition.Weights::parse);
    RewardComposition.MissingRules missing = parse(REWARD_MISSING, RewardComposition.MissingRules::parse);
    List<Gate> gates = parse(REWARD_GATES, Gate::parseAll);
    OverlongShaping overlong = overlongShaping();
    try {
      return RewardComposition.of(weights, missing, gates, overlong);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_WEIGHTS.key() + ", " + REWARD_MISSING.key() + " or " + REWARD_GATES.key() + ": " + e.getMessage(), e);
    }
  }

  private <T> T parse(ConfigOption<String> option, Function<String, T> parser) {
    try {
      return parser.apply(config.get(option));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option.key() + ": " + e.getMessage(), e);
    }
  }

  private OverlongShaping overlongShaping() {
    OverlongShaping.Mode mode = parse(REWARD_OVERLONG_MODE, OverlongShaping.Mode::fromId);
    Optional<Integer> max = config.getOptional(REWARD_OVERLONG_MAX_LENGTH);
    Optional<Integer> buffer = config.getOptional(REWARD_OVERLONG_BUFFER_LENGTH);
    Optional<Double> factor = config.getOptional(REWARD_OVERLONG_PENALTY_FACTOR);
    if (mode == OverlongShaping.Mode.NONE) {
      for (ConfigOption<?> o : List.of(REWARD_OVERLONG_MAX_LENGTH, REWARD_OVERLONG_BUFFER_LENGTH, REWARD_OVERLONG_PENALTY_FACTOR)) {
        if (config.getOptional(o).isPresent()) {
          throw new IllegalArgumentException(
              o.key() + " is set but " + REWARD_OVERLONG_MODE.key() + " is none; set the mode to dapo or verl");
        }
      }
      return OverlongShaping.NONE;
    }
    for (ConfigOption<Integer> o : List.of(REWARD_OVERLONG_MAX_LENGTH, REWARD_OVERLONG_BUFFER_LENGTH)) {
      if (config.getOptional(o).isEmpty()) {
        throw new IllegalArgumentException(o.key() + " is required when " + REWARD_OVERLONG_MODE.key() + "=" + mode.id());
      }
    }
    if (mode == OverlongShaping.Mode.DAPO && factor.isPresent()) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_PENALTY_FACTOR.key() + " applies only to " + REWARD_OVERLONG_MODE.key() + "=verl (the paper's rule has none)");
    }
    OverlongShaping.LengthFallback fallback = parse(REWARD_OVERLONG_LENGTH_FALLBACK, OverlongShaping.LengthFallback::parse);
    try {
      return mode == OverlongShaping.Mode.DAPO
          ? OverlongShaping.dapo(max.get(), buffer.get(), fallback)
          : OverlongShaping.verl(max.get(), buffer.get(), factor.orElse(1.0), fallback);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_MAX_LENGTH.key() + "=" + max.get() + ", " + REWARD_OVERLONG_BUFFER_LENGTH.key() + "=" + buffer.get()
              + factor.map(f -> ", " + REWARD_OVERLONG_PENALTY_FACTOR.key() + "=" + f).orElse("") + ": " + e.getMessage(), e);
    }
  }

  public GroupFilter groupFilter() {
    try {
      return GroupFilter.fromId(config.get(GROUP_FILTER));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(GROUP_FILTER.key() + ": " + e.getMessage(), e);
    }
  }

  public GenerationValidator.Limits generationLimits() {
    GenerationValidator.Limits defaults = GenerationValidator.Limits.defaults();
    return new GenerationValidator.Limits(
        defaults.maxIdChars(), config.get(MAX_PROMPT_CHARS), config.get(MAX_RESPONSE_CHARS),
        config.get(MAX_GROUP_SIZE), defaults.maxTokens());
  }

  /** Settings for logs: every typed option, and Kafka settings with secret values masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    for (ConfigOption<?> o : ALL) {
      shown.put(o.key(), String.valueOf(config.get(o)));
    }
    kafka.forEach((k, v) -> shown.put(KAFKA_PREFIX + k, KafkaSettings.isSecretKey(k) ? "****" : v));
    verifierRules.forEach((k, v) -> shown.put(VERIFIERS_PREFIX + k, v));
    return "LodestarOptions" + shown;
  }

  private static ConfigOption<String> topic(String name, String description) {
    return ConfigOptions.key("topics." + name).stringType().defaultValue("lodestar." + name).withDescription(description);
  }
}
