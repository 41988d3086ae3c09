package io.lodestar.jobs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/** Ids of export file formats: the enum constant in lower case with dashes, e.g. {@code verl-jsonl}. */
final class FileFormats {

  private FileFormats() {}

  static String id(Enum<?> format) {
    return format.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a comma-separated list of ids (case-insensitive); blank entries are ignored, so an empty
   * list means none. An unknown id fails with a message naming every valid one.
   */
  static <E extends Enum<E>> Set<E> parseList(Class<E> type, String list, String what) {
    Set<E> formats = EnumSet.noneOf(type);
    for (String part : list.split(",")) {
      String id = part.trim().toLowerCase(Locale.ROOT);
      if (!id.isEmpty()) {
        formats.add(byId(type, id, part.trim(), what));
      }
    }
    return formats;
  }

  private static <E extends Enum<E>> E byId(Class<E> type, String id, String asWritten, String what) {
    StringJoiner valid = new StringJoiner(", ");
    for (E f : type.getEnumConstants()) {
      if (id(f).equals(id)) {
        return f;
      }
      valid.add(id(f));
    }
    throw new IllegalArgumentException("unknown " + what + " format '" + asWritten + "'; use any of " + valid);
  }
}
