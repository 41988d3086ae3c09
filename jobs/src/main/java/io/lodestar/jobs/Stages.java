package io.lodestar.jobs;

import io.lodestar.connectors.serde.HandedOverTypeInfo;
import io.lodestar.schema.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** What the stage classes share: the pipeline's version, its record types, the dead-letter tag. */
final class Stages {

  /** Written into every preference pair and example, so a row says which pipeline mined it. */
  static final String PIPELINE_VERSION = "lodestar-0.1.0";

  /** The side output where a parse or encode step puts what it cannot use. */
  static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", avro(DeadLetter.class));

  private Stages() {}

  static <T extends SpecificRecordBase> TypeInformation<T> avro(Class<T> type) {
    return new AvroTypeInfo<>(type);
  }

  /**
   * The Avro type of a stream whose every record is new, so the async and micro-batching operators
   * that read it hold the record itself instead of a deep copy (see {@link HandedOverTypeInfo}).
   */
  static <T extends SpecificRecordBase> TypeInformation<T> handedOver(Class<T> type) {
    return new HandedOverTypeInfo<>(avro(type));
  }
}
