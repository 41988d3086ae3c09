package io.lodestar.operators.reward.remote;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic request ids: the same generation scored by the same component at the same endpoint
 * and model always gets the same id, on every retry and on every replay after a recovery, so a
 * server that de-duplicates (or just logs) can recognise it.
 */
public final class RequestIds {

  private RequestIds() {}

  public static String of(
      String generationId, String componentName, String endpoint, String model) {
    // Length-prefixed parts, so no two different tuples can concatenate to the same text.
    StringBuilder key = new StringBuilder("lodestar-remote-reward/1");
    for (String part : new String[] {generationId, componentName, endpoint, model}) {
      String p = part == null ? "" : part;
      key.append('|').append(p.length()).append(':').append(p);
    }
    return UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8)).toString();
  }
}
