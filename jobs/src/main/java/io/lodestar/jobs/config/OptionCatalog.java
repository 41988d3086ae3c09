package io.lodestar.jobs.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every typed option of a Lodestar job: the {@code public static final ConfigOption} fields of the
 * options classes, found by reflection, so a new option is validated, printed and documented as
 * soon as it is declared in one of them.
 */
public final class OptionCatalog {

  /** One options class and the title of its part of docs/configuration.md. */
  public record Section(String title, Class<?> holder) {}

  /** An option, where it is declared, and the type of its value. */
  public record Entry(Section section, ConfigOption<?> option, Class<?> valueType) {}

  /** The options classes, in the order of docs/configuration.md. */
  public static final List<Section> SECTIONS =
      List.of(
          new Section("Kafka topics and input formats", TopicOptions.class),
          new Section("Kafka sources and sinks", KafkaOptions.class),
          new Section("Checkpoints, state, restarts and start-up", RuntimeOptions.class),
          new Section("Event time", EventTimeOptions.class),
          new Section("Validation and dead letters", ValidationOptions.class),
          new Section("Verifiers and code tests", VerifierOptions.class),
          new Section("Reward composition", RewardOptions.class),
          new Section("Local reward model", RewardModelOptions.class),
          new Section("Embedding model", EmbeddingOptions.class),
          new Section("Remote reward model", RemoteRewardOptions.class),
          new Section("LLM judge", JudgeOptions.class),
          new Section("Groups and advantages", GroupOptions.class),
          new Section("Majority vote (rewards without ground truth)", MajorityVoteOptions.class),
          new Section("RL batches and staleness", BatchOptions.class),
          new Section("Feedback and preferences", PreferenceOptions.class),
          new Section("Trainer and preference files", ExportOptions.class),
          new Section("Health, alarms and gate", HealthOptions.class));

  private static final List<Entry> ENTRIES = scan(SECTIONS);

  private OptionCatalog() {}

  /** Every option, grouped by section, sorted by key within a section. */
  public static List<Entry> entries() {
    return ENTRIES;
  }

  public static List<ConfigOption<?>> options() {
    return ENTRIES.stream().<ConfigOption<?>>map(Entry::option).toList();
  }

  /** The options declared in the given classes; a key declared twice is a mistake. */
  static List<Entry> scan(List<Section> sections) {
    List<Entry> all = new ArrayList<>();
    Map<String, String> declaredIn = new HashMap<>();
    for (Section section : sections) {
      List<Entry> own = new ArrayList<>();
      for (Field field : section.holder().getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!ConfigOption.class.isAssignableFrom(field.getType())
            || !Modifier.isPublic(modifiers)
            || !Modifier.isStatic(modifiers)
            || !Modifier.isFinal(modifiers)) {
          continue;
        }
        ConfigOption<?> option = read(field);
        String where = section.holder().getSimpleName() + "." + field.getName();
        String earlier = declaredIn.put(option.key(), where);
        if (earlier != null) {
          throw new IllegalStateException(
              "option " + option.key() + " is declared twice: " + earlier + " and " + where);
        }
        own.add(new Entry(section, option, valueType(field)));
      }
      own.sort(Comparator.comparing(e -> e.option().key()));
      all.addAll(own);
    }
    return List.copyOf(all);
  }

  private static ConfigOption<?> read(Field field) {
    try {
      return (ConfigOption<?>) field.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read option field " + field, e);
    }
  }

  /** The T of a {@code ConfigOption<T>} field (Flink keeps its own copy package-private). */
  private static Class<?> valueType(Field field) {
    Type type = field.getGenericType();
    if (type instanceof ParameterizedType parameterized
        && parameterized.getActualTypeArguments()[0] instanceof Class<?> valueClass) {
      return valueClass;
    }
    throw new IllegalStateException("option field " + field + " must name its value type");
  }
}
