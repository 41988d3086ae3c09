package io.lodestar.operators.verify.format;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a verifier built from a task-supplied text (a schema, a pattern), for the most recently used
 * texts: tasks of one product share a few, and building is far dearer than a lookup. Thread-safe;
 * the entries are not serialised and are built again after deserialisation.
 */
final class RecentlyUsed<V> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int capacity;
  private transient Map<String, V> byText;

  RecentlyUsed(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  synchronized V computeIfAbsent(String text, Function<String, V> build) {
    if (byText == null) {
      byText =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
              return size() > capacity;
            }
          };
    }
    return byText.computeIfAbsent(text, build);
  }

  synchronized int size() {
    return byText == null ? 0 : byText.size();
  }
}
