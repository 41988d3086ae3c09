package io.lodestar.jobs.config;

import io.lodestar.connectors.kafka.KafkaSettings;
import io.lodestar.connectors.kafka.TransactionTimeouts;
import io.lodestar.connectors.serde.WireFormat;
import io.lodestar.jobs.ExportFormat;
import io.lodestar.operators.advantage.AdvantageSpec;
import io.lodestar.operators.advantage.CompatMode;
import io.lodestar.operators.advantage.Estimator;
import io.lodestar.operators.advantage.ScaleRewards;
import io.lodestar.operators.batch.BatchLimits;
import io.lodestar.operators.batch.Staleness;
import io.lodestar.operators.group.GroupFilter;
import io.lodestar.operators.health.AlarmRule;
import io.lodestar.operators.health.AlarmRules;
import io.lodestar.operators.health.GateSettings;
import io.lodestar.operators.health.HealthSettings;
import io.lodestar.operators.preference.PreferenceSettings;
import io.lodestar.operators.preference.Redactor;
import io.lodestar.operators.reward.compose.Gate;
import io.lodestar.operators.reward.compose.OverlongShaping;
import io.lodestar.operators.reward.compose.RewardComposition;
import io.lodestar.operators.reward.group.GroupScoring;
import io.lodestar.operators.reward.group.MajorityVote;
import io.lodestar.operators.reward.model.DeviceSpec;
import io.lodestar.operators.reward.model.EmbeddingSettings;
import io.lodestar.operators.reward.model.RewardModelSettings;
import io.lodestar.operators.reward.remote.GuardPolicy;
import io.lodestar.operators.reward.remote.JudgeRubric;
import io.lodestar.operators.reward.remote.JudgeSettings;
import io.lodestar.operators.reward.remote.PromptFormat;
import io.lodestar.operators.reward.remote.RemoteRewardSettings;
import io.lodestar.operators.validate.GenerationValidator;
import io.lodestar.operators.verify.VerifierRegistry;
import io.lodestar.operators.verify.math.MathVerifier;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
  public static final String VERIFIERS_PREFIX = "verifiers.";

  public static final ConfigOption<String> TOPIC_GENERATIONS =
      topic("generations", "Input: generations.");
  public static final ConfigOption<String> TOPIC_FEEDBACK = topic("feedback", "Input: feedback.");
  public static final ConfigOption<String> TOPIC_SCORED =
      topic("scored", "Output: scored generations.");
  public static final ConfigOption<String> TOPIC_BATCHES = topic("batches", "Output: RL batches.");
  public static final ConfigOption<String> TOPIC_PAIRS =
      topic("pairs", "Output: preference pairs.");
  public static final ConfigOption<String> TOPIC_HEALTH_METRICS =
      topic(
          "health-metrics",
          "Output: windowed health aggregates per policy version and data source.");
  public static final ConfigOption<String> TOPIC_ALERTS =
      topic("alerts", "Output: health alerts when rules fire and clear.");
  public static final ConfigOption<String> TOPIC_UNPAIRED =
      topic("unpaired", "Output: unpaired examples labelled desirable or not (KTO).");
  public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
      topic("dead-letters", "Output: dead letters.");

  public static final ConfigOption<String> SOURCE_GROUP_ID =
      ConfigOptions.key("source.group-id")
          .stringType()
          .defaultValue("lodestar-pipeline")
          .withDescription(
              "Kafka consumer group of the sources (offsets are committed on checkpoints).");
  public static final ConfigOption<String> SOURCE_STARTING_OFFSETS =
      ConfigOptions.key("source.starting-offsets")
          .stringType()
          .defaultValue("committed-or-earliest")
          .withDescription(
              "Where a fresh job starts reading: committed-or-earliest, earliest or latest.");
  public static final ConfigOption<String> SINK_FORMAT =
      ConfigOptions.key("sink.format")
          .stringType()
          .defaultValue("avro")
          .withDescription("Encoding of output records: avro (single-object encoding) or json.");
  public static final ConfigOption<String> SINK_TRANSACTIONAL_ID_PREFIX =
      ConfigOptions.key("sink.transactional-id-prefix")
          .stringType()
          .defaultValue("lodestar")
          .withDescription(
              "Prefix of the Kafka transactional ids; each sink appends its own name. Must be unique per job.");
  public static final ConfigOption<Duration> SINK_TRANSACTION_TIMEOUT =
      ConfigOptions.key("sink.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("Kafka transaction timeout of the exactly-once sinks.");
  public static final ConfigOption<Duration> BROKER_TRANSACTION_MAX_TIMEOUT =
      ConfigOptions.key("sink.broker-transaction-max-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(15))
          .withDescription(
              "The brokers' transaction.max.timeout.ms, used when it cannot be read from the brokers.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("checkpoint.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Checkpoint interval; outputs become visible to read_committed readers on each checkpoint.");
  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOptions.key("checkpoint.dir")
          .stringType()
          .defaultValue("file:///tmp/lodestar/checkpoints")
          .withDescription("Durable checkpoint storage (file://, s3://, ...).");
  public static final ConfigOption<Integer> CHECKPOINT_RETAINED =
      ConfigOptions.key("checkpoint.retained")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Completed checkpoints kept; they are kept when the job is cancelled or fails for good, "
                  + "so it can resume from the newest (docs/recovery.md). Sets Flink's execution.checkpointing.num-retained.");
  public static final ConfigOption<Boolean> STATE_BLOOM_FILTER =
      ConfigOptions.key("state.bloom-filter")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Bloom filters in RocksDB's files, so a lookup of a key that is not there (a new generation id, "
                  + "group or join key: most lookups) skips their data blocks. Sets Flink's state.backend.rocksdb.use-bloom-filter.");
  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("parallelism")
          .intType()
          .defaultValue(1)
          .withDescription("Default operator parallelism.");
  public static final ConfigOption<Integer> RESTART_ATTEMPTS =
      ConfigOptions.key("restart.attempts")
          .intType()
          .defaultValue(10)
          .withDescription("Restarts after a failure before the job gives up.");
  public static final ConfigOption<Duration> RESTART_DELAY =
      ConfigOptions.key("restart.delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("Delay between restarts.");

  public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS =
      ConfigOptions.key("watermark.out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("How far event times may run backwards before records count as late.");
  public static final ConfigOption<Duration> WATERMARK_IDLENESS =
      ConfigOptions.key("watermark.idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("A source split silent this long stops holding the watermark back.");
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_MAX_DRIFT =
      ConfigOptions.key("watermark.alignment.max-drift")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "How far in event time a Kafka partition may be read ahead of the slowest partition of the"
                  + " generation, feedback and policy-update topics before its reading pauses (bounds the state a backlog fills).");
  public static final ConfigOption<Duration> WATERMARK_ALIGNMENT_UPDATE_INTERVAL =
      ConfigOptions.key("watermark.alignment.update-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "How often the Kafka sources compare their watermarks for alignment (processing time).");
  public static final ConfigOption<Duration> DEDUP_RETENTION =
      ConfigOptions.key("dedup.retention")
          .durationType()
          .defaultValue(Duration.ofHours(24))
          .withDescription(
              "How long a generation id is remembered for de-duplication (event time).");
  public static final ConfigOption<Duration> GROUP_TIMEOUT =
      ConfigOptions.key("group.timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription(
              "Event time after a group's first member at which an incomplete group closes.");
  public static final ConfigOption<Duration> GROUP_LATE_RETENTION =
      ConfigOptions.key("group.late-retention")
          .durationType()
          .defaultValue(Duration.ofMinutes(30))
          .withDescription("How long a closed group is remembered so late members are recognised.");
  public static final ConfigOption<Duration> CODE_TIMEOUT =
      ConfigOptions.key("code.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Wall-clock limit of one code-test run in the sandbox, counted from when the run starts.");
  public static final ConfigOption<Integer> CODE_THREADS =
      ConfigOptions.key("code.threads")
          .intType()
          .defaultValue(2)
          .withDescription("Sandboxes running at once per subtask.");
  public static final ConfigOption<Integer> CODE_CAPACITY =
      ConfigOptions.key("code.capacity")
          .intType()
          .defaultValue(32)
          .withDescription(
              "Generations in flight in the code-test operator before it applies backpressure.");
  public static final ConfigOption<String> ADVANTAGE_ESTIMATOR =
      ConfigOptions.key("advantage.estimator")
          .stringType()
          .defaultValue("grpo")
          .withDescription(
              "grpo, dr_grpo, rloo, reinforce_pp_baseline or grpo_pass_at_k (see docs/advantages.md).");
  public static final ConfigOption<String> ADVANTAGE_COMPAT =
      ConfigOptions.key("advantage.compat")
          .stringType()
          .defaultValue("lodestar")
          .withDescription("Whose arithmetic: lodestar, verl, trl, trl-async or openrlhf.");
  public static final ConfigOption<Double> ADVANTAGE_EPS =
      ConfigOptions.key("advantage.eps")
          .doubleType()
          .noDefaultValue()
          .withDescription("Overrides the compatibility mode's epsilon.");
  public static final ConfigOption<String> GROUP_FILTER =
      ConfigOptions.key("group.filter")
          .stringType()
          .defaultValue("none")
          .withDescription(
              "Dynamic sampling: none, verl (std > 0 or one member) or openrlhf (mean inside (0, 1)).");
  public static final ConfigOption<String> TOPIC_FILTERED_GROUPS =
      ConfigOptions.key("topics.filtered-groups")
          .stringType()
          .defaultValue("")
          .withDescription("Output for filtered or refused groups; empty: counted, not written.");
  public static final ConfigOption<Long> STALENESS_MAX_LAG =
      ConfigOptions.key("staleness.max-lag")
          .longType()
          .defaultValue(-1L)
          .withDescription(
              "Largest allowed lag (newest policy version minus a group's oldest); negative: no check.");
  public static final ConfigOption<String> STALENESS_ACTION =
      ConfigOptions.key("staleness.action")
          .stringType()
          .defaultValue("drop")
          .withDescription(
              "drop (to the filtered output) or downweight (advantages times staleness.weight).");
  public static final ConfigOption<Double> STALENESS_WEIGHT =
      ConfigOptions.key("staleness.weight")
          .doubleType()
          .defaultValue(0.5)
          .withDescription(
              "Factor on a stale group's advantages when staleness.action=downweight, in (0, 1].");
  public static final ConfigOption<Integer> BATCH_GROUPS =
      ConfigOptions.key("batch.groups")
          .intType()
          .defaultValue(8)
          .withDescription("Groups per RL batch.");
  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      ConfigOptions.key("batch.max-wait")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "Event time a partial batch waits for more groups before it is emitted.");
  public static final ConfigOption<Boolean> BATCH_MIX_POLICY_VERSIONS =
      ConfigOptions.key("batch.mix-policy-versions")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Let one RL batch hold groups of several policy versions of its model; off: each version fills batches of its own, with its own wait.");
  public static final ConfigOption<Boolean> BATCH_REQUIRE_CONSENT =
      ConfigOptions.key("batch.require-consent")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "RL batches take a group only when every member consents to training (consentToTrain); "
                  + "other groups go to topics.filtered-groups. false: every group, each sample carrying its flag.");
  public static final ConfigOption<String> ADVANTAGE_SCALE_REWARDS =
      ConfigOptions.key("advantage.scale-rewards")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "TRL's scale_rewards, with advantage.compat=trl and grpo: group, batch (std over the RL batch) or none.");
  public static final ConfigOption<Long> BATCH_MAX_TOKENS =
      ConfigOptions.key("batch.max-tokens")
          .longType()
          .defaultValue(0L)
          .withDescription(
              "Token budget per RL batch: prompt plus response tokens of every sample (token ids, else 4 characters per token); 0: none.");
  public static final ConfigOption<String> TOPIC_POLICY_UPDATES =
      ConfigOptions.key("topics.policy-updates")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Control input: PolicyUpdate records in which trainers announce their policy version; empty: none.");
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
  public static final ConfigOption<Duration> FEEDBACK_KEEP_GENERATIONS =
      ConfigOptions.key("feedback.keep-generations")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("Event time a generation is kept for feedback that may still arrive.");
  public static final ConfigOption<Duration> FEEDBACK_MAX_WAIT =
      ConfigOptions.key("feedback.max-wait")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Event time feedback waits for its generation before it is routed as unmatched.");
  public static final ConfigOption<Integer> MAX_RESPONSE_CHARS =
      ConfigOptions.key("validate.max-response-chars")
          .intType()
          .defaultValue(200_000)
          .withDescription("Longer responses are dead-lettered.");
  public static final ConfigOption<Integer> MAX_PROMPT_CHARS =
      ConfigOptions.key("validate.max-prompt-chars")
          .intType()
          .defaultValue(200_000)
          .withDescription("Longer prompts are dead-lettered.");
  public static final ConfigOption<Integer> MAX_GROUP_SIZE =
      ConfigOptions.key("validate.max-group-size")
          .intType()
          .defaultValue(1024)
          .withDescription("Larger declared group sizes are dead-lettered.");
  public static final ConfigOption<Duration> MAX_CLOCK_SKEW =
      ConfigOptions.key("validate.max-clock-skew")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "Inputs whose event time (createdAtMs, publishedAtMs) is further ahead of the wall clock than this "
                  + "are dead-lettered as FUTURE_EVENT_TIME (a clock set wrong, a time in microseconds), and never move the watermark.");
  public static final ConfigOption<Integer> SINK_MAX_MESSAGE_BYTES =
      ConfigOptions.key("sink.max-message-bytes")
          .intType()
          .defaultValue(1_048_588)
          .withDescription(
              "The output topics' max.message.bytes, used for a topic whose settings cannot be read from the brokers.");
  public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD =
      ConfigOptions.key("dead-letter.max-payload-bytes")
          .intType()
          .defaultValue(1 << 20)
          .withDescription(
              "Raw bytes kept in a dead letter; longer payloads are truncated (the size is recorded).");

  public static final ConfigOption<String> REWARD_WEIGHTS =
      ConfigOptions.key("reward.weights")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Weights of the reward's weighted mean, name:weight,... (*:w for every other name; default 1).");
  public static final ConfigOption<String> REWARD_GATES =
      ConfigOptions.key("reward.gates")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Gates in order, e.g. format>=1.0 else -1.0;...: a failing gate sets the reward to its penalty.");
  public static final ConfigOption<String> REWARD_MISSING =
      ConfigOptions.key("reward.missing")
          .stringType()
          .defaultValue("skip")
          .withDescription(
              "Missing or unscored components: skip, unscored or substitute:<v>, plus name=<policy> entries.");
  public static final ConfigOption<String> REWARD_OVERLONG_MODE =
      ConfigOptions.key("reward.overlong.mode")
          .stringType()
          .defaultValue("none")
          .withDescription(
              "Overlong reward shaping: none, dapo (the paper's rule) or verl (verl's overlong_buffer).");
  public static final ConfigOption<Integer> REWARD_OVERLONG_MAX_LENGTH =
      ConfigOptions.key("reward.overlong.max-length")
          .intType()
          .noDefaultValue()
          .withDescription("L_max in tokens (verl: data.max_response_length).");
  public static final ConfigOption<Integer> REWARD_OVERLONG_BUFFER_LENGTH =
      ConfigOptions.key("reward.overlong.buffer-length")
          .intType()
          .noDefaultValue()
          .withDescription(
              "L_cache in tokens (verl: overlong_buffer.len): shaping starts at max-length minus this.");
  public static final ConfigOption<Double> REWARD_OVERLONG_PENALTY_FACTOR =
      ConfigOptions.key("reward.overlong.penalty-factor")
          .doubleType()
          .noDefaultValue()
          .withDescription(
              "verl's overlong_buffer.penalty_factor (mode verl only; 1.0 when unset).");
  public static final ConfigOption<String> REWARD_OVERLONG_LENGTH_FALLBACK =
      ConfigOptions.key("reward.overlong.length-fallback")
          .stringType()
          .defaultValue("unscorable")
          .withDescription(
              "Without responseTokenIds: unscorable (no shaping) or estimate:<chars per token>.");

  public static final ConfigOption<String> REWARD_MODEL_PATH =
      ConfigOptions.key("reward-model.path")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Folder of a local ONNX reward model (model.onnx, tokenizer.json, reward-model.json); empty: off.");
  public static final ConfigOption<String> REWARD_MODEL_DEVICE =
      ConfigOptions.key("reward-model.device")
          .stringType()
          .defaultValue("auto")
          .withDescription("auto (a GPU when present), cpu, gpu or gpu:N.");
  public static final ConfigOption<Integer> REWARD_MODEL_BATCH_SIZE =
      ConfigOptions.key("reward-model.batch-size")
          .intType()
          .defaultValue(RewardModelSettings.DEFAULT_BATCH_SIZE)
          .withDescription("Records per model call.");
  public static final ConfigOption<Duration> REWARD_MODEL_MAX_WAIT =
      ConfigOptions.key("reward-model.max-wait")
          .durationType()
          .defaultValue(RewardModelSettings.DEFAULT_MAX_WAIT)
          .withDescription("Longest a record waits for its batch to fill (processing time).");
  public static final ConfigOption<String> REWARD_MODEL_TEMPLATE =
      ConfigOptions.key("reward-model.template")
          .stringType()
          .defaultValue("role-prefixed")
          .withDescription(
              "How (prompt, response) become model input: role-prefixed, text-pair, last-user-pair or format:...");
  public static final ConfigOption<String> REWARD_MODEL_NORMALISATION =
      ConfigOptions.key("reward-model.normalisation")
          .stringType()
          .defaultValue("none")
          .withDescription("none, sigmoid or affine:scale,bias applied to the model's logit.");
  public static final ConfigOption<String> REWARD_MODEL_COMPONENT =
      ConfigOptions.key("reward-model.component-name")
          .stringType()
          .defaultValue(RewardModelSettings.DEFAULT_COMPONENT_NAME)
          .withDescription("Name of the reward component the model adds.");

  public static final ConfigOption<Duration> PREFERENCE_PROMPT_WINDOW =
      ConfigOptions.key("preference.prompt-window")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Event time a prompt's thumbs and ratings are collected before they are compared.");
  public static final ConfigOption<Integer> PREFERENCE_MAX_PAIRS =
      ConfigOptions.key("preference.max-pairs-per-prompt")
          .intType()
          .defaultValue(8)
          .withDescription("Most pairs one prompt window, or one group, yields.");
  public static final ConfigOption<Double> PREFERENCE_RATING_GAP =
      ConfigOptions.key("preference.rating-gap")
          .doubleType()
          .defaultValue(0.25)
          .withDescription(
              "Ratings of one prompt pair up when they differ by more than this (0-1 scale when the range is known).");
  public static final ConfigOption<Boolean> PREFERENCE_REGENERATION_PAIRS =
      ConfigOptions.key("preference.regeneration-pairs")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "A regeneration naming its replacement also yields replacement over discarded.");
  public static final ConfigOption<Boolean> PREFERENCE_BOTH_BAD_UNPAIRED =
      ConfigOptions.key("preference.both-bad-unpaired")
          .booleanType()
          .defaultValue(false)
          .withDescription("A both-bad vote yields two undesirable unpaired examples.");
  public static final ConfigOption<String> PREFERENCE_GROUP_PAIRS =
      ConfigOptions.key("preference.group-pairs")
          .stringType()
          .defaultValue("off")
          .withDescription(
              "Pairs from the rewards of closed groups: off, best-worst, best-random or all-above-margin.");
  public static final ConfigOption<Double> PREFERENCE_GROUP_MARGIN =
      ConfigOptions.key("preference.group-margin")
          .doubleType()
          .defaultValue(0.0)
          .withDescription("Rewards of one group pair up only when they differ by more than this.");
  public static final ConfigOption<String> PREFERENCE_WEIGHTS =
      ConfigOptions.key("preference.weights")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Confidence per source, e.g. vote=1,thumb=0.8,rating=0.8,edit=1,regenerate=0.3,group-reward=0.5; unnamed sources keep these defaults.");
  public static final ConfigOption<String> PREFERENCE_REDACTION =
      ConfigOptions.key("preference.redaction")
          .stringType()
          .defaultValue("none")
          .withDescription(
              "Runs on every pair and unpaired example before it is written: none, pii or class:<Redactor implementation>.");
  public static final ConfigOption<String> EXPORT_PREFERENCE_FORMATS =
      ConfigOptions.key("export.preference-formats")
          .stringType()
          .defaultValue(ExportFormat.idList(ExportFormat.Kind.PREFERENCE))
          .withDescription(
              "Which preference files under export.dir: any of "
                  + ExportFormat.idList(ExportFormat.Kind.PREFERENCE)
                  + " (comma-separated; empty: none).");

  public static final ConfigOption<Boolean> HEALTH_ENABLED =
      ConfigOptions.key("health.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription("Windowed health aggregates, alarms and their topics.");
  public static final ConfigOption<Duration> HEALTH_WINDOW =
      ConfigOptions.key("health.window")
          .durationType()
          .defaultValue(HealthSettings.defaults().window())
          .withDescription("Event-time window of the health aggregates.");
  public static final ConfigOption<Duration> HEALTH_ALLOWED_LATENESS =
      ConfigOptions.key("health.allowed-lateness")
          .durationType()
          .defaultValue(HealthSettings.defaults().allowedLateness())
          .withDescription(
              "Late events update their window (re-emitted with the next revision) within this.");
  public static final ConfigOption<String> HEALTH_FORMAT_COMPONENTS =
      ConfigOptions.key("health.format-components")
          .stringType()
          .defaultValue(String.join(",", HealthSettings.DEFAULT_FORMAT_COMPONENTS))
          .withDescription(
              "Verifier components that judge format rather than accuracy (comma-separated).");
  public static final ConfigOption<Double> HEALTH_PASS_THRESHOLD =
      ConfigOptions.key("health.pass-threshold")
          .doubleType()
          .defaultValue(HealthSettings.defaults().passThreshold())
          .withDescription("A verifier or judge verdict passes at or above this.");
  public static final ConfigOption<Double> HEALTH_MODEL_THRESHOLD =
      ConfigOptions.key("health.model-threshold")
          .doubleType()
          .defaultValue(HealthSettings.defaults().modelThreshold())
          .withDescription("A reward model's verdict is positive at or above this.");
  public static final ConfigOption<Boolean> HEALTH_ROLL_UP =
      ConfigOptions.key("health.roll-up")
          .booleanType()
          .defaultValue(HealthSettings.defaults().rollUp())
          .withDescription(
              "Also aggregate every data source of a policy version into one row (data source *).");
  public static final ConfigOption<String> ALARM_RULES =
      ConfigOptions.key("alarms.rules")
          .stringType()
          .defaultValue(AlarmRules.DEFAULTS)
          .withDescription("Alarm rules, one per line (docs/monitoring.md); empty: none.");
  public static final ConfigOption<Boolean> GATE_ENABLED =
      ConfigOptions.key("gate.enabled")
          .booleanType()
          .defaultValue(false)
          .withDescription("Hold RL batches of a policy version while a gating rule fires for it.");
  public static final ConfigOption<Boolean> GATE_PAIRS =
      ConfigOptions.key("gate.pairs")
          .booleanType()
          .defaultValue(false)
          .withDescription("Also hold preference pairs (with gate.enabled).");
  public static final ConfigOption<String> GATE_ON_CLEAR =
      ConfigOptions.key("gate.on-clear")
          .stringType()
          .defaultValue("release")
          .withDescription(
              "What a cleared gate does with what it held: release, or discard (batches' groups to the set-aside output, pairs to dead letters).");
  public static final ConfigOption<Duration> GATE_VERDICT_DELAY =
      ConfigOptions.key("gate.verdict-delay")
          .durationType()
          .defaultValue(GateSettings.defaults().verdictDelay())
          .withDescription("Event time a record waits past its own for the alarms of its window.");
  public static final ConfigOption<Duration> GATE_RETENTION =
      ConfigOptions.key("gate.retention")
          .durationType()
          .defaultValue(GateSettings.defaults().retention())
          .withDescription(
              "Event time a cleared hold is remembered for records of its period that arrive late.");

  static final MajorityVoteOptions MAJORITY = new MajorityVoteOptions();

  static final RemoteScorerOptions REMOTE_REWARD =
      new RemoteScorerOptions(
          RemoteRewardSettings.PREFIX,
          "OpenRLHF-protocol reward endpoint (full URL)",
          RemoteRewardSettings.DEFAULT_COMPONENT);
  public static final ConfigOption<String> REMOTE_REWARD_PROMPT_FORMAT =
      ConfigOptions.key("remote-reward.prompt-format")
          .stringType()
          .defaultValue("plain")
          .withDescription("How chat messages become the prompt string: plain or chatml.");

  static final RemoteScorerOptions JUDGE =
      new RemoteScorerOptions(
          JudgeSettings.PREFIX,
          "Base URL of an OpenAI-compatible chat-completions judge",
          JudgeSettings.DEFAULT_COMPONENT);
  public static final ConfigOption<String> JUDGE_GUARD =
      ConfigOptions.key("judge.guard")
          .stringType()
          .defaultValue("zero")
          .withDescription(
              "What content-free responses get without a judge call: zero or unscored.");
  public static final ConfigOption<String> JUDGE_SYSTEM_PROMPT =
      ConfigOptions.key("judge.system-prompt")
          .stringType()
          .defaultValue(JudgeRubric.DEFAULT_SYSTEM)
          .withDescription("The judge's system message.");
  public static final ConfigOption<String> JUDGE_RUBRIC =
      ConfigOptions.key("judge.rubric")
          .stringType()
          .defaultValue(JudgeRubric.DEFAULT_TEMPLATE)
          .withDescription(
              "User message template with {prompt}, {response} (required) and {reference}.");
  public static final ConfigOption<Integer> JUDGE_MAX_TOKENS =
      ConfigOptions.key("judge.max-tokens")
          .intType()
          .noDefaultValue()
          .withDescription("max_tokens of each judge request; unset: not sent.");

  public static final ConfigOption<Boolean> EMBEDDING_SIMILARITY =
      ConfigOptions.key("embedding-model.similarity")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Add the cosine of each response with the task's reference answer as a component.");
  public static final ConfigOption<Boolean> EMBEDDING_DIVERSITY =
      ConfigOptions.key("embedding-model.diversity")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Set each RL group's diversity (mean pairwise cosine distance of its responses).");
  public static final ConfigOption<String> EMBEDDING_PATH =
      ConfigOptions.key("embedding-model.path")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Folder of an ONNX sentence-embedding model; empty: the bundled all-MiniLM-L6-v2.");
  public static final ConfigOption<String> EMBEDDING_DEVICE =
      ConfigOptions.key("embedding-model.device")
          .stringType()
          .defaultValue("auto")
          .withDescription("auto (a GPU when present), cpu, gpu or gpu:N.");
  public static final ConfigOption<Integer> EMBEDDING_BATCH_SIZE =
      ConfigOptions.key("embedding-model.batch-size")
          .intType()
          .defaultValue(32)
          .withDescription("Texts per model call.");
  public static final ConfigOption<Duration> EMBEDDING_MAX_WAIT =
      ConfigOptions.key("embedding-model.max-wait")
          .durationType()
          .defaultValue(Duration.ofMillis(50))
          .withDescription("Longest a record waits for its batch to fill (processing time).");
  public static final ConfigOption<String> EMBEDDING_COMPONENT =
      ConfigOptions.key("embedding-model.component-name")
          .stringType()
          .defaultValue(EmbeddingSettings.DEFAULT_COMPONENT_NAME)
          .withDescription("Name of the similarity component.");

  public static final ConfigOption<Boolean> STARTUP_CHECKS =
      ConfigOptions.key("startup.checks")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Before the streaming job is submitted: the brokers answer, every topic it reads or writes exists, "
                  + "and the checkpoint directory (and export.dir) can be written. false: only options are checked "
                  + "(for a client that cannot reach the brokers or the storage the cluster uses).");
  public static final ConfigOption<Duration> STARTUP_CHECK_TIMEOUT =
      ConfigOptions.key("startup.check-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("How long the start-up checks wait for the brokers before failing.");

  public static final ConfigOption<Integer> MATH_EXAMINED_CHARS =
      ConfigOptions.key("verify.math.examined-chars")
          .intType()
          .defaultValue(io.lodestar.operators.verify.math.MathVerifier.DEFAULT_EXAMINED_CHARS)
          .withDescription(
              "How many characters at the end of a response math_equivalence reads for answer markers, "
                  + "LaTeX spans and last numbers (at least 100). Boxed answers are looked for in the whole response.");

  // Input formats: what producers write on the generations and feedback topics.
  public static final ConfigOption<String> GENERATIONS_FORMAT =
      ConfigOptions.key("topics.generations.format")
          .stringType()
          .defaultValue(GenerationsFormat.LODESTAR.id())
          .withDescription(
              "How generations are written: lodestar (Generation, Avro or plain JSON) or openai-chat "
                  + "(logged OpenAI chat completions: request, response, metadata; one group per response; docs/inputs.md).");
  public static final ConfigOption<String> FEEDBACK_FORMAT =
      ConfigOptions.key("topics.feedback.format")
          .stringType()
          .defaultValue(FeedbackFormat.LODESTAR.id())
          .withDescription(
              "How feedback is written: lodestar (Feedback, Avro or plain JSON) or simple (a plain JSON form "
                  + "naming the generation by response id and choice index; docs/inputs.md).");

  private static final List<ConfigOption<?>> TYPED =
      List.of(
          TOPIC_GENERATIONS,
          TOPIC_FEEDBACK,
          TOPIC_SCORED,
          TOPIC_BATCHES,
          TOPIC_PAIRS,
          TOPIC_DEAD_LETTERS,
          SOURCE_GROUP_ID,
          SOURCE_STARTING_OFFSETS,
          SINK_FORMAT,
          SINK_TRANSACTIONAL_ID_PREFIX,
          SINK_TRANSACTION_TIMEOUT,
          BROKER_TRANSACTION_MAX_TIMEOUT,
          CHECKPOINT_INTERVAL,
          CHECKPOINT_DIR,
          CHECKPOINT_RETAINED,
          STATE_BLOOM_FILTER,
          PARALLELISM,
          RESTART_ATTEMPTS,
          RESTART_DELAY,
          WATERMARK_OUT_OF_ORDERNESS,
          WATERMARK_IDLENESS,
          WATERMARK_ALIGNMENT_MAX_DRIFT,
          WATERMARK_ALIGNMENT_UPDATE_INTERVAL,
          MAX_CLOCK_SKEW,
          DEDUP_RETENTION,
          GROUP_TIMEOUT,
          GROUP_LATE_RETENTION,
          CODE_TIMEOUT,
          CODE_THREADS,
          CODE_CAPACITY,
          ADVANTAGE_ESTIMATOR,
          ADVANTAGE_COMPAT,
          ADVANTAGE_EPS,
          GROUP_FILTER,
          TOPIC_FILTERED_GROUPS,
          STALENESS_MAX_LAG,
          STALENESS_ACTION,
          STALENESS_WEIGHT,
          BATCH_GROUPS,
          BATCH_MAX_WAIT,
          BATCH_MIX_POLICY_VERSIONS,
          BATCH_REQUIRE_CONSENT,
          ADVANTAGE_SCALE_REWARDS,
          BATCH_MAX_TOKENS,
          TOPIC_POLICY_UPDATES,
          EXPORT_DIR,
          EXPORT_FORMATS,
          FEEDBACK_KEEP_GENERATIONS,
          FEEDBACK_MAX_WAIT,
          MAX_RESPONSE_CHARS,
          MAX_PROMPT_CHARS,
          MAX_GROUP_SIZE,
          DEAD_LETTER_MAX_PAYLOAD,
          MAX_CLOCK_SKEW,
          SINK_MAX_MESSAGE_BYTES,
          REWARD_WEIGHTS,
          REWARD_GATES,
          REWARD_MISSING,
          REWARD_OVERLONG_MODE,
          REWARD_OVERLONG_MAX_LENGTH,
          REWARD_OVERLONG_BUFFER_LENGTH,
          REWARD_OVERLONG_PENALTY_FACTOR,
          REWARD_OVERLONG_LENGTH_FALLBACK,
          REWARD_MODEL_PATH,
          REWARD_MODEL_DEVICE,
          REWARD_MODEL_BATCH_SIZE,
          REWARD_MODEL_MAX_WAIT,
          REWARD_MODEL_TEMPLATE,
          REWARD_MODEL_NORMALISATION,
          REWARD_MODEL_COMPONENT);

  private static List<ConfigOption<?>> allOptions() {
    List<ConfigOption<?>> all = new ArrayList<>(TYPED);
    all.addAll(
        List.of(
            TOPIC_HEALTH_METRICS,
            TOPIC_ALERTS,
            HEALTH_ENABLED,
            HEALTH_WINDOW,
            HEALTH_ALLOWED_LATENESS,
            HEALTH_FORMAT_COMPONENTS,
            HEALTH_PASS_THRESHOLD,
            HEALTH_MODEL_THRESHOLD,
            HEALTH_ROLL_UP,
            ALARM_RULES,
            GATE_ENABLED,
            GATE_PAIRS,
            GATE_ON_CLEAR,
            GATE_VERDICT_DELAY,
            GATE_RETENTION));
    all.addAll(
        List.of(
            TOPIC_UNPAIRED,
            PREFERENCE_PROMPT_WINDOW,
            PREFERENCE_MAX_PAIRS,
            PREFERENCE_RATING_GAP,
            PREFERENCE_REGENERATION_PAIRS,
            PREFERENCE_BOTH_BAD_UNPAIRED,
            PREFERENCE_GROUP_PAIRS,
            PREFERENCE_GROUP_MARGIN,
            PREFERENCE_WEIGHTS,
            PREFERENCE_REDACTION,
            EXPORT_PREFERENCE_FORMATS));
    all.addAll(REMOTE_REWARD.all());
    all.add(REMOTE_REWARD_PROMPT_FORMAT);
    all.addAll(JUDGE.all());
    all.addAll(List.of(JUDGE_GUARD, JUDGE_SYSTEM_PROMPT, JUDGE_RUBRIC, JUDGE_MAX_TOKENS));
    all.addAll(
        List.of(
            EMBEDDING_SIMILARITY,
            EMBEDDING_DIVERSITY,
            EMBEDDING_PATH,
            EMBEDDING_DEVICE,
            EMBEDDING_BATCH_SIZE,
            EMBEDDING_MAX_WAIT,
            EMBEDDING_COMPONENT));
    all.addAll(List.of(STARTUP_CHECKS, STARTUP_CHECK_TIMEOUT));
    all.add(MATH_EXAMINED_CHARS);
    all.addAll(MAJORITY.all());
    all.addAll(List.of(GENERATIONS_FORMAT, FEEDBACK_FORMAT));
    return List.copyOf(all);
  }

  /** Every typed option, for documentation and for rejecting unknown keys. */
  public static final List<ConfigOption<?>> ALL = allOptions();

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
    for (ConfigOption<?> option : ALL) {
      try {
        config.get(option);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "option "
                + option.key()
                + " has a value that is not a valid "
                + describeType(option)
                + ": "
                + config.toMap().get(option.key()),
            e);
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
    requirePositive(SINK_MAX_MESSAGE_BYTES);
    if (config.get(MAX_CLOCK_SKEW).isNegative()) {
      throw new IllegalArgumentException(
          MAX_CLOCK_SKEW.key() + " must not be negative, was " + config.get(MAX_CLOCK_SKEW));
    }
    requirePositive(CODE_THREADS);
    requirePositive(CODE_CAPACITY);
    requirePositive(CHECKPOINT_RETAINED);
    if (config.get(RESTART_ATTEMPTS) < 0) {
      throw new IllegalArgumentException(RESTART_ATTEMPTS.key() + " must not be negative");
    }
    for (ConfigOption<Duration> d :
        List.of(
            CHECKPOINT_INTERVAL,
            GROUP_TIMEOUT,
            BATCH_MAX_WAIT,
            DEDUP_RETENTION,
            FEEDBACK_MAX_WAIT,
            FEEDBACK_KEEP_GENERATIONS,
            PREFERENCE_PROMPT_WINDOW,
            SINK_TRANSACTION_TIMEOUT,
            GROUP_LATE_RETENTION,
            CODE_TIMEOUT,
            WATERMARK_ALIGNMENT_MAX_DRIFT,
            WATERMARK_ALIGNMENT_UPDATE_INTERVAL,
            MAX_CLOCK_SKEW)) {
      if (config.get(d).isNegative() || config.get(d).isZero()) {
        throw new IllegalArgumentException(
            d.key() + " must be a positive duration, was " + config.get(d));
      }
    }
    if (config.get(STARTUP_CHECK_TIMEOUT).isNegative()
        || config.get(STARTUP_CHECK_TIMEOUT).isZero()) {
      throw new IllegalArgumentException(
          STARTUP_CHECK_TIMEOUT.key()
              + " must be a positive duration, was "
              + config.get(STARTUP_CHECK_TIMEOUT));
    }
    String offsets = config.get(SOURCE_STARTING_OFFSETS);
    if (!List.of("committed-or-earliest", "earliest", "latest").contains(offsets)) {
      throw new IllegalArgumentException(
          SOURCE_STARTING_OFFSETS.key()
              + " must be committed-or-earliest, earliest or latest, was "
              + offsets);
    }
    sinkFormat();
    generationsFormat();
    feedbackFormat();
    advantageSpec();
    groupFilter();
    verifierRegistry();
    staleness();
    rewardComposition();
    groupScoring();
    rewardModel();
    remoteReward();
    judge();
    embeddings();
    preferenceSettings();
    redactor();
    healthSettings();
    alarmRules();
    gateSettings();
    preferenceExportFormats();
    batchLimits();
    exportFormats();
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

  private void requirePositive(ConfigOption<Integer> option) {
    if (config.get(option) < 1) {
      throw new IllegalArgumentException(
          option.key() + " must be at least 1, was " + config.get(option));
    }
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
    String format = config.get(SINK_FORMAT);
    switch (format.toLowerCase()) {
      case "avro":
        return WireFormat.AVRO;
      case "json":
        return WireFormat.JSON;
      default:
        throw new IllegalArgumentException(
            SINK_FORMAT.key() + " must be avro or json, was " + format);
    }
  }

  /** The format of the generations topic; fails naming the key. */
  public GenerationsFormat generationsFormat() {
    try {
      return GenerationsFormat.fromId(config.get(GENERATIONS_FORMAT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(GENERATIONS_FORMAT.key() + ": " + e.getMessage(), e);
    }
  }

  /** The format of the feedback topic; fails naming the key. */
  public FeedbackFormat feedbackFormat() {
    try {
      return FeedbackFormat.fromId(config.get(FEEDBACK_FORMAT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(FEEDBACK_FORMAT.key() + ": " + e.getMessage(), e);
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
              Estimator.fromId(config.get(ADVANTAGE_ESTIMATOR)),
              CompatMode.fromId(config.get(ADVANTAGE_COMPAT)));
      if (config.getOptional(ADVANTAGE_EPS).isPresent()) {
        spec = spec.withEps(config.get(ADVANTAGE_EPS));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          estimatorKey
              + "="
              + config.get(ADVANTAGE_ESTIMATOR)
              + " with "
              + compatKey
              + "="
              + config.get(ADVANTAGE_COMPAT)
              + ": "
              + e.getMessage(),
          e);
    }
    // Batch-wide estimators are finished by the batch operator over each RL batch.
    if (config.getOptional(ADVANTAGE_SCALE_REWARDS).isPresent()) {
      String scale = config.get(ADVANTAGE_SCALE_REWARDS);
      try {
        spec = spec.withScaleRewards(ScaleRewards.fromId(scale));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            ADVANTAGE_SCALE_REWARDS.key()
                + "="
                + scale
                + " with "
                + estimatorKey
                + "="
                + config.get(ADVANTAGE_ESTIMATOR)
                + " and "
                + compatKey
                + "="
                + config.get(ADVANTAGE_COMPAT)
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return spec;
  }

  /** When an RL batch is full; fails naming the key. */
  public BatchLimits batchLimits() {
    long maxTokens = config.get(BATCH_MAX_TOKENS);
    if (maxTokens < 0) {
      throw new IllegalArgumentException(
          BATCH_MAX_TOKENS.key() + " must be 0 (no budget) or positive, was " + maxTokens);
    }
    return new BatchLimits(config.get(BATCH_GROUPS), maxTokens);
  }

  /** The trainer files to write; fails naming the key and the unknown format. */
  public Set<ExportFormat> exportFormats() {
    try {
      return ExportFormat.parseList(ExportFormat.Kind.RL, config.get(EXPORT_FORMATS));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(EXPORT_FORMATS.key() + ": " + e.getMessage(), e);
    }
  }

  /** The verifiers per task kind and data source; fails naming the rule when it is unknown. */
  public VerifierRegistry verifierRegistry() {
    int examined = config.get(MATH_EXAMINED_CHARS);
    if (examined < 100) {
      throw new IllegalArgumentException(
          MATH_EXAMINED_CHARS.key() + " must be at least 100, was " + examined);
    }
    try {
      return VerifierRegistry.fromRules(
          verifierRules,
          io.lodestar.operators.verify.math.MathVerifier.Config.defaults()
              .withExaminedChars(examined));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(VERIFIERS_PREFIX + "*: " + e.getMessage(), e);
    }
  }

  /**
   * The scorers that run when a group closes ({@code majority.*}), composing with {@link
   * #rewardComposition()}; {@link GroupScoring#NONE} when none is on. Fails naming the key.
   */
  public GroupScoring groupScoring() {
    Optional<MajorityVote.Settings> settings = MAJORITY.settings(config);
    if (settings.isEmpty()) {
      return GroupScoring.NONE;
    }
    MathVerifier.Config math =
        MathVerifier.Config.defaults().withExaminedChars(config.get(MATH_EXAMINED_CHARS));
    return new GroupScoring(
        new MajorityVote(settings.get(), new MathVerifier(math)), rewardComposition());
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
              path,
              config.get(REWARD_MODEL_DEVICE),
              config.get(REWARD_MODEL_BATCH_SIZE),
              config.get(REWARD_MODEL_MAX_WAIT),
              config.get(REWARD_MODEL_TEMPLATE),
              config.get(REWARD_MODEL_NORMALISATION),
              config.get(REWARD_MODEL_COMPONENT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reward-model.*: " + e.getMessage(), e);
    }
  }

  public HealthSettings healthSettings() {
    List<String> formats = new ArrayList<>();
    for (String part : config.get(HEALTH_FORMAT_COMPONENTS).split(",")) {
      if (!part.isBlank()) {
        formats.add(part.trim());
      }
    }
    return new HealthSettings(
        config.get(HEALTH_WINDOW),
        config.get(HEALTH_ALLOWED_LATENESS),
        formats,
        config.get(HEALTH_PASS_THRESHOLD),
        config.get(HEALTH_MODEL_THRESHOLD),
        config.get(HEALTH_ROLL_UP));
  }

  /**
   * The alarm rules; a rule that does not parse fails start-up naming {@code alarms.rules} and the
   * rule.
   */
  public List<AlarmRule> alarmRules() {
    String text = config.get(ALARM_RULES);
    return text.isBlank() ? List.of() : AlarmRules.parse(text);
  }

  public GateSettings gateSettings() {
    GateSettings.OnClear onClear =
        parse(
            GATE_ON_CLEAR,
            v -> {
              switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "release":
                  return GateSettings.OnClear.RELEASE;
                case "discard":
                  return GateSettings.OnClear.DISCARD;
                default:
                  throw new IllegalArgumentException("must be release or discard, was " + v);
              }
            });
    return new GateSettings(onClear, config.get(GATE_VERDICT_DELAY), config.get(GATE_RETENTION));
  }

  /** How feedback and group rewards become pairs and unpaired examples; messages name the key. */
  public PreferenceSettings preferenceSettings() {
    PreferenceSettings.GroupPairMode mode =
        parse(PREFERENCE_GROUP_PAIRS, PreferenceSettings.GroupPairMode::parse);
    PreferenceSettings.Weights weights =
        parse(PREFERENCE_WEIGHTS, LodestarOptions::preferenceWeights);
    return new PreferenceSettings(
        config.get(PREFERENCE_PROMPT_WINDOW),
        config.get(PREFERENCE_MAX_PAIRS),
        config.get(PREFERENCE_RATING_GAP),
        config.get(PREFERENCE_REGENERATION_PAIRS),
        config.get(PREFERENCE_BOTH_BAD_UNPAIRED),
        mode,
        config.get(PREFERENCE_GROUP_MARGIN),
        weights);
  }

  private static PreferenceSettings.Weights preferenceWeights(String text) {
    Map<String, Double> w = new LinkedHashMap<>();
    PreferenceSettings.Weights d = PreferenceSettings.Weights.defaults();
    w.put("vote", d.vote());
    w.put("thumb", d.thumb());
    w.put("rating", d.rating());
    w.put("edit", d.edit());
    w.put("regenerate", d.regenerate());
    w.put("group-reward", d.groupReward());
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.split("=", 2);
      String name = kv[0].trim();
      if (kv.length != 2 || !w.containsKey(name)) {
        throw new IllegalArgumentException(
            "expected <source>=<weight> with source one of "
                + w.keySet()
                + ", was '"
                + part.trim()
                + "'");
      }
      try {
        w.put(name, Double.parseDouble(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "weight of " + name + " is not a number: '" + kv[1].trim() + "'", e);
      }
    }
    return new PreferenceSettings.Weights(
        w.get("vote"),
        w.get("thumb"),
        w.get("rating"),
        w.get("edit"),
        w.get("regenerate"),
        w.get("group-reward"));
  }

  /** The redaction every training example passes before it is written. */
  public Redactor redactor() {
    return parse(PREFERENCE_REDACTION, Redactor::parse);
  }

  public Set<ExportFormat> preferenceExportFormats() {
    return parse(
        EXPORT_PREFERENCE_FORMATS,
        list -> ExportFormat.parseList(ExportFormat.Kind.PREFERENCE, list));
  }

  /** The remote reward model's settings, or empty when {@code remote-reward.url} is not set. */
  public Optional<RemoteRewardSettings> remoteReward() {
    if (!REMOTE_REWARD.enabled(config)) {
      return Optional.empty();
    }
    PromptFormat format = parse(REMOTE_REWARD_PROMPT_FORMAT, LodestarOptions::promptFormat);
    return Optional.of(
        new RemoteRewardSettings(
            REMOTE_REWARD.callSettings(config), config.get(REMOTE_REWARD.componentName), format));
  }

  /** The LLM judge's settings, or empty when {@code judge.url} is not set. */
  public Optional<JudgeSettings> judge() {
    if (!JUDGE.enabled(config)) {
      return Optional.empty();
    }
    GuardPolicy guard = parse(JUDGE_GUARD, LodestarOptions::guardPolicy);
    return Optional.of(
        new JudgeSettings(
            JUDGE.callSettings(config),
            config.get(JUDGE.componentName),
            guard,
            config.get(JUDGE_SYSTEM_PROMPT),
            config.get(JUDGE_RUBRIC),
            config.getOptional(JUDGE_MAX_TOKENS).orElse(null)));
  }

  /** The embedding model's settings, or empty when neither similarity nor diversity is on. */
  public Optional<EmbeddingSettings> embeddings() {
    if (!config.get(EMBEDDING_SIMILARITY) && !config.get(EMBEDDING_DIVERSITY)) {
      return Optional.empty();
    }
    DeviceSpec device = parse(EMBEDDING_DEVICE, DeviceSpec::parse);
    EmbeddingSettings settings =
        new EmbeddingSettings(
            config.get(EMBEDDING_PATH),
            device,
            config.get(EMBEDDING_BATCH_SIZE),
            config.get(EMBEDDING_MAX_WAIT),
            config.get(EMBEDDING_COMPONENT));
    if (!settings.path().isEmpty() && !Files.isDirectory(settings.folder())) {
      throw new IllegalArgumentException(
          EMBEDDING_PATH.key() + " is not a folder: " + settings.path());
    }
    return Optional.of(settings);
  }

  private static PromptFormat promptFormat(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "plain":
        return PromptFormat.PLAIN;
      case "chatml":
        return PromptFormat.CHATML;
      default:
        throw new IllegalArgumentException("must be plain or chatml, was " + text);
    }
  }

  private static GuardPolicy guardPolicy(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "zero":
        return GuardPolicy.ZERO;
      case "unscored":
        return GuardPolicy.UNSCORED;
      default:
        throw new IllegalArgumentException("must be zero or unscored, was " + text);
    }
  }

  public RewardComposition rewardComposition() {
    RewardComposition.Weights weights = parse(REWARD_WEIGHTS, RewardComposition.Weights::parse);
    RewardComposition.MissingRules missing =
        parse(REWARD_MISSING, RewardComposition.MissingRules::parse);
    List<Gate> gates = parse(REWARD_GATES, Gate::parseAll);
    OverlongShaping overlong = overlongShaping();
    try {
      return RewardComposition.of(weights, missing, gates, overlong);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_WEIGHTS.key()
              + ", "
              + REWARD_MISSING.key()
              + " or "
              + REWARD_GATES.key()
              + ": "
              + e.getMessage(),
          e);
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
      for (ConfigOption<?> o :
          List.of(
              REWARD_OVERLONG_MAX_LENGTH,
              REWARD_OVERLONG_BUFFER_LENGTH,
              REWARD_OVERLONG_PENALTY_FACTOR)) {
        if (config.getOptional(o).isPresent()) {
          throw new IllegalArgumentException(
              o.key()
                  + " is set but "
                  + REWARD_OVERLONG_MODE.key()
                  + " is none; set the mode to dapo or verl");
        }
      }
      return OverlongShaping.NONE;
    }
    for (ConfigOption<Integer> o :
        List.of(REWARD_OVERLONG_MAX_LENGTH, REWARD_OVERLONG_BUFFER_LENGTH)) {
      if (config.getOptional(o).isEmpty()) {
        throw new IllegalArgumentException(
            o.key() + " is required when " + REWARD_OVERLONG_MODE.key() + "=" + mode.id());
      }
    }
    if (mode == OverlongShaping.Mode.DAPO && factor.isPresent()) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_PENALTY_FACTOR.key()
              + " applies only to "
              + REWARD_OVERLONG_MODE.key()
              + "=verl (the paper's rule has none)");
    }
    OverlongShaping.LengthFallback fallback =
        parse(REWARD_OVERLONG_LENGTH_FALLBACK, OverlongShaping.LengthFallback::parse);
    try {
      return mode == OverlongShaping.Mode.DAPO
          ? OverlongShaping.dapo(max.get(), buffer.get(), fallback)
          : OverlongShaping.verl(max.get(), buffer.get(), factor.orElse(1.0), fallback);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          REWARD_OVERLONG_MAX_LENGTH.key()
              + "="
              + max.get()
              + ", "
              + REWARD_OVERLONG_BUFFER_LENGTH.key()
              + "="
              + buffer.get()
              + factor.map(f -> ", " + REWARD_OVERLONG_PENALTY_FACTOR.key() + "=" + f).orElse("")
              + ": "
              + e.getMessage(),
          e);
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
        defaults.maxIdChars(),
        config.get(MAX_PROMPT_CHARS),
        config.get(MAX_RESPONSE_CHARS),
        config.get(MAX_GROUP_SIZE),
        defaults.maxTokens());
  }

  private static final Set<ConfigOption<?>> SECRET_OPTIONS =
      Set.of(REMOTE_REWARD.apiKey, JUDGE.apiKey);

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

  private static ConfigOption<String> topic(String name, String description) {
    return ConfigOptions.key("topics." + name)
        .stringType()
        .defaultValue("lodestar." + name)
        .withDescription(description);
  }
}
