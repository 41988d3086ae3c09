package io.lodestar.connectors;

import java.io.Serializable;
import java.util.Optional;

/** Checks a decoded record's content; the first violation found is the dead-letter reason. */
@FunctionalInterface
public interface RecordValidator<T> extends Serializable {

  /** Empty when the record is usable, else a short reason that names the offending field. */
  Optional<String> firstViolation(T record);

  /** The validator that accepts everything. */
  static <T> RecordValidator<T> acceptAll() {
    return record -> Optional.empty();
  }
}
