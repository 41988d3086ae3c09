package io.lodestar.jobs;

import io.lodestar.connectors.kafka.CommittedReader;
import io.lodestar.connectors.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;

/** An output topic as a trainer reads it (read_committed), decoded. */
final class CommittedRecords {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private CommittedRecords() {}

  /**
   * What a trainer reads once the job has finished: every transaction settled, none left pending.
   */
  static <T extends SpecificRecordBase> List<T> read(
      String bootstrap, String topic, Class<T> type) {
    return decode(CommittedReader.readAllSettled(bootstrap, topic, WAIT), type);
  }

  /** What a trainer reads while the job runs: committed transactions only. */
  static <T extends SpecificRecordBase> List<T> readSoFar(
      String bootstrap, String topic, Class<T> type) {
    return decode(CommittedReader.readAll(bootstrap, topic, WAIT), type);
  }

  static <T extends SpecificRecordBase> List<T> decode(List<byte[]> values, Class<T> type) {
    RecordCodec<T> codec = RecordCodec.of(type);
    List<T> records = new ArrayList<>(values.size());
    values.forEach(v -> records.add(codec.decodeOrThrow(v)));
    return records;
  }
}
