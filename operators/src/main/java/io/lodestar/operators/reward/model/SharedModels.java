package io.lodestar.operators.reward.model;

import java.nio.file.Path;

/**
 * The models loaded in this process (a TaskManager): one per (folder, device), shared by every slot
 * and subtask that uses it, reference-counted, closed by the last release. Subtasks acquire in
 * {@code open()} and release in {@code close()}; each keeps its own predictor.
 */
public final class SharedModels {

  /** What identifies a loaded model. */
  public record Key(Path folder, DeviceSpec device) {
    public Key {
      folder = folder.toAbsolutePath().normalize();
    }
  }

  private static final RefCounted<Key, LoadedModel> MODELS =
      new RefCounted<>(key -> LoadedModel.load(key.folder(), key.device()));

  private SharedModels() {}

  public static RefCounted.Lease<LoadedModel> acquire(Path folder, DeviceSpec device) {
    return MODELS.acquire(new Key(folder, device));
  }

  /** Open leases on a model; 0 when it is not loaded. */
  public static int references(Path folder, DeviceSpec device) {
    return MODELS.references(new Key(folder, device));
  }
}
