package io.lodestar.jobs;

import io.lodestar.connectors.files.JsonLinesFiles;
import io.lodestar.connectors.files.ParquetFiles;
import io.lodestar.operators.batch.TrainerSamples;
import io.lodestar.operators.preference.PreferenceSamples;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.RLBatch;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.export.KtoExample;
import io.lodestar.schema.export.OpenAiDpoExample;
import io.lodestar.schema.export.OpenRlhfPreference;
import io.lodestar.schema.export.TrlPreference;
import io.lodestar.schema.export.TrlPreferenceText;
import io.lodestar.schema.export.TrlSample;
import io.lodestar.schema.export.VerlSample;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Every export file format, one entry each: its id (as written in {@code export.formats} or {@code
 * export.preference-formats}, and its sub-directory), the rows it writes and the writer that writes
 * them. Its kind (RL or preference) and file names follow from its rows' input: {@code
 * <dir>/<id>/samples-*}, {@code pairs-*} or {@code examples-*}, ending {@code .parquet} or {@code
 * .jsonl}. Option validation, the file sinks ({@link TrainerFiles}, {@link PreferenceFiles}) and
 * {@code docs/exports.md} (checked by {@code ExportFormatTest}) all read this table, so adding a
 * format is one entry here, plus its {@link Rows} when it writes a new record type.
 *
 * <p>Operator uids are {@code sink-<id>} for the sinks and the rows' own uid for the mapping, which
 * formats writing the same rows share: changing either breaks restoring from savepoints.
 */
public enum ExportFormat {
  VERL_PARQUET(Rows.VERL, Writer.PARQUET, "verl Parquet files"),
  VERL_JSONL(Rows.VERL, Writer.JSONL, "verl JSON Lines files"),
  TRL_JSONL(Rows.TRL, Writer.JSONL, "TRL JSON Lines files"),
  TRL_PREFERENCE_JSONL(Rows.TRL_PREFERENCE, Writer.JSONL, "TRL preference JSON Lines files"),
  TRL_PREFERENCE_TEXT_JSONL(
      Rows.TRL_PREFERENCE_TEXT, Writer.JSONL, "TRL standard preference JSON Lines files"),
  KTO_JSONL(Rows.KTO, Writer.JSONL, "KTO JSON Lines files"),
  OPENRLHF_JSONL(Rows.OPENRLHF, Writer.JSONL, "OpenRLHF preference JSON Lines files"),
  OPENAI_DPO_JSONL(Rows.OPENAI_DPO, Writer.JSONL, "OpenAI DPO JSON Lines files");

  /** Which trainers read a format, and which option chooses it. */
  public enum Kind {
    RL("trainer file"),
    PREFERENCE("preference file");

    private final String what;

    Kind(String what) {
      this.what = what;
    }
  }

  private final Rows<?, ?> rows;
  private final Writer writer;
  private final String sinkName;

  ExportFormat(Rows<?, ?> rows, Writer writer, String sinkName) {
    this.rows = rows;
    this.writer = writer;
    this.sinkName = sinkName;
  }

  /**
   * The constant in lower case with dashes, e.g. {@code verl-jsonl}: the option value and the
   * sub-directory.
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public Kind kind() {
    return rows.input.kind;
  }

  /**
   * Where its files go and how they are named under the export directory, e.g. {@code
   * kto-jsonl/examples-*.jsonl}.
   */
  public String fileLayout() {
    return id() + "/" + rows.input.filePrefix + "-*." + writer.extension;
  }

  /** The Avro record of its rows (schemas under {@code schemas/src/main/avro/export/}). */
  public Class<? extends SpecificRecordBase> recordType() {
    return rows.type;
  }

  /** The uid of its sink operator. */
  public String sinkUid() {
    return "sink-" + id();
  }

  /** Every format of {@code kind}, in table order. */
  public static List<ExportFormat> of(Kind kind) {
    return Stream.of(values()).filter(f -> f.kind() == kind).toList();
  }

