package io.lodestar.jobs;

import io.lodestar.connectors.files.JsonLinesFiles;
import io.lodestar.operators.preference.PreferenceSamples;
import io.lodestar.schema.PreferencePair;
import io.lodestar.schema.UnpairedExample;
import io.lodestar.schema.export.KtoExample;
import io.lodestar.schema.export.OpenAiDpoExample;
import io.lodestar.schema.export.OpenRlhfPreference;
import io.lodestar.schema.export.TrlPreference;
import io.lodestar.schema.export.TrlPreferenceText;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Files preference trainers read, one row per pair or unpaired example (columns in {@code
 * docs/exports.md}), each under {@code <dir>/<format id>/*.jsonl}: pairs as {@code pairs-*.jsonl},
 * unpaired examples as {@code examples-*.jsonl}. Rows are Avro records written as plain JSON
 * ({@link io.lodestar.connectors.serde.PlainJson}: nullable values as {@code null}, no union
 * wrappers). Flink file sinks: part files are committed when a checkpoint completes (streaming) or
 * at the end of input (bounded), so each row appears once.
 */
public final class PreferenceFiles {

  /** A file kind, named as in {@code export.preference-formats}; also its sub-directory. */
  public enum Format {
    TRL_PREFERENCE_JSONL,
    TRL_PREFERENCE_TEXT_JSONL,
    KTO_JSONL,
    OPENRLHF_JSONL,
    OPENAI_DPO_JSONL;

    public String id() {
      return FileFormats.id(this);
    }

    /**
     * Parses a comma-separated list of ids (case-insensitive); blank entries are ignored, so an
     * empty list means none. An unknown id fails with a message naming every valid one.
     */
    public static Set<Format> parseList(String list) {
      return FileFormats.parseList(Format.class, list, "preference file");
    }
  }

  private PreferenceFiles() {}

  /**
   * Adds the rows and sinks of {@code formats} under {@code directory}, every operator with a
   * stable uid and name; {@code unpaired} may be null (then no KTO file is written).
   */
  public static void attach(
      DataStream<PreferencePair> pairs, DataStream<UnpairedExample> unpaired, Path directory, Set<Format> formats) {
    if (formats.contains(Format.TRL_PREFERENCE_JSONL)) {
      pairs.map(PreferenceSamples::trlConversational, avro(TrlPreference.class))
          .uid("pairs-to-trl-preference").name("Pairs to TRL conversational preference")
          .sinkTo(JsonLinesFiles.<TrlPreference>sink(child(directory, Format.TRL_PREFERENCE_JSONL), "pairs"))
          .uid("sink-trl-preference-jsonl").name("TRL preference JSON Lines files");
    }
    if (formats.contains(Format.TRL_PREFERENCE_TEXT_JSONL)) {
      pairs.map(PreferenceSamples::trlStandard, avro(TrlPreferenceText.class))
          .uid("pairs-to-trl-preference-text").name("Pairs to TRL standard preference")
          .sinkTo(JsonLinesFiles.<TrlPreferenceText>sink(child(directory, Format.TRL_PREFERENCE_TEXT_JSONL), "pairs"))
          .uid("sink-trl-preference-text-jsonl").name("TRL standard preference JSON Lines files");
    }
    if (formats.contains(Format.OPENRLHF_JSONL)) {
      pairs.map(PreferenceSamples::openRlhf, avro(OpenRlhfPreference.class))
          .uid("pairs-to-openrlhf").name("Pairs to OpenRLHF preference")
          .sinkTo(JsonLinesFiles.<OpenRlhfPreference>sink(child(directory, Format.OPENRLHF_JSONL), "pairs"))
          .uid("sink-openrlhf-jsonl").name("OpenRLHF preference JSON Lines files");
    }
    if (formats.contains(Format.OPENAI_DPO_JSONL)) {
      pairs.map(PreferenceSamples::openAiDpo, avro(OpenAiDpoExample.class))
          .uid("pairs-to-openai-dpo").name("Pairs to OpenAI preference fine-tuning")
          .sinkTo(JsonLinesFiles.<OpenAiDpoExample>sink(child(directory, Format.OPENAI_DPO_JSONL), "pairs"))
          .uid("sink-openai-dpo-jsonl").name("OpenAI DPO JSON Lines files");
    }
    if (unpaired != null && formats.contains(Format.KTO_JSONL)) {
      unpaired.map(PreferenceSamples::kto, avro(KtoExample.class))
          .uid("unpaired-to-kto").name("Unpaired examples to KTO")
          .sinkTo(JsonLinesFiles.<KtoExample>sink(child(directory, Format.KTO_JSONL), "examples"))
          .uid("sink-kto-jsonl").name("KTO JSON Lines files");
    }
  }

  private static Path child(Path directory, Format format) {
    return new Path(directory, format.id());
  }

  private static <T extends SpecificRecordBase> TypeInformation<T> avro(Class<T> type) {
    return new AvroTypeInfo<>(type);
  }
}
