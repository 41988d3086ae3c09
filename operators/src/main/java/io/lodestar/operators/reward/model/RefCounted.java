package io.lodestar.operators.reward.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One value per key, loaded on first acquire, shared by every holder, closed when the last holder
 * releases it. Loading happens under the lock, so concurrent first acquires load once; loads are
 * rare (one per model per process) and a failed load leaves nothing behind.
 */
public final class RefCounted<K, V extends AutoCloseable> {

  /** Loads the value for a key. */
  @FunctionalInterface
  public interface Loader<K, V> {
    V load(K key) throws Exception;
  }

  private final Loader<K, V> loader;
  private final Map<K, Entry<V>> entries = new HashMap<>();

  public RefCounted(Loader<K, V> loader) {
    this.loader = Objects.requireNonNull(loader);
  }

  /**
   * The shared value for {@code key}, loading it if no one holds it; close the lease to release.
   */
  public synchronized Lease<V> acquire(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      V value;
      try {
        value = loader.load(key);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("cannot load " + key + ": " + e.getMessage(), e);
      }
      entry = new Entry<>(value);
      entries.put(key, entry);
    }
    entry.references++;
    return new Lease<>(this, key, entry.value);
  }

  /** How many leases on {@code key} are open; 0 when it is not loaded. */
  public synchronized int references(K key) {
    Entry<V> entry = entries.get(key);
    return entry == null ? 0 : entry.references;
  }

  /** How many values are loaded. */
  public synchronized int loaded() {
    return entries.size();
  }

  private void release(K key, V value) throws Exception {
    V toClose = null;
    synchronized (this) {
      Entry<V> entry = entries.get(key);
      if (entry == null || entry.value != value) {
        throw new IllegalStateException("released a lease on " + key + " that is not held");
      }
      if (--entry.references == 0) {
        entries.remove(key);
        toClose = entry.value;
      }
    }
    // Closed outside the lock: closing a model may take a while and must not block other keys.
    if (toClose != null) {
      toClose.close();
    }
  }

  private static final class Entry<V> {
    final V value;
    int references;

    Entry(V value) {
      this.value = value;
    }
  }

  /** A hold on a shared value; closing it (once; later closes do nothing) releases the hold. */
  public static final class Lease<V extends AutoCloseable> implements AutoCloseable {
    private final RefCounted<?, V> owner;
    private final Object key;
    private final V value;
    private boolean released;

    private <K> Lease(RefCounted<K, V> owner, K key, V value) {
      this.owner = owner;
      this.key = key;
      this.value = value;
    }

    public V get() {
      if (released) {
        throw new IllegalStateException("lease on " + key + " was released");
      }
      return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void close() throws Exception {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      ((RefCounted<Object, V>) owner).release(key, value);
    }
  }
}