  /** The ids of every format of {@code kind}, comma-separated: the option's default. */
  public static String idList(Kind kind) {
    return of(kind).stream().map(ExportFormat::id).collect(Collectors.joining(","));
  }

  /**
   * Parses a comma-separated list of ids of {@code kind} (case-insensitive); blank entries are
   * ignored, so an empty list means none. An unknown id fails with a message naming every valid
   * one.
   */
  public static Set<ExportFormat> parseList(Kind kind, String list) {
    Set<ExportFormat> formats = EnumSet.noneOf(ExportFormat.class);
    for (String part : list.split(",")) {
      String id = part.strip().toLowerCase(Locale.ROOT);
      if (!id.isEmpty()) {
        formats.add(
            of(kind).stream()
                .filter(f -> f.id().equals(id))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "unknown "
                                + kind.what
                                + " format '"
                                + part.strip()
                                + "'; use any of "
                                + idList(kind).replace(",", ", "))));
      }
    }
    return formats;
  }

  /** The streams rows are made from; a null stream writes none of its formats. */
  record Sources(
      DataStream<RLBatch> batches,
      DataStream<PreferencePair> pairs,
      DataStream<UnpairedExample> unpaired) {}

  /**
   * Adds the rows and sinks of {@code formats} under {@code directory}. Rows several formats write
   * are made once.
   */
  static void attach(Sources sources, Path directory, Set<ExportFormat> formats) {
    Map<Rows<?, ?>, DataStream<?>> made = new HashMap<>();
    for (ExportFormat format : formats) {
      format.attach(format.rows, sources, directory, made);
    }
  }

  /** Fails when {@code formats} holds a format of another kind: it would silently write nothing. */
  static void requireKind(Set<ExportFormat> formats, Kind kind) {
    for (ExportFormat format : formats) {
      if (format.kind() != kind) {
        throw new IllegalArgumentException(format.id() + " is not a " + kind.what + " format");
      }
    }
  }

  private <I, R extends SpecificRecordBase> void attach(
      Rows<I, R> rowsOfThis, Sources sources, Path directory, Map<Rows<?, ?>, DataStream<?>> made) {
    DataStream<I> input = rowsOfThis.input.stream.apply(sources);
    if (input == null) {
      return;
    }
    @SuppressWarnings(
        "unchecked") // each Rows key maps to the stream it made, of its own record type
    DataStream<R> rowStream =
        (DataStream<R>) made.computeIfAbsent(rowsOfThis, r -> rowsOfThis.from(input));
    rowStream
        .sinkTo(
            writer.sink(new Path(directory, id()), rowsOfThis.input.filePrefix, rowsOfThis.type))
        .uid(sinkUid())
        .name(sinkName);
  }

  /** What rows are made from: the stream, its kind and the prefix of the file names. */
  static final class Input<T> {
    static final Input<RLBatch> BATCHES = new Input<>(Kind.RL, "samples", Sources::batches);
    static final Input<PreferencePair> PAIRS =
        new Input<>(Kind.PREFERENCE, "pairs", Sources::pairs);
    static final Input<UnpairedExample> UNPAIRED =
        new Input<>(Kind.PREFERENCE, "examples", Sources::unpaired);

    private final Kind kind;
    private final String filePrefix;
    private final Function<Sources, DataStream<T>> stream;

    private Input(Kind kind, String filePrefix, Function<Sources, DataStream<T>> stream) {
      this.kind = kind;
      this.filePrefix = filePrefix;
      this.stream = stream;
    }
  }

  /**
   * The rows of one record type: one operator with a stable uid, however many formats write them.
   */
  static final class Rows<I, R extends SpecificRecordBase> {
    static final Rows<RLBatch, VerlSample> VERL =
        perBatch(
            Input.BATCHES,
            "batch-to-verl-samples",
            "RL batches to verl samples",
            VerlSample.class,
            TrainerSamples::verl);
    static final Rows<RLBatch, TrlSample> TRL =
        perBatch(
            Input.BATCHES,
            "batch-to-trl-samples",
            "RL batches to TRL samples",
            TrlSample.class,
            TrainerSamples::trl);
    static final Rows<PreferencePair, TrlPreference> TRL_PREFERENCE =
        perRecord(
            Input.PAIRS,
            "pairs-to-trl-preference",
            "Pairs to TRL conversational preference",
            TrlPreference.class,
            PreferenceSamples::trlConversational);
    static final Rows<PreferencePair, TrlPreferenceText> TRL_PREFERENCE_TEXT =
        perRecord(
            Input.PAIRS,
            "pairs-to-trl-preference-text",
            "Pairs to TRL standard preference",
            TrlPreferenceText.class,
            PreferenceSamples::trlStandard);
    static final Rows<UnpairedExample, KtoExample> KTO =
        perRecord(
            Input.UNPAIRED,
            "unpaired-to-kto",
            "Unpaired examples to KTO",
            KtoExample.class,
            PreferenceSamples::kto);
    static final Rows<PreferencePair, OpenRlhfPreference> OPENRLHF =
        perRecord(
            Input.PAIRS,
            "pairs-to-openrlhf",
            "Pairs to OpenRLHF preference",
            OpenRlhfPreference.class,
            PreferenceSamples::openRlhf);
    static final Rows<PreferencePair, OpenAiDpoExample> OPENAI_DPO =
        perRecord(
            Input.PAIRS,
            "pairs-to-openai-dpo",
            "Pairs to OpenAI preference fine-tuning",
            OpenAiDpoExample.class,
            PreferenceSamples::openAiDpo);

    private final Input<I> input;
    private final String uid;
    private final String name;
    private final Class<R> type;

    /** Exactly one of the two is set: a map for one row per record, a flat map for many. */
    private final MapFunction<I, R> one;

    private final FlatMapFunction<I, R> many;

    private Rows(
        Input<I> input,
        String uid,
        String name,
        Class<R> type,
        MapFunction<I, R> one,
        FlatMapFunction<I, R> many) {
      this.input = input;
      this.uid = uid;
      this.name = name;
      this.type = type;
      this.one = one;
      this.many = many;
    }

    static <I, R extends SpecificRecordBase> Rows<I, R> perRecord(
        Input<I> input, String uid, String name, Class<R> type, MapFunction<I, R> row) {
      return new Rows<>(input, uid, name, type, row, null);
    }

    static <I, R extends SpecificRecordBase> Rows<I, R> perBatch(
        Input<I> input,
        String uid,
        String name,
        Class<R> type,
        SerializableFunction<I, List<R>> rows) {
      return new Rows<>(input, uid, name, type, null, new EachRow<>(rows));
    }

    DataStream<R> from(DataStream<I> records) {
      AvroTypeInfo<R> rowType = new AvroTypeInfo<>(type);
      SingleOutputStreamOperator<R> rows =
          one != null ? records.map(one, rowType) : records.flatMap(many, rowType);
      return rows.uid(uid).name(name);
    }
  }

  /** Emits every row a function makes of one record. */
  private static final class EachRow<I, R> implements FlatMapFunction<I, R> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<I, List<R>> rows;

    EachRow(SerializableFunction<I, List<R>> rows) {
      this.rows = rows;
    }

    @Override
    public void flatMap(I record, Collector<R> out) {
      for (R row : rows.apply(record)) {
        out.collect(row);
      }
    }
  }

  /** How rows become files: a Flink file sink committing part files on checkpoints. */
  enum Writer {
    PARQUET("parquet") {
      @Override
      <R extends SpecificRecordBase> FileSink<R> sink(
          Path directory, String filePrefix, Class<R> type) {
        return ParquetFiles.sink(directory, filePrefix, type);
      }
    },
    JSONL("jsonl") {
      @Override
      <R extends SpecificRecordBase> FileSink<R> sink(
          Path directory, String filePrefix, Class<R> type) {
        return JsonLinesFiles.sink(directory, filePrefix);
      }
    };

    private final String extension;

    Writer(String extension) {
      this.extension = extension;
    }

    abstract <R extends SpecificRecordBase> FileSink<R> sink(
        Path directory, String filePrefix, Class<R> type);
  }
}
