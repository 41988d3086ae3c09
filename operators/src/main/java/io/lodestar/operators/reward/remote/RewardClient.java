package io.lodestar.operators.reward.remote;

import io.lodestar.schema.Generation;
import io.lodestar.schema.RewardComponent;
import io.lodestar.schema.RewardSource;
import io.lodestar.schema.RewardStatus;
import java.io.Serializable;
import java.util.Optional;

/**
 * One remote scoring protocol: how a generation becomes a request, and how an answer becomes a
 * reward component. Implementations are pure (no I/O); {@link RemoteRewardFunction} does the calls.
 */
public interface RewardClient extends Serializable {

  /** The reward component's name, e.g. {@code remote_rm} or {@code judge}. */
  String name();

  /**
   * Identifies the model and protocol (and, for a judge, the rubric), so a change shows in the
   * data.
   */
  String version();

  RewardSource source();

  CallSettings call();

  /** A verdict reached without calling (the judge guard), or empty to call. */
  default Optional<RewardComponent> screen(Generation generation) {
    return Optional.empty();
  }

  RemoteRequest request(Generation generation, String requestId);

  /** The component for a 2xx body. Malformed bodies give ERROR components; it should not throw. */
  RewardComponent parse(String body);

  /** The same id on every attempt and every replay of this generation for this scorer. */
  default String requestId(Generation generation) {
    return RequestIds.of(
        generation.getGenerationId(),
        name(),
        CallSettings.withoutQuery(call().url()),
        call().model());
  }

  default RewardComponent component(Double value, RewardStatus status, String detail) {
    return RewardComponent.newBuilder()
        .setName(name())
        .setValue(status == RewardStatus.OK ? value : null)
        .setStatus(status)
        .setSource(source())
        .setVersion(version())
        .setDetail(detail)
        .build();
  }
}
